"""The rooms stay apart: only api/ imports the web layer (Flask's sans-I/O rule); the calculator, the
spreadsheets, storage and the reports work without an app, and bcf/, metrics/ and reports/ without
marshmallow too."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WEB = {"flask", "flask_smorest", "webargs", "werkzeug", "api"}
FORBIDDEN = {
    "bcf": {"flask", "flask_smorest", "marshmallow", "webargs", "api", "werkzeug", "sqlalchemy"},
    "metrics": {"flask", "flask_smorest", "marshmallow", "webargs", "api", "werkzeug", "bcf", "decimal",
                "yaml", "pandas", "sqlalchemy"},
    "calculator": WEB | {"sqlalchemy", "storage", "sheets"},
    "sheets": WEB | {"sqlalchemy", "storage"},
    "storage": WEB | {"marshmallow", "calculator", "sheets"},
    # the national report: pure, handed determinations and reference data by the web layer or the CLI
    "reports": WEB | {"sqlalchemy", "storage", "marshmallow", "calculator", "sheets"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_stay_in_their_room(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    offenders = {
        str(f.relative_to(ROOT)): sorted(imported_roots(f) & FORBIDDEN[package]) for f in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}
