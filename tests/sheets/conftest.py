from pathlib import Path

import pytest

from bcf.boards import load_boards

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "sheets" / "templates"


@pytest.fixture(scope="session")
def boards():
    return load_boards(ROOT / "reference_data" / "boards.csv")


@pytest.fixture()
def template_files():
    """The three shipped templates, as uploaded bytes."""
    return {name: (TEMPLATES / f"{name}.csv").read_bytes() for name in ("metrics", "conditions", "pools")}
