"""The per-board allocation table as flat rows: CSV/XLSX answers and the stored reference table.

This module is the output side only: it lays out what :mod:`bcf.allocations` calculated, writes it and
reads the stored copy back. Reading the operator's input files (and telling their roles) is
:mod:`bcf.allocation_files`; the money is :mod:`bcf.allocations`.

One row per board; each money figure is three columns (``dfg``, ``dfg_source``, ``dfg_explanation``),
so that a spreadsheet keeps where each number came from. The stored table
(``reference_data/allocations.csv``, loaded by ``flask --app wsgi bcf load-allocations``) is this same
layout, written atomically (temporary file, then rename) so a reader never sees half a table, and read
back once at start-up and whenever the file changes.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from bcf.allocations import (
    CCG_CONTRIBUTION,
    ILLUSTRATIVE,
    MINIMUM_FUND,
    P4P_POOL,
    PUBLISHED,
    SOURCES,
    Allocations,
    BoardAllocation,
    Figure,
    TrancheFigure,
    totals_of,
)
from bcf.boards import Board
from bcf.errors import BcfError, ReferenceDataError
from bcf.rules import RuleSet

LEAD_COLUMNS = ("rule_set", "hwb_code", "hwb_name", "source")


class AllocationNotFound(BcfError):
    """No allocation table is loaded, or it has no row for the board asked about."""

    slug = "not-found"


def figure_names(rule_set: RuleSet) -> list[str]:
    """Money figures in table order: CCG components, their sum, council grants, minimum fund, pool,
    then the tranches (by their rule-set ids)."""
    ccg = [component.id for component in rule_set.fund_components if component.held_by == "ccg"]
    council = [component.id for component in rule_set.fund_components if component.held_by == "council"]
    tranches = [tranche.id for tranche in rule_set.tranches]
    return [*ccg, CCG_CONTRIBUTION, *council, MINIMUM_FUND, P4P_POOL, *tranches]


def columns(rule_set: RuleSet) -> list[str]:
    names = figure_names(rule_set)
    suffixes = ("", "_source", "_explanation")
    return [*LEAD_COLUMNS, *(f"{name}{suffix}" for name in names for suffix in suffixes)]


def rows(allocations: Allocations, rule_set: RuleSet) -> list[dict[str, Any]]:
    """One dict per board; money as Decimal (or None when the inputs do not give it)."""
    out = []
    for board in allocations.boards:
        row: dict[str, Any] = {"rule_set": allocations.rule_set, "hwb_code": board.hwb_code,
                               "hwb_name": board.hwb_name, "source": board.source}
        figures: dict[str, Figure | TrancheFigure] = dict(board.figures())
        figures.update((tranche.tranche, tranche) for tranche in board.tranches)
        for name in figure_names(rule_set):
            figure = figures.get(name)
            row[name] = figure.amount if figure else None
            row[f"{name}_source"] = figure.source if figure else None
            row[f"{name}_explanation"] = figure.explanation if figure else ""
        out.append(row)
    return out


def to_csv_text(allocations: Allocations, rule_set: RuleSet) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns(rule_set), lineterminator="\n")
    writer.writeheader()
    for row in rows(allocations, rule_set):
        writer.writerow({column: "" if value is None else value for column, value in row.items()})
    return buffer.getvalue()


def write_table(path: Path, allocations: Allocations, rule_set: RuleSet) -> None:
    """Write the stored table atomically: a temporary file in the same folder, then a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(to_csv_text(allocations, rule_set))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _amount(text: str, where: str) -> Decimal | None:
    if text == "":
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ReferenceDataError(f"{where}: {text!r} is not an amount") from None


def read_table(path: Path, rule_sets: Mapping[str, RuleSet], boards: Mapping[str, Board]) -> Allocations:
    """Read a stored table back (warnings are reported when it is loaded, not stored).

    :raise ReferenceDataError: the file is not a table this module wrote, naming the row.
    """
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        records = list(reader)
        header = reader.fieldnames or []
    if not records:
        raise ReferenceDataError(f"{path}: the allocation table has no rows")
    rule_set = rule_sets.get(records[0].get("rule_set") or "")
    if rule_set is None:
        raise ReferenceDataError(f"{path}: unknown rule set {records[0].get('rule_set')!r}")
    missing = [column for column in columns(rule_set) if column not in header]
    if missing:
        raise ReferenceDataError(f"{path}: missing columns {', '.join(missing)}")
    component_ids = [component.id for component in rule_set.fund_components]
    result = []
    for number, record in enumerate(records, start=2):
        where = f"{path} row {number}"
        code = record["hwb_code"]
        if code not in boards or record["rule_set"] != rule_set.id:
            raise ReferenceDataError(f"{where}: unknown board {code!r} or a second rule set")
        if record["source"] not in (PUBLISHED, ILLUSTRATIVE):
            raise ReferenceDataError(f"{where}: source must be {PUBLISHED} or {ILLUSTRATIVE}")

        def figure(name: str, record: dict = record, where: str = where) -> Figure:
            source = record[f"{name}_source"] or None
            if source is not None and source not in SOURCES:
                raise ReferenceDataError(f"{where}, column {name}_source: unknown source {source!r}")
            return Figure(_amount(record[name], f"{where}, column {name}"), source,
                          record[f"{name}_explanation"])

        tranches = []
        for tranche in rule_set.tranches:
            stored = figure(tranche.id)
            tranches.append(TrancheFigure(tranche.id, tranche.share, stored.amount, stored.source,
                                          stored.explanation))
        result.append(BoardAllocation(
            code, boards[code].name, record["source"],
            {component: figure(component) for component in component_ids}, figure(CCG_CONTRIBUTION),
            figure(MINIMUM_FUND), figure(P4P_POOL), tuple(tranches)))
    return Allocations(rule_set.id, tuple(result), totals_of(result, rule_set))
