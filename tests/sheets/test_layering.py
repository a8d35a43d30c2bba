"""sheets/ reads and writes files only: no web framework, so the console script and the API share it.

Only ``sheets/cli.py`` builds the app (inside ``main``), to run the same code path as the API.
"""

import ast
from pathlib import Path

SHEETS = Path(__file__).resolve().parents[2] / "sheets"
WEB = {"flask", "flask_smorest", "werkzeug", "marshmallow", "webargs", "api", "sqlalchemy", "storage"}


def test_sheets_modules_do_not_import_the_web_layer():
    offenders = {}
    for path in sorted(SHEETS.glob("*.py")):
        if path.name == "cli.py":
            continue
        roots = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                roots.add(node.module.split(".")[0])
        if roots & WEB:
            offenders[path.name] = sorted(roots & WEB)
    assert offenders == {}
