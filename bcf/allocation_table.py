"""The per-board allocation table as flat rows: CSV/XLSX answers and the stored reference table.

This module is the output side only: it lays out what :mod:`bcf.allocations` calculated, writes it and
reads the stored copy back. Reading the operator's input files (and telling their roles) is
:mod:`bcf.allocation_files`; the money is :mod:`bcf.allocations`.

One row per board; each money figure is three columns (``dfg``, ``dfg_source``, ``dfg_explanation``),
so that a spreadsheet keeps where each number came from. The stored table
(``reference_data/allocations.csv``, loaded by ``flask --app wsgi bcf load-allocations``) is this same
layout, written atomically (temporary file, then rename) so a reader never sees half a table, and read
back once at start-up and whenever the file changes.

The loader's warnings are kept beside the table in a sidecar, ``allocations.warnings.json`` (issue 15):
``{"table_sha256": …, "warnings": [{code, message, hwb_code, figure, difference}]}``, also written
atomically. Two renames cannot be one, so the sidecar names the SHA-256 of the table text it belongs
to: a reader attaches it only to that table, and otherwise reports ``warnings-not-stored`` (a table
written before warnings were kept, edited by hand, or caught between the two renames).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
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
    AllocationWarning,
    BoardAllocation,
    Figure,
    TrancheFigure,
    totals_of,
)
from bcf.boards import Board
from bcf.errors import BcfError, ReferenceDataError
from bcf.money import format_pounds
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


def warnings_path(path: Path) -> Path:
    """The sidecar keeping a stored table's warnings: ``allocations.csv`` → ``allocations.warnings.json``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.warnings.json")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _write_atomically(path: Path, text: str) -> None:
    """A temporary file in the same folder, then a rename: a reader sees the old file or the new one."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _warning_record(warning: AllocationWarning) -> dict[str, Any]:
    return {"code": warning.code, "message": warning.message, "hwb_code": warning.hwb_code,
            "figure": warning.figure,
            "difference": None if warning.difference is None else str(warning.difference)}


def write_table(path: Path, allocations: Allocations, rule_set: RuleSet) -> None:
    """Write the stored table and, beside it, its warnings (:func:`warnings_path`), each atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = to_csv_text(allocations, rule_set)
    sidecar = {"table_sha256": _sha256(text),
               "warnings": [_warning_record(warning) for warning in allocations.warnings]}
    _write_atomically(warnings_path(path), json.dumps(sidecar, ensure_ascii=False, indent=1) + "\n")
    _write_atomically(path, text)


def _stored_warnings(path: Path, text: str) -> tuple[AllocationWarning, ...]:
    """The warnings stored beside the table whose text is ``text``, or one ``warnings-not-stored``."""
    sidecar = warnings_path(path)
    try:
        stored = json.loads(sidecar.read_text(encoding="utf-8"))
        if stored.get("table_sha256") == _sha256(text):
            return tuple(AllocationWarning(
                record["code"], record["message"], record.get("hwb_code"), record.get("figure"),
                None if record.get("difference") is None else Decimal(record["difference"]))
                for record in stored["warnings"])
        why = f"{sidecar.name} belongs to another table (this one was written or edited since)"
    except FileNotFoundError:
        why = f"there is no {sidecar.name} beside it"
    except (ValueError, KeyError, TypeError, AttributeError, InvalidOperation):
        why = f"{sidecar.name} is not a warnings file this service wrote"
    return (AllocationWarning("warnings-not-stored", f"the warnings given when {path.name} was loaded are "
                              f"not known: {why}; load the table again to see them"),)


def _amount(text: str, where: str) -> Decimal | None:
    if text == "":
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ReferenceDataError(f"{where}: {text!r} is not an amount") from None


def read_table(path: Path, rule_sets: Mapping[str, RuleSet], boards: Mapping[str, Board]) -> Allocations:
    """Read a stored table back, with the warnings stored beside it (:func:`warnings_path`).

    :raise ReferenceDataError: the file is not a table this module wrote, naming the row.
    """
    path = Path(path)
    text = path.read_bytes().decode("utf-8")  # exactly as written: the sidecar names its SHA-256
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
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
    return Allocations(rule_set.id, tuple(result), totals_of(result, rule_set), _stored_warnings(path, text))


# --- what a new table changes (load-allocations prints it before replacing a table) ----------------


@dataclass(frozen=True)
class TableChanges:
    """What replacing ``old`` by ``new`` changes, board by board."""

    old_rule_set: str
    new_rule_set: str
    added: tuple[BoardAllocation, ...]
    removed: tuple[BoardAllocation, ...]
    changed_pools: tuple[tuple[BoardAllocation, BoardAllocation], ...]  # (old, new)
    other_changes: tuple[str, ...]  # boards whose pool is the same but another figure differs
    unchanged: int

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed_pools or self.other_changes
                    or self.old_rule_set != self.new_rule_set)

    def summary(self) -> str:
        return (f"{len(self.added)} board(s) added, {len(self.removed)} removed, {len(self.changed_pools)} "
                f"with a changed pool, {len(self.other_changes)} with other figures changed, "
                f"{self.unchanged} unchanged")

    def lines(self, shown: int = 5) -> list[str]:
        """The summary, then the first ``shown`` boards of each kind of change."""
        def pool(board: BoardAllocation) -> str:
            amount = board.p4p_pool.amount
            return "no pool" if amount is None else f"pool {format_pounds(amount)}"

        def more(items: tuple) -> list[str]:
            return [f"  … and {len(items) - shown} more"] if len(items) > shown else []

        out = [self.summary()]
        if self.old_rule_set != self.new_rule_set:
            out.append(f"rule set: {self.old_rule_set} → {self.new_rule_set}")
        if self.added:
            out.append("added:")
            out += [f"  {board.hwb_code} {board.hwb_name}: {pool(board)}" for board in self.added[:shown]]
            out += more(self.added)
        if self.removed:
            out.append("removed:")
            out += [f"  {board.hwb_code} {board.hwb_name}: {pool(board)}" for board in self.removed[:shown]]
            out += more(self.removed)
        if self.changed_pools:
            out.append("pool changed:")
            out += [f"  {old.hwb_code} {old.hwb_name}: {pool(old)} → {pool(new)}"
                    for old, new in self.changed_pools[:shown]]
            out += more(self.changed_pools)
        if self.other_changes:
            listed = ", ".join(self.other_changes[:shown])
            out.append(f"other figures changed: {listed}"
                       + (f" and {len(self.other_changes) - shown} more" if len(self.other_changes) > shown
                          else ""))
        return out


def changes(old: Allocations, new: Allocations) -> TableChanges:
    """Compare two tables board by board (explanations aside: only amounts and sources count)."""
    before = {board.hwb_code: board for board in old.boards}
    after = {board.hwb_code: board for board in new.boards}

    def amounts(board: BoardAllocation) -> tuple:
        figures = tuple((name, figure.amount, figure.source) for name, figure in board.figures().items())
        return figures + tuple((tranche.tranche, tranche.amount) for tranche in board.tranches)

    changed_pools, other, unchanged = [], [], 0
    for code in sorted(before.keys() & after.keys()):
        was, now = before[code], after[code]
        if was.p4p_pool.amount != now.p4p_pool.amount:
            changed_pools.append((was, now))
        elif amounts(was) != amounts(now) or was.source != now.source:
            other.append(code)
        else:
            unchanged += 1
    return TableChanges(
        old.rule_set, new.rule_set,
        tuple(after[code] for code in sorted(after.keys() - before.keys())),
        tuple(before[code] for code in sorted(before.keys() - after.keys())),
        tuple(changed_pools), tuple(other), unchanged)
