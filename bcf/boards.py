"""The 152 Health and Wellbeing Boards of 2014 (reference_data/boards.csv, from ONS and NHS England)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from bcf.errors import ReferenceDataError

COLUMNS = ("ons_code", "name", "la_type", "ons_region_code", "ons_region_name", "nhs_region_2014",
           "area_team_2014")


@dataclass(frozen=True)
class Board:
    code: str
    name: str
    la_type: str
    region_code: str
    region: str
    nhs_region: str
    area_team: str


def load_boards(path: Path) -> dict[str, Board]:
    """Read the boards file once, at start-up; a malformed file stops the service, naming the row.

    :raise ReferenceDataError: missing columns, an empty cell or a duplicate code.
    """
    boards: dict[str, Board] = {}
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ReferenceDataError(f"{path}: missing columns {', '.join(missing)}")
        for row_number, row in enumerate(reader, start=2):
            empty = [c for c in COLUMNS if not (row[c] or "").strip()]
            if empty:
                raise ReferenceDataError(f"{path} row {row_number}: empty {', '.join(empty)}")
            code = row["ons_code"].strip()
            if code in boards:
                raise ReferenceDataError(f"{path} row {row_number}: duplicate board code {code}")
            boards[code] = Board(code, row["name"].strip(), row["la_type"].strip(),
                                 row["ons_region_code"].strip(), row["ons_region_name"].strip(),
                                 row["nhs_region_2014"].strip(), row["area_team_2014"].strip())
    return boards
