"""Reading and checking the allocation input files (issue 5): ccg_amounts, ccg_to_hwb, council_grants
and a published per-board table, as CSV files or JSON records.

This module turns text into checked values and nothing else: it parses the cells, checks the headers
(each key column once, no unknown column), the codes, the amounts (pounds to the penny, not
negative), the shares (between 0 and 1, adding up to 1 for each CCG) and repeated rows, and tells a
CLI file's role from its header. It is kept apart from the money (:mod:`bcf.allocations`: shares,
rounding, pools) so that every problem in every file is found and reported at once, each naming its
file, row (as Excel shows it, header = row 1) and column, before a penny is computed, and so that the
arithmetic works only on values already known to be good.

Inputs arrive as :class:`Table` (every cell as text). The big table is the CCG→board split (211 CCGs ×
152 boards, 32,072 rows), so its checks are vectorised with numpy; the amount tables have a row per
CCG or board and are read cell by cell into Decimal.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from bcf.cells import CellError, Percent, read_number
from bcf.errors import InvalidInput, capped
from bcf.money import PENNY, money_to_pennies, pennies_to_money
from bcf.rules import RuleSet

INPUT_NAMES = ("ccg_amounts", "ccg_to_hwb", "council_grants", "published")
SHARE_TOLERANCE = 1e-9  # a CCG's shares must add up to 1 within this (issue 5)
# The per-board totals a published table may give; the first two are also the names of the figures
# they give (bcf.allocations), the last gives the figure p4p_pool.
CCG_CONTRIBUTION, MINIMUM_FUND = "ccg_contribution", "minimum_fund"
P4P_PUBLISHED_COLUMN = "p4p_amount"  # the column name of a published per-board table (issue 5)
#: data rows one table may have: the CCG→board split is 211 CCGs × 152 boards = 32,072 rows at most;
#: reading stops here, so a million-row upload is refused in a moment, not read whole
MAX_ROWS = 50_000
#: columns one table may have (a published table has 13); commas counted in the header line
MAX_COLUMNS = 100


# --- the input tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """One input table, every cell as text, remembering how to name a cell in an error message.

    :param name: ``ccg_to_hwb.csv`` (a file) or ``ccg_to_hwb`` (a JSON member).
    :param frame: the cells, str, index 0..n-1 in input order.
    :param style: ``csv``: ``name row N, column C`` (header = row 1, as Excel shows it);
        ``json``: ``name[i].C``.
    """

    name: str
    frame: pd.DataFrame
    style: str = "csv"

    @classmethod
    def from_csv(cls, name: str, source: str | bytes | os.PathLike | IO) -> Table:
        """Read a CSV (UTF-8, optional BOM). Blank lines are kept so row numbers match Excel's; no more
        than :data:`MAX_ROWS` rows are read.

        :raise InvalidInput: the text is not a CSV with a header row.
        """
        try:
            if isinstance(source, os.PathLike):
                source = Path(source).read_bytes()
            elif not isinstance(source, str | bytes):
                source = source.read()
            if isinstance(source, bytes):
                source = source.decode("utf-8-sig")
            text = source.removeprefix("\ufeff")
            _check_shape(name, text)
            _check_row_widths(name, text)
            # object, not pandas' string dtype: cell-by-cell string work is several times faster here
            frame = pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False,
                                skip_blank_lines=False, nrows=MAX_ROWS + 1)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
            raise InvalidInput(f"{name} is not a readable CSV file.", problems=[
                {"location": name, "message": f"not a readable UTF-8 CSV file with a header row ({error})"}
            ]) from None
        if len(frame) > MAX_ROWS:  # fewer lines than that, but quoted line breaks: rows still counted
            raise _too_many_rows(name)
        frame.columns = [str(column).strip() for column in frame.columns]
        return cls(name, frame.reset_index(drop=True), "csv")

    @classmethod
    def from_records(cls, name: str, records: Sequence[Mapping[str, Any]]) -> Table:
        """JSON rows: a member missing from a row is an empty cell; numbers become their text."""
        columns: dict[str, None] = {}
        for record in records:
            columns.update(dict.fromkeys(record))
        rows = [[_cell_text(record.get(column)) for column in columns] for record in records]
        return cls(name, pd.DataFrame(rows, columns=list(columns), dtype=object), "json")

    def location(self, row: int | None = None, column: str | None = None) -> str:
        """Name a cell: ``ccg_to_hwb.csv row 5, column share`` or ``ccg_to_hwb[3].share``."""
        if self.style == "json":
            where = self.name if row is None else f"{self.name}[{row}]"
            return f"{where}.{column}" if column else where
        where = f"{self.name} row {1 if row is None else row + 2}"
        return f"{where}, column {column}" if column else where

    def excel_row(self, row: int) -> str:
        return f"row {row + 2}" if self.style == "csv" else f"[{row}]"


def _too_many_rows(name: str) -> InvalidInput:
    return InvalidInput(f"{name} has too many rows.", problems=[
        {"location": name, "message": f"the file has more than {MAX_ROWS:,} rows, the most one table may "
                                      "have (211 CCGs × 152 boards is 32,072)"}])


def _check_shape(name: str, text: str) -> None:
    """Refuse a file too long or too wide before pandas reads it: pandas takes minutes over a header of
    200,000 columns or a row of a million cells. Lines and commas are counted (a quoted comma counts
    too, which only makes the check stricter than the limit by the few commas a name may hold).

    :raise InvalidInput: more lines than :data:`MAX_ROWS` rows need, or a line of more than
        :data:`MAX_COLUMNS` cells (naming its row).
    """
    if text.count("\n") > MAX_ROWS + 1:
        raise _too_many_rows(name)
    for number, line in enumerate(text.split("\n"), start=1):
        cells = line.count(",") + 1
        if cells > MAX_COLUMNS:
            raise InvalidInput(f"{name} has a row too wide.", problems=[
                {"location": f"{name} row {number}",
                 "message": f"the row has {cells:,} cells, more than the {MAX_COLUMNS} a table may have; is "
                            "this the right file?"}])


def _check_row_widths(name: str, text: str) -> None:
    """Every row with more cells than the header names, all at once, in words a spreadsheet user knows.

    pandas stops at the first such row with its tokenizer's message ("Expected 2 fields in line 3, saw
    3"); the usual cause is a number typed with a thousands separator in a file saved without quotes.

    :raise InvalidInput: one problem per row that is too wide.
    """
    try:
        rows = csv.reader(io.StringIO(text))
        header = next(rows, [])
        problems = [
            {"location": f"{name} row {number}",
             "message": f"the row has {len(row)} cells but the header names {len(header)} columns: a number "
                        f"with a thousands separator must be quoted (\"1,234\") or written 1234"}
            for number, row in enumerate(rows, start=2) if len(row) > len(header)]
    except csv.Error:
        return  # a malformed quote or an over-long cell: pandas' reading says so
    if problems:
        raise InvalidInput(f"{name} has rows wider than its header.", problems=capped(problems))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()  # not a number: reported as such
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same number, as JSON wrote it
    return str(value)


@dataclass(frozen=True)
class AllocationInputs:
    """The four optional input tables of issue 5 (at least one must be given)."""

    ccg_amounts: Table | None = None  # ccg_code (or hwb_code) + CCG-held component columns
    ccg_to_hwb: Table | None = None  # ccg_code, hwb_code, share
    council_grants: Table | None = None  # council_code (or hwb_code) + council-held component columns
    # hwb_code + any of: the components, ccg_contribution, minimum_fund, p4p_amount
    published: Table | None = None


# --- checking: every problem at once, then the checked values ---------------------------------------


@dataclass
class CheckedInputs:
    """The inputs after checking: everything the calculation needs, by board or CCG code."""

    ccg_key: str | None = None  # the key column of ccg_amounts: ccg_code (split by ccg_to_hwb) or hwb_code
    ccg_amounts: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # component → key → amount
    ccg_rows: dict[str, int] = field(default_factory=dict)  # key → row
    # ccg_code, hwb_code, share (float), share_text by row; ccg_codes/board_codes sorted, and the
    # ccg_index/board_index of each row into them
    split: dict[str, np.ndarray] | None = None
    grants: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # component → board → amount
    grant_rows: dict[str, int] = field(default_factory=dict)
    # published column (a component, ccg_contribution, minimum_fund, p4p_amount) → board → amount
    published: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    published_rows: dict[str, int] = field(default_factory=dict)


def check_inputs(inputs: AllocationInputs, rule_set: RuleSet, board_codes: Iterable[str]) -> CheckedInputs:
    """Read every given table and check it against the rule set's components and the boards' codes.

    :raise InvalidInput: every problem in the inputs at once, each naming file, row and column.
    """
    components = rule_set.fund_components
    ccg_ids = [component.id for component in components if component.held_by == "ccg"]
    council_ids = [component.id for component in components if component.held_by == "council"]
    component_ids = [component.id for component in components]
    problems = _Problems()
    checked = CheckedInputs()
    if not any(getattr(inputs, name) is not None for name in INPUT_NAMES):
        raise InvalidInput("No allocation inputs were given.", problems=[{
            "location": "$", "message": f"give at least one of {', '.join(INPUT_NAMES)}"}])
    allowed = np.array(sorted(board_codes))

    if (table := inputs.ccg_to_hwb) is not None:
        header = _columns(table, [["ccg_code"], ["hwb_code"], ["share"]], [], problems, need_value=False)
        if header:
            cells = _content_rows(table)
            # codes → sorted integer ids once, for the code, duplicate and share checks and the split
            ccg_codes, ccg_index = np.unique(cells["ccg_code"], return_inverse=True)
            split_board_codes, board_index = np.unique(cells["hwb_code"], return_inverse=True)
            ccg_index, board_index = ccg_index.ravel(), board_index.ravel()
            _codes(table, cells, "ccg_code", None, "CCG", problems)
            _codes(table, cells, "hwb_code", allowed, "board", problems,
                   uniques=(split_board_codes, board_index))
            shares, share_texts = _shares(table, cells, problems)
            _duplicates(table, cells, ["ccg_code", "hwb_code"], problems,
                        key_ids=ccg_index.astype(np.int64) * len(split_board_codes) + board_index)
            _share_sums(table, cells, shares, ccg_codes, ccg_index, problems)
            checked.split = {"ccg_code": cells["ccg_code"], "ccg_codes": ccg_codes, "ccg_index": ccg_index,
                             "board_codes": split_board_codes, "board_index": board_index, "share": shares,
                             "share_text": share_texts}

    if (table := inputs.ccg_amounts) is not None:
        header = _columns(table, [["ccg_code", "hwb_code"]], ccg_ids, problems)
        if header:
            (key,), values = header
            checked.ccg_key = key
            cells = _content_rows(table)
            by_board = key == "hwb_code"
            checked.ccg_amounts, checked.ccg_rows = _keyed(
                table, cells, key, values, allowed if by_board else None, "board" if by_board else "CCG",
                problems)
            if not by_board:
                if inputs.ccg_to_hwb is None:
                    problems.append({"location": "ccg_to_hwb", "message": "per-CCG amounts need the "
                                     "CCG→board split table ccg_to_hwb (ccg_code, hwb_code, share)"})
                elif checked.split is not None:
                    codes = cells[key]
                    unsplit = (codes != "") & ~np.isin(codes, checked.split["ccg_code"])
                    for position in np.flatnonzero(unsplit):
                        problems.add(table, cells.row(position), key, f"CCG {codes[position]} has no rows in "
                                     f"{inputs.ccg_to_hwb.name}, so its money would go to no board")

    if (table := inputs.council_grants) is not None:
        header = _columns(table, [["council_code", "hwb_code"]], council_ids, problems)
        if header:
            (key,), values = header
            checked.grants, checked.grant_rows = _keyed(table, _content_rows(table), key, values, allowed,
                                                        "council", problems)

    if (table := inputs.published) is not None:
        columns = [*component_ids, CCG_CONTRIBUTION, MINIMUM_FUND, P4P_PUBLISHED_COLUMN]
        header = _columns(table, [["hwb_code"]], columns, problems)
        if header:
            _, values = header
            checked.published, checked.published_rows = _keyed(table, _content_rows(table), "hwb_code",
                                                               values, allowed, "board", problems)

    if problems:
        raise InvalidInput(f"The allocation inputs have {len(problems):,} problem(s); nothing was "
                           "calculated.", problems=capped(list(problems)), problem_count=len(problems))
    return checked


class _Problems(list):
    def add(self, table: Table, row: int | None, column: str | None, message: str) -> None:
        self.append({"location": table.location(row, column), "message": message})


def _is_name_column(column: str) -> bool:
    """Descriptive columns (``ccg_name``, ``name``) are allowed and ignored."""
    return column == "name" or column.endswith("_name")


def _columns(table: Table, keys: Sequence[Sequence[str]], values: Sequence[str], problems: _Problems,
             need_value: bool = True) -> tuple[list[str], list[str]] | None:
    """Check the header: each key group needs one of its columns; unknown columns are errors.

    :return: (the key columns used, the value columns present), or None when unusable.
    """
    present = [column for column in table.frame.columns if column and not _is_name_column(column)]
    used_keys: list[str] = []
    usable = True
    for options in keys:
        found = [column for column in options if column in present]
        if len(found) != 1:
            wanted = " or ".join(options)
            message = f"give only one of the columns {wanted}" if found else f"needs a column {wanted}"
            problems.add(table, None, None if found else options[0], message)
            usable = False
        else:
            used_keys.append(found[0])
    allowed = {column for group in keys for column in group} | set(values)
    for column in present:
        if column not in allowed:
            expected = ", ".join(sorted(allowed))
            problems.add(table, None, column, f"unknown column {column}; expected {expected}")
    if "" in table.frame.columns:
        problems.add(table, None, None, "a column has no name in the header")
    value_columns = [column for column in values if column in present]
    if need_value and not value_columns:
        problems.add(table, None, None, f"needs at least one of the columns {', '.join(values)}")
        usable = False
    return (used_keys, value_columns) if usable else None


@dataclass(frozen=True)
class _Cells:
    """A table's non-blank rows as numpy text columns (stripped), with each row's 0-based index for
    locations. numpy's C string functions keep checking 32,000 rows well inside the time budget."""

    rows: np.ndarray
    columns: dict[str, np.ndarray]

    def __getitem__(self, column: str) -> np.ndarray:
        return self.columns[column]

    def row(self, position: int) -> int:
        return int(self.rows[position])


def _content_rows(table: Table) -> _Cells:
    """Rows with at least one non-empty cell (blank lines at the end of a CSV are common)."""
    source = table.frame
    columns = {column: np.strings.strip(source[column].fillna("").to_numpy().astype(str))
               for column in source.columns}
    filled = np.zeros(len(source), dtype=bool)
    for values in columns.values():
        filled |= values != ""
    keep = np.flatnonzero(filled)
    return _Cells(keep, {column: values[keep] for column, values in columns.items()})


def _codes(table: Table, cells: _Cells, column: str, allowed: np.ndarray | None, what: str,
           problems: _Problems, uniques: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Missing codes, and codes not among ``allowed``. ``uniques``: the column's sorted distinct codes
    and each row's index into them, when already at hand (checking 152 codes beats 32,000)."""
    codes = cells[column]
    empty = codes == ""
    for position in np.flatnonzero(empty):
        problems.add(table, cells.row(position), column, f"missing {what} code")
    if allowed is not None:
        if uniques is None:
            unknown = ~empty & ~np.isin(codes, allowed)
        else:
            distinct, index = uniques
            unknown = ((distinct != "") & ~np.isin(distinct, allowed))[index]
        for position in np.flatnonzero(unknown):
            problems.add(table, cells.row(position), column,
                         f"{codes[position]} is not one of the 152 Health and Wellbeing Board codes")
    return codes


def _duplicates(table: Table, cells: _Cells, keys: list[str], problems: _Problems,
                key_ids: np.ndarray | None = None) -> None:
    """Rows repeating the key of an earlier row, each named with the row it repeats.

    :param key_ids: optional integer id of each row's key (faster than comparing text for big tables).
    """
    complete = np.ones(len(cells.rows), dtype=bool)
    for key in keys:
        complete &= cells[key] != ""
    positions = np.flatnonzero(complete)
    if key_ids is not None:
        combined = key_ids[positions]
    else:
        combined = cells[keys[0]][positions]
        for key in keys[1:]:
            combined = np.strings.add(np.strings.add(combined, "\x1f"), cells[key][positions])
    _, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    first_of_each = first[inverse.ravel()]
    for repeat in np.flatnonzero(first_of_each != np.arange(len(combined))):
        position, earlier = positions[repeat], positions[first_of_each[repeat]]
        what = ", ".join(f"{key} {cells[key][position]}" for key in keys)
        problems.add(table, cells.row(position), keys[-1],
                     f"duplicate row: {what} already given in {table.excel_row(cells.row(earlier))}")


def _amounts(table: Table, cells: _Cells, columns: Sequence[str],
             problems: _Problems) -> dict[str, dict[int, Decimal]]:
    """Money cells → Decimal by position; an empty cell is "not given". Read by
    :func:`bcf.cells.read_number` (``1,234,567.89`` and ``£1,234`` as in any of our CSVs), pounds to the
    penny, not negative. (Amount tables have a row per CCG or board, a few hundred cells: plain Python.)"""
    result: dict[str, dict[int, Decimal]] = {}
    for column in columns:
        amounts: dict[int, Decimal] = {}
        for position, text in enumerate(cells[column].tolist()):
            if not text:
                continue
            row = cells.row(position)
            try:
                value = read_number(text, column, money=True)
            except CellError as error:
                problems.add(table, row, column, f"{error} (pounds, e.g. 1,234,567.89)")
                continue
            if value < 0:
                problems.add(table, row, column, f"negative amount {text}: amounts must not be negative")
            elif "e" in text.lower() or value != value.quantize(PENNY):
                problems.add(table, row, column, f"{text} is not an amount in pounds to the penny "
                                                 "(digits with at most two decimal places)")
            else:  # exact: at most two decimals; normalised to two so every amount prints as pounds
                amounts[position] = pennies_to_money(money_to_pennies(value))
        result[column] = amounts
    return result


#: a share as most files give it: ASCII digits, a point, nothing else (one C loop converts them all)
_PLAIN_SHARE = re.compile(r"[0-9]*\.?[0-9]*")


def _share(text: str) -> Decimal | None:
    """One share cell that is not a plain number: ``12.5%`` is 0.125 (a share is a 0–1 fraction)."""
    try:
        return read_number(text, "share", percent=Percent.FRACTION)
    except CellError:
        return None


def _shares(table: Table, cells: _Cells, problems: _Problems) -> tuple[np.ndarray, np.ndarray]:
    """Each row's share as a float (NaN if unreadable) and as exact decimal text (``12.5%`` → ``0.125``),
    which the penny apportionment recomputes from."""
    text = cells["share"]
    listed = text.tolist()
    if all(_PLAIN_SHARE.fullmatch(cell) for cell in listed) and "" not in listed and "." not in listed:
        numeric, exact = text.astype(np.float64), text  # every cell a plain number: one C loop
    else:
        read = [_share(cell) if cell else None for cell in listed]
        numeric = np.array([float("nan") if value is None else float(value) for value in read],
                           dtype=np.float64)
        exact = np.array([cell if value is None else str(value) for cell, value in zip(listed, read,
                                                                                       strict=True)])
    empty = text == ""
    for position in np.flatnonzero(empty):
        problems.add(table, cells.row(position), "share", "missing share")
    for position in np.flatnonzero(~empty & ~np.isfinite(numeric)):
        try:
            read_number(str(text[position]), "share", percent=Percent.FRACTION)
            message = f"share must be a finite number; got {str(text[position])!r}"
        except CellError as error:
            message = str(error)
        problems.add(table, cells.row(position), "share",
                     f"{message} (a share between 0 and 1, or a percentage such as 12.5%)")
    for position in np.flatnonzero(np.isfinite(numeric) & ((numeric < 0) | (numeric > 1))):
        problems.add(table, cells.row(position), "share", f"share {text[position]} is not between 0 and 1")
    return numeric, exact


def _share_sums(table: Table, cells: _Cells, shares: np.ndarray, ccg_codes: np.ndarray, index: np.ndarray,
                problems: _Problems) -> None:
    """Each CCG's shares must add up to 1 (± SHARE_TOLERANCE); CCGs with an unreadable share are
    already reported and skipped. ``ccg_codes``, ``index``: the sorted CCG codes and each row's."""
    finite = np.isfinite(shares)
    sums = np.bincount(index, weights=np.where(finite, shares, 0.0), minlength=len(ccg_codes))
    unreadable = np.bincount(index, weights=~finite, minlength=len(ccg_codes)) > 0
    wrong = (np.abs(sums - 1) > SHARE_TOLERANCE) & ~unreadable & (ccg_codes != "")
    for ccg in np.flatnonzero(wrong):
        positions = np.flatnonzero(index == ccg)
        rows = [cells.row(position) for position in positions]
        listed = ", ".join(str(row + 2) for row in rows[:10]) + (", …" if len(rows) > 10 else "")
        where = f"rows {listed}" if table.style == "csv" else f"{len(rows)} rows"
        problems.add(table, rows[0], "share",
                     f"the shares of CCG {ccg_codes[ccg]} ({where}) add up to {sums[ccg]:.12g}, not 1")


def _keyed(table: Table, cells: _Cells, key: str, values: list[str], allowed: np.ndarray | None, what: str,
           problems: _Problems) -> tuple[dict[str, dict[str, Decimal]], dict[str, int]]:
    """A table of amounts keyed by one code column: column → code → amount, and code → row."""
    codes = _codes(table, cells, key, allowed, what, problems)
    _duplicates(table, cells, [key], problems)
    amounts = _amounts(table, cells, values, problems)
    by_code = {column: {str(codes[position]): amount for position, amount in by_position.items()}
               for column, by_position in amounts.items()}
    rows: dict[str, int] = {}
    for position, code in enumerate(codes.tolist()):
        rows.setdefault(code, cells.row(position))
    return by_code, rows


# --- the CLI's FILE… arguments: which input is each file? -------------------------------------------


def input_role(table: Table, rule_set: RuleSet) -> str:
    """Tell an input file's role from its header, so ``load-allocations`` takes files in any order.

    ``share`` → ``ccg_to_hwb``; a per-board total (``ccg_contribution``, ``minimum_fund``,
    ``p4p_amount``) → ``published``; a CCG-held component → ``ccg_amounts``; a council grant alone →
    ``council_grants``.

    :raise InvalidInput: the header matches none of them.
    """
    header = set(table.frame.columns)
    ccg = {component.id for component in rule_set.fund_components if component.held_by == "ccg"}
    council = {component.id for component in rule_set.fund_components if component.held_by == "council"}
    if "share" in header:
        return "ccg_to_hwb"
    if header & {CCG_CONTRIBUTION, MINIMUM_FUND, P4P_PUBLISHED_COLUMN}:
        return "published"
    if header & ccg:
        return "ccg_amounts"
    if header & council:
        return "council_grants"
    raise InvalidInput(f"{table.name}: cannot tell which input this is from its columns.", problems=[{
        "location": table.location(None),
        "message": "expected the columns of ccg_amounts (ccg_code, CCG components), ccg_to_hwb "
                   "(ccg_code, hwb_code, share), council_grants (council_code, dfg, "
                   "social_care_capital_grant) or a published table (hwb_code, ccg_contribution, dfg, "
                   "social_care_capital_grant, minimum_fund, p4p_amount)"}])


def inputs_from_tables(tables: list[Table], rule_set: RuleSet) -> AllocationInputs:
    """Assign each table its role; two tables with one role is an error naming both."""
    by_role: dict[str, Table] = {}
    problems = []
    for table in tables:
        role = input_role(table, rule_set)
        if role in by_role:
            problems.append({"location": table.location(None),
                             "message": f"{by_role[role].name} is already the {role} input"})
        by_role[role] = table
    if problems:
        raise InvalidInput("Two files have the same role.", problems=problems)
    return AllocationInputs(**by_role)

