"""The reference files are all there and whole, and only the two rows the README condemns are skipped."""

import pytest
from phe_reference import PHE, ROW_COUNTS, rows


@pytest.mark.parametrize(("name", "expected"), sorted(ROW_COUNTS.items()))
def test_reference_file_has_every_row(name, expected):
    assert len(rows(name)) == expected, f"{PHE / name} is not the file the README describes"


def test_only_the_flagged_source_errors_are_skipped():
    flagged = {row["case_id"] for row in rows("dsr.csv") if row["note"].startswith("SOURCE ERROR")}
    assert flagged == {"dsr008", "dsr016"}   # README: testdata_1976 at 99.8%, limits 10x too large
