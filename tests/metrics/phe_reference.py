"""PHE reference values (../shared/fixtures/phe/, beside the repository), read at test time.

The CSVs are PHEindicatormethods' own test data reshaped (see their README); they are not copied into the
repository. An empty cell is NA, read here as NaN.
"""

import csv
import math
from pathlib import Path

import pytest

PHE = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "phe"

#: the README's row counts: a short read would silently test less
ROW_COUNTS = {
    "proportions.csv": 46,
    "rates.csv": 43,
    "byars_counts.csv": 7,
    "exact_poisson_counts.csv": 200,
    "dsr.csv": 24,
    "dsr_inputs.csv": 75,
    "dsr_nonindependent_inputs.csv": 247,
}

#: the README's tolerances
RTOL = {"exact_poisson_counts.csv": 1e-4}
DEFAULT_RTOL = 1e-9


def rows(name: str) -> list[dict[str, str]]:
    with (PHE / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def number(cell: str) -> float:
    """A numeric cell; empty (NA) is NaN."""
    return math.nan if cell == "" else float(cell)


def cases(name: str) -> list:
    """Every row as a pytest param named by its case_id; rows the README flags as SOURCE ERROR are kept
    in the list but skipped, with their note as the reason."""
    params = []
    for row in rows(name):
        note = row.get("note", "")
        marks = [pytest.mark.skip(reason=note)] if note.startswith("SOURCE ERROR") else []
        params.append(pytest.param(row, id=row["case_id"], marks=marks))
    return params


def rtol(name: str) -> float:
    return RTOL.get(name, DEFAULT_RTOL)
