from pathlib import Path

import pytest

from bcf.boards import load_boards
from bcf.errors import ReferenceDataError

ROOT = Path(__file__).resolve().parent.parent


def test_the_152_boards_load():
    boards = load_boards(ROOT / "reference_data" / "boards.csv")
    assert len(boards) == 152
    assert boards["E06000001"].name == "Hartlepool"
    assert boards["E06000001"].nhs_region == "North of England"


def test_duplicate_code_is_refused_naming_the_row(tmp_path):
    source = (ROOT / "reference_data" / "boards.csv").read_text().splitlines()
    bad = tmp_path / "boards.csv"
    bad.write_text("\n".join(source[:3] + [source[1]]) + "\n")
    with pytest.raises(ReferenceDataError, match="row 4: duplicate board code E06000001"):
        load_boards(bad)
