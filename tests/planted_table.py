"""A stand-in for the table an operator loads into the git-ignored reference_data/allocations.csv.

:func:`plant_operator_table` copies the reference data to a temporary ``reference_data/``, writes there
a valid but distinctive allocation table (every board of the spreadsheet templates with a published pool
of £123,456.78, a figure no test uses), and makes that folder the default
(``calculator.reference.REFERENCE_DATA``). Issue 15's tests use it to show that the suite's fixtures and
the ``bcf calculate`` CLI never see such a table. SYNTHETIC amounts.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

from bcf import allocation_table
from bcf.allocation_files import AllocationInputs, Table
from bcf.allocations import calculate_allocations
from bcf.boards import load_boards
from bcf.rules import current_rule_set, load_rule_sets
from calculator import reference

ROOT = Path(__file__).resolve().parents[1]
PLANTED_POOL = Decimal("123456.78")
PLANTED_BOARDS = ("E06000001", "E08000021")  # the boards of sheets/templates/*.csv


def plant_operator_table(tmp_path: Path, monkeypatch) -> Path:
    """:return: the planted table's path (``…/reference_data/allocations.csv``, now the default one)."""
    folder = tmp_path / "reference_data"
    folder.mkdir()
    real = ROOT / "reference_data"
    shutil.copy(real / "boards.csv", folder / "boards.csv")
    shutil.copy(real / "metric_catalogue.yaml", folder / "metric_catalogue.yaml")
    shutil.copytree(real / "rules", folder / "rules")
    rule_set = current_rule_set(load_rule_sets(folder / "rules"))
    rows = "".join(f"{code},1000000,{PLANTED_POOL}\n" for code in PLANTED_BOARDS)
    published = Table.from_csv("published.csv", f"hwb_code,minimum_fund,p4p_amount\n{rows}")
    inputs = AllocationInputs(published=published)
    allocations = calculate_allocations(inputs, rule_set, load_boards(folder / "boards.csv"))
    path = folder / "allocations.csv"
    allocation_table.write_table(path, allocations, rule_set)
    monkeypatch.setattr(reference, "REFERENCE_DATA", folder)
    return path
