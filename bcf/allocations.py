"""Pooled-fund allocations (rules-2015-16.md §1): each board's components, minimum fund and pool.

The fund has six components; four are held by CCGs and two are grants paid to councils. A CCG that
spans several board areas contributes to each in proportion to its population there (the guidance's
example: two equal CCGs in one council area, £10m → £5m through each), so per-CCG amounts are split by
a CCG→board table; per-board amounts can be given directly instead; a board's published figures (its
allocation letter) override anything derived. The performance pool is
``p4p_national_total × minimum_fund ÷ Σ minimum_fund`` (``p4p_basis: minimum_fund``) unless published.

Every figure carries its ``source`` (``published``, ``derived`` or ``user_supplied``) and a one-line
explanation. National totals are compared with the rule set's and differences reported as warnings,
never rescaled away. Inputs arrive as :class:`Table` (CSV text or JSON records, cells as text) so that
every problem names its file, row (as Excel shows it, header = row 1) and column, all at once.

The CCG→board split is vectorised (pandas/numpy, whole pennies, :func:`bcf.money.apportion_pennies`)
because the full table is 211 CCGs × 152 boards; everything per board ends in Decimal.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import numpy as np
import pandas as pd

from bcf.boards import Board
from bcf.errors import BcfError, InvalidInput, ReferenceDataError
from bcf.money import (
    ZERO,
    apportion,
    apportion_pennies,
    format_pounds,
    money_to_pennies,
    pennies_to_money,
    round_money,
)
from bcf.rules import FundComponent, RuleSet
from bcf.tranches import tranche_available

PUBLISHED, DERIVED, USER_SUPPLIED = "published", "derived", "user_supplied"
SOURCES = (PUBLISHED, DERIVED, USER_SUPPLIED)
ILLUSTRATIVE = "illustrative"  # a board whose minimum fund or pool is not (wholly) published (api.md)
SHARE_TOLERANCE = 1e-9  # a CCG's shares must add up to 1 within this (issue 5)
CCG_CONTRIBUTION, MINIMUM_FUND, P4P_POOL = "ccg_contribution", "minimum_fund", "p4p_pool"
P4P_PUBLISHED_COLUMN = "p4p_amount"  # the column name of a published per-board table (issue 5)
INPUT_NAMES = ("ccg_amounts", "ccg_to_hwb", "council_grants", "published")
_MONEY_TEXT = re.compile(r"-?(\d+(\.\d{0,2})?|\.\d{1,2})")
_EXPLAINED_CONTRIBUTIONS = 3  # a derived figure's explanation lists this many CCG parts, then "and N more"


class AllocationNotFound(BcfError):
    """No allocation table is loaded, or it has no row for the board asked about."""

    slug = "not-found"


# --- inputs ------------------------------------------------------------------------------------------


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
        """Read a CSV (UTF-8, optional BOM). Blank lines are kept so row numbers match Excel's.

        :raise InvalidInput: the text is not a CSV with a header row.
        """
        try:
            if isinstance(source, bytes):
                source = source.decode("utf-8-sig")
            if isinstance(source, str):
                source = io.StringIO(source.removeprefix("\ufeff"))
            # object, not pandas' string dtype: cell-by-cell string work is several times faster here
            frame = pd.read_csv(source, dtype=object, keep_default_na=False, skip_blank_lines=False,
                                encoding="utf-8-sig")
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
            raise InvalidInput(f"{name} is not a readable CSV file.", problems=[
                {"location": name, "message": f"not a readable UTF-8 CSV file with a header row ({error})"}
            ]) from None
        frame.columns = [str(c).strip() for c in frame.columns]
        return cls(name, frame.reset_index(drop=True), "csv")

    @classmethod
    def from_records(cls, name: str, records: Sequence[Mapping[str, Any]]) -> Table:
        """JSON rows: a member missing from a row is an empty cell; numbers become their text."""
        columns: dict[str, None] = {}
        for record in records:
            columns.update(dict.fromkeys(record))
        rows = [[_cell_text(record.get(c)) for c in columns] for record in records]
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


# --- outputs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One amount with where it came from. ``amount`` is ``None`` when the inputs do not give it."""

    amount: Decimal | None
    source: str | None
    explanation: str


@dataclass(frozen=True)
class TrancheFigure:
    tranche: str
    share: Decimal | None
    amount: Decimal | None
    source: str | None
    explanation: str


@dataclass(frozen=True)
class BoardAllocation:
    """A board's minimum fund by component and its performance pool, with sources and explanations."""

    hwb_code: str
    hwb_name: str
    source: str  # published (minimum fund and pool both published) or illustrative
    components: Mapping[str, Figure]  # by component id, in rule-set order
    ccg_contribution: Figure
    minimum_fund: Figure
    p4p_pool: Figure
    tranches: tuple[TrancheFigure, ...]

    def figures(self) -> dict[str, Figure]:
        """Every money figure by its column name, in table order."""
        return {**self.components, CCG_CONTRIBUTION: self.ccg_contribution, MINIMUM_FUND: self.minimum_fund,
                P4P_POOL: self.p4p_pool}


@dataclass(frozen=True)
class AllocationWarning:
    code: str  # national-total-mismatch, pool-total-mismatch, partial-coverage, published-differs, no-pool
    message: str
    hwb_code: str | None = None
    figure: str | None = None
    difference: Decimal | None = None


@dataclass(frozen=True)
class Allocations:
    rule_set: str
    boards: tuple[BoardAllocation, ...]
    totals: Mapping[str, Decimal]  # per figure, over the boards that have it
    warnings: tuple[AllocationWarning, ...] = field(default_factory=tuple)

    def board(self, code: str) -> BoardAllocation | None:
        return next((b for b in self.boards if b.hwb_code == code), None)


# --- reading and checking the input tables ----------------------------------------------------------


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
    present = [c for c in table.frame.columns if c and not _is_name_column(c)]
    used_keys: list[str] = []
    usable = True
    for options in keys:
        found = [c for c in options if c in present]
        if len(found) != 1:
            wanted = " or ".join(options)
            message = f"give only one of the columns {wanted}" if found else f"needs a column {wanted}"
            problems.add(table, None, None if found else options[0], message)
            usable = False
        else:
            used_keys.append(found[0])
    allowed = {c for group in keys for c in group} | set(values)
    for column in present:
        if column not in allowed:
            expected = ", ".join(sorted(allowed))
            problems.add(table, None, column, f"unknown column {column}; expected {expected}")
    if "" in table.frame.columns:
        problems.add(table, None, None, "a column has no name in the header")
    value_columns = [c for c in values if c in present]
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
    columns = {c: np.strings.strip(source[c].fillna("").to_numpy().astype(str)) for c in source.columns}
    filled = np.zeros(len(source), dtype=bool)
    for values in columns.values():
        filled |= values != ""
    keep = np.flatnonzero(filled)
    return _Cells(keep, {c: values[keep] for c, values in columns.items()})


def _codes(table: Table, cells: _Cells, column: str, allowed: np.ndarray | None, what: str,
           problems: _Problems, uniques: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Missing codes, and codes not among ``allowed``. ``uniques``: the column's sorted distinct codes
    and each row's index into them, when already at hand (checking 152 codes beats 32,000)."""
    codes = cells[column]
    empty = codes == ""
    for i in np.flatnonzero(empty):
        problems.add(table, cells.row(i), column, f"missing {what} code")
    if allowed is not None:
        if uniques is None:
            unknown = ~empty & ~np.isin(codes, allowed)
        else:
            distinct, index = uniques
            unknown = ((distinct != "") & ~np.isin(distinct, allowed))[index]
        for i in np.flatnonzero(unknown):
            problems.add(table, cells.row(i), column,
                         f"{codes[i]} is not one of the 152 Health and Wellbeing Board codes")
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
    for j in np.flatnonzero(first_of_each != np.arange(len(combined))):
        i, earlier = positions[j], positions[first_of_each[j]]
        what = ", ".join(f"{k} {cells[k][i]}" for k in keys)
        problems.add(table, cells.row(i), keys[-1],
                     f"duplicate row: {what} already given in {table.excel_row(cells.row(earlier))}")


def _amounts(table: Table, cells: _Cells, columns: Sequence[str],
             problems: _Problems) -> dict[str, dict[int, Decimal]]:
    """Money cells → Decimal by position; an empty cell is "not given". Pounds to the penny, not
    negative. (Amount tables have a row per CCG or board, a few hundred cells: plain Python.)"""
    result: dict[str, dict[int, Decimal]] = {}
    for column in columns:
        amounts: dict[int, Decimal] = {}
        for i, text in enumerate(cells[column].tolist()):
            if not text:
                continue
            try:
                value = Decimal(text)
            except InvalidOperation:
                value = None
            row = cells.row(i)
            if value is None or not value.is_finite():
                problems.add(table, row, column, f"{text!r} is not a number (pounds, e.g. 1234567.89)")
            elif value < 0:
                problems.add(table, row, column, f"negative amount {text}: amounts must not be negative")
            elif not _MONEY_TEXT.fullmatch(text):
                problems.add(table, row, column, f"{text} is not an amount in pounds to the penny "
                                                 "(digits with at most two decimal places)")
            else:  # exact: at most two decimals; normalised to two so every amount prints as pounds
                amounts[i] = pennies_to_money(money_to_pennies(value))
        result[column] = amounts
    return result


def _float_or_nan(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _shares(table: Table, cells: _Cells, problems: _Problems) -> np.ndarray:
    text = cells["share"]
    try:
        numeric = text.astype(np.float64)  # every cell a number: one C loop
    except ValueError:
        numeric = np.array([_float_or_nan(t) for t in text.tolist()], dtype=np.float64)
    empty = text == ""
    for i in np.flatnonzero(empty):
        problems.add(table, cells.row(i), "share", "missing share")
    for i in np.flatnonzero(~empty & ~np.isfinite(numeric)):
        problems.add(table, cells.row(i), "share", f"{text[i]!r} is not a number (a share between 0 and 1)")
    for i in np.flatnonzero(np.isfinite(numeric) & ((numeric < 0) | (numeric > 1))):
        problems.add(table, cells.row(i), "share", f"share {text[i]} is not between 0 and 1")
    return numeric


def _share_sums(table: Table, cells: _Cells, shares: np.ndarray, ccg_codes: np.ndarray, index: np.ndarray,
                problems: _Problems) -> None:
    """Each CCG's shares must add up to 1 (± SHARE_TOLERANCE); CCGs with an unreadable share are
    already reported and skipped. ``ccg_codes``, ``index``: the sorted CCG codes and each row's."""
    finite = np.isfinite(shares)
    sums = np.bincount(index, weights=np.where(finite, shares, 0.0), minlength=len(ccg_codes))
    unreadable = np.bincount(index, weights=~finite, minlength=len(ccg_codes)) > 0
    wrong = (np.abs(sums - 1) > SHARE_TOLERANCE) & ~unreadable & (ccg_codes != "")
    for k in np.flatnonzero(wrong):
        positions = np.flatnonzero(index == k)
        rows = [cells.row(i) for i in positions]
        listed = ", ".join(str(r + 2) for r in rows[:10]) + (", …" if len(rows) > 10 else "")
        where = f"rows {listed}" if table.style == "csv" else f"{len(rows)} rows"
        problems.add(table, rows[0], "share",
                     f"the shares of CCG {ccg_codes[k]} ({where}) add up to {sums[k]:.12g}, not 1")


@dataclass
class _Checked:
    """The inputs after checking: everything the calculation needs, by board or CCG code."""

    ccg_key: str | None = None
    ccg_amounts: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # component → key → amount
    ccg_rows: dict[str, int] = field(default_factory=dict)  # key → row
    # ccg_code, hwb_code, share (float), share_text by row; ccg_codes/board_codes sorted, and the
    # ccg_index/board_index of each row into them
    split: dict[str, np.ndarray] | None = None
    grants: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # component → board → amount
    grant_rows: dict[str, int] = field(default_factory=dict)
    published: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # figure → board → amount
    published_rows: dict[str, int] = field(default_factory=dict)


def _keyed(table: Table, cells: _Cells, key: str, values: list[str], allowed: np.ndarray | None, what: str,
           problems: _Problems) -> tuple[dict[str, dict[str, Decimal]], dict[str, int]]:
    """A table of amounts keyed by one code column: component → code → amount, and code → row."""
    codes = _codes(table, cells, key, allowed, what, problems)
    _duplicates(table, cells, [key], problems)
    amounts = _amounts(table, cells, values, problems)
    by_code = {c: {str(codes[i]): a for i, a in by_position.items()} for c, by_position in amounts.items()}
    rows: dict[str, int] = {}
    for i, code in enumerate(codes.tolist()):
        rows.setdefault(code, cells.row(i))
    return by_code, rows


def _check(inputs: AllocationInputs, ccg_ids: list[str], council_ids: list[str],
           component_ids: list[str], board_codes: set[str]) -> _Checked:
    problems = _Problems()
    checked = _Checked()
    if not any(getattr(inputs, n) is not None for n in INPUT_NAMES):
        raise InvalidInput("No allocation inputs were given.", problems=[{
            "location": "$", "message": f"give at least one of {', '.join(INPUT_NAMES)}"}])
    allowed = np.array(sorted(board_codes))

    if (table := inputs.ccg_to_hwb) is not None:
        header = _columns(table, [["ccg_code"], ["hwb_code"], ["share"]], [], problems, need_value=False)
        if header:
            cells = _content_rows(table)
            # codes → sorted integer ids once, for the code, duplicate and share checks and the split
            ccg_codes, ccg_index = np.unique(cells["ccg_code"], return_inverse=True)
            board_codes_, board_index = np.unique(cells["hwb_code"], return_inverse=True)
            ccg_index, board_index = ccg_index.ravel(), board_index.ravel()
            _codes(table, cells, "ccg_code", None, "CCG", problems)
            _codes(table, cells, "hwb_code", allowed, "board", problems, uniques=(board_codes_, board_index))
            shares = _shares(table, cells, problems)
            _duplicates(table, cells, ["ccg_code", "hwb_code"], problems,
                        key_ids=ccg_index.astype(np.int64) * len(board_codes_) + board_index)
            _share_sums(table, cells, shares, ccg_codes, ccg_index, problems)
            checked.split = {"ccg_code": cells["ccg_code"], "ccg_codes": ccg_codes, "ccg_index": ccg_index,
                             "board_codes": board_codes_, "board_index": board_index, "share": shares,
                             "share_text": cells["share"]}

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
                    for i in np.flatnonzero((codes != "") & ~np.isin(codes, checked.split["ccg_code"])):
                        problems.add(table, cells.row(i), key, f"CCG {codes[i]} has no rows in "
                                     f"{inputs.ccg_to_hwb.name}, so its money would go to no board")

    if (table := inputs.council_grants) is not None:
        header = _columns(table, [["council_code", "hwb_code"]], council_ids, problems)
        if header:
            (key,), values = header
            checked.grants, checked.grant_rows = _keyed(table, _content_rows(table), key, values, allowed,
                                                        "council", problems)

    if (table := inputs.published) is not None:
        figures = [*component_ids, CCG_CONTRIBUTION, MINIMUM_FUND, P4P_PUBLISHED_COLUMN]
        header = _columns(table, [["hwb_code"]], figures, problems)
        if header:
            _, values = header
            published, checked.published_rows = _keyed(table, _content_rows(table), "hwb_code", values,
                                                       allowed, "board", problems)
            checked.published = {P4P_POOL if c == P4P_PUBLISHED_COLUMN else c: by_board
                                 for c, by_board in published.items()}

    if problems:
        raise InvalidInput(f"The allocation inputs have {len(problems)} problem(s); nothing was calculated.",
                           problems=list(problems))
    return checked


# --- the calculation ---------------------------------------------------------------------------------


def _rounding_words(rule_set: RuleSet) -> str:
    quantum, mode = rule_set.rounding.quantum, str(rule_set.rounding.mode)
    how = {"ROUND_HALF_UP": "half up", "ROUND_HALF_EVEN": "half to even"}.get(mode, mode)
    unit = "the penny" if quantum == Decimal("0.01") else f"£{quantum}"
    return f"rounded {how} to {unit}"


def _split_ccg_amounts(checked: _Checked, ccg_ids: list[str], inputs: AllocationInputs
                       ) -> tuple[dict[str, dict[str, Decimal]], dict[str, dict[str, str]]]:
    """Each CCG's amount over its boards by share, whole pennies, its last board by code taking the
    remainder. :return: component → board → amount, and component → board → explanation."""
    amounts: dict[str, dict[str, Decimal]] = {}
    explanations: dict[str, dict[str, str]] = {}
    split = checked.split
    table_name = inputs.ccg_to_hwb.name if inputs.ccg_to_hwb else "ccg_to_hwb"
    # codes → sorted integer indexes once; rows ordered by CCG, then board (the remainder goes last)
    ccg_codes, board_codes = split["ccg_codes"], split["board_codes"]
    order = np.lexsort((split["board_index"], split["ccg_index"]))
    ccg_index, board_index = split["ccg_index"][order], split["board_index"][order]
    shares, share_texts = split["share"][order], split["share_text"][order]
    for component in ccg_ids:
        given = checked.ccg_amounts.get(component, {})
        by_ccg = np.array([money_to_pennies(given[c]) if c in given else -1 for c in ccg_codes],
                          dtype=np.int64)
        pennies = by_ccg[ccg_index]
        rows = np.flatnonzero(pennies >= 0)  # the rows of CCGs that gave this component
        if not len(rows):
            continue
        row_ccg, row_board, row_pennies = ccg_index[rows], board_index[rows], pennies[rows]
        starts = np.flatnonzero(np.r_[True, row_ccg[1:] != row_ccg[:-1]])
        parts = apportion_pennies(row_pennies, shares[rows], share_texts[rows], starts)
        totals = np.zeros(len(board_codes), dtype=np.int64)
        np.add.at(totals, row_board, parts)
        by_board = np.argsort(row_board, kind="stable")  # within a board, CCGs stay in code order
        bounds = np.searchsorted(row_board[by_board], np.arange(len(board_codes) + 1))
        amounts[component], explanations[component] = {}, {}
        for b, board in enumerate(board_codes.tolist()):  # plain str codes, not numpy scalars
            mine = by_board[bounds[b]:bounds[b + 1]]
            if not len(mine):
                continue
            amounts[component][board] = pennies_to_money(totals[b])
            shown = "; ".join(
                f"{ccg_codes[row_ccg[i]]} {format_pounds(pennies_to_money(row_pennies[i]))} × "
                f"{share_texts[rows[i]]} = {format_pounds(pennies_to_money(parts[i]))}"
                for i in mine[:_EXPLAINED_CONTRIBUTIONS])
            more = len(mine) - _EXPLAINED_CONTRIBUTIONS
            explanations[component][board] = (
                f"Σ over {len(mine)} CCG(s) of the CCG's {component} × its share in this board "
                f"({table_name}): {shown}{f'; and {more} more' if more > 0 else ''} "
                "(each part rounded half up to the penny; a CCG's last board by code takes its remainder)")
    return amounts, explanations


def _sum_figure(parts: Mapping[str, Figure], what: str) -> Figure:
    known = {k: f.amount for k, f in parts.items() if f.amount is not None}
    if not known:
        return Figure(None, None, f"{what}: none of its parts ({', '.join(parts)}) is in the inputs")
    total = sum(known.values(), ZERO)
    missing = [k for k in parts if k not in known]
    terms = " + ".join(f"{k} {format_pounds(a)}" for k, a in known.items())
    gap = f"; not in the inputs, so not counted: {', '.join(missing)}" if missing else ""
    return Figure(total, DERIVED, f"{what} = {terms} = {format_pounds(total)}{gap}")


def calculate_allocations(inputs: AllocationInputs, rule_set: RuleSet,
                          boards: Mapping[str, Board]) -> Allocations:
    """Every board's components, minimum fund, pool and tranche amounts from the inputs (issue 5).

    :param rule_set: gives ``fund_components`` (id, name, national_amount, held_by),
        ``p4p_national_total``, ``p4p_basis``, ``tranches`` (id, share) and ``rounding``.
    :param boards: the 152 boards (:func:`bcf.boards.load_boards`).
    :raise InvalidInput: every problem in the inputs at once, each naming file, row and column.
    """
    if rule_set.p4p_basis != MINIMUM_FUND:
        raise ReferenceDataError(f"rule set {rule_set.id}: p4p_basis {rule_set.p4p_basis!r} is not supported "
                                 f"(only {MINIMUM_FUND})")
    components = list(rule_set.fund_components)
    ccg_ids = [c.id for c in components if c.held_by == "ccg"]
    council_ids = [c.id for c in components if c.held_by == "council"]
    component_ids = [c.id for c in components]
    checked = _check(inputs, ccg_ids, council_ids, component_ids, set(boards))
    quantum, mode = rule_set.rounding.quantum, str(rule_set.rounding.mode)
    rounding = _rounding_words(rule_set)

    derived, derived_why = ({}, {})
    if checked.ccg_key == "ccg_code" and checked.split is not None:
        derived, derived_why = _split_ccg_amounts(checked, ccg_ids, inputs)

    def published(figure: str, board: str) -> Figure | None:
        amount = checked.published.get(figure, {}).get(board)
        if amount is None:
            return None
        row = checked.published_rows[board]
        column = P4P_PUBLISHED_COLUMN if figure == P4P_POOL else figure
        return Figure(amount, PUBLISHED, f"published: {inputs.published.location(row, column)}")

    codes = set(checked.published_rows) | set(checked.grant_rows)
    codes |= {b for by_board in derived.values() for b in by_board}
    if checked.ccg_key == "hwb_code":
        codes |= set(checked.ccg_rows)
    codes_sorted = sorted(codes)
    if not codes_sorted:
        raise InvalidInput("The inputs give no board any figure.", problems=[{
            "location": next(getattr(inputs, n).name for n in INPUT_NAMES if getattr(inputs, n) is not None),
            "message": "no rows: the inputs give no board any amount"}])

    warnings: list[AllocationWarning] = []
    partial: dict[str, dict[str, Any]] = {}
    for code in codes_sorted:
        figures: dict[str, Figure] = {}
        for component in component_ids:
            figure = published(component, code)
            if figure is None and component in ccg_ids and checked.ccg_key == "hwb_code":
                amount = checked.ccg_amounts.get(component, {}).get(code)
                if amount is not None:
                    where = inputs.ccg_amounts.location(checked.ccg_rows[code], component)
                    figure = Figure(amount, USER_SUPPLIED, f"given per board: {where}")
            if figure is None and component in derived and code in derived[component]:
                figure = Figure(derived[component][code], DERIVED, derived_why[component][code])
            if figure is None and component in council_ids:
                amount = checked.grants.get(component, {}).get(code)
                if amount is not None:
                    where = inputs.council_grants.location(checked.grant_rows[code], component)
                    figure = Figure(amount, USER_SUPPLIED, f"grant to the board's council: {where}")
            figures[component] = figure or Figure(None, None, f"{component}: not in the inputs")
        ccg_parts = {c: figures[c] for c in ccg_ids}
        ccg_contribution = published(CCG_CONTRIBUTION, code) or _sum_figure(ccg_parts, CCG_CONTRIBUTION)
        fund_parts = {CCG_CONTRIBUTION: ccg_contribution, **{c: figures[c] for c in council_ids}}
        minimum_fund = published(MINIMUM_FUND, code) or _sum_figure(fund_parts, MINIMUM_FUND)
        for figure_id, figure, parts in ((CCG_CONTRIBUTION, ccg_contribution, ccg_parts),
                                         (MINIMUM_FUND, minimum_fund, fund_parts)):
            if figure.source == PUBLISHED:
                implied = _sum_figure(parts, figure_id)
                if implied.amount is not None and implied.amount != figure.amount:
                    difference = figure.amount - implied.amount
                    warnings.append(AllocationWarning(
                        "published-differs",
                        f"{code}: published {figure_id} {format_pounds(figure.amount)} differs from the sum "
                        f"of its parts {format_pounds(implied.amount)} by {format_pounds(difference)}; the "
                        "published figure is used", code, figure_id, difference))
        partial[code] = {"components": figures, CCG_CONTRIBUTION: ccg_contribution,
                         MINIMUM_FUND: minimum_fund, P4P_POOL: published(P4P_POOL, code)}

    # The pool: p4p_national_total × minimum_fund ÷ Σ minimum_fund, last derived board by code takes the
    # rounding remainder; published pools replace the formula's figure (and any gap is reported).
    total = rule_set.p4p_national_total
    funded = [c for c in codes_sorted if partial[c][MINIMUM_FUND].amount is not None]
    to_derive = [c for c in funded if partial[c][P4P_POOL] is None]
    if to_derive:
        weights = [partial[c][MINIMUM_FUND].amount for c in funded]
        whole = sum(weights, ZERO)
        if whole > 0:
            last = funded.index(to_derive[-1])
            pools = apportion(total, weights, quantum, mode, remainder_to=last)
            for i, code in enumerate(funded):
                if partial[code][P4P_POOL] is not None:
                    continue
                formula = round_money(total * weights[i] / whole, quantum, mode)
                why = (f"{format_pounds(total)} × minimum fund {format_pounds(weights[i])} ÷ Σ minimum fund "
                       f"{format_pounds(whole)} over {len(funded)} board(s), {rounding}")
                if i == last:
                    why += (f"; as the last board by code it takes the rounding remainder "
                            f"({format_pounds(pools[i] - formula)}) so the pools add up to "
                            f"{format_pounds(total)}")
                partial[code][P4P_POOL] = Figure(pools[i], DERIVED, why)
    for code in codes_sorted:
        if partial[code][P4P_POOL] is None:
            partial[code][P4P_POOL] = Figure(None, None,
                                             "no pool: neither a published pool nor a minimum fund")
            warnings.append(AllocationWarning(
                "no-pool", f"{code}: no performance pool (no published p4p_amount and no minimum fund)",
                code, P4P_POOL))

    result: list[BoardAllocation] = []
    for code in codes_sorted:
        pool = partial[code][P4P_POOL]
        tranches = []
        for tranche in rule_set.tranches:
            if pool.amount is None:
                tranches.append(TrancheFigure(tranche.id, tranche.share, None, None, "no pool"))
                continue
            amount = tranche_available(pool.amount, tranche, rule_set)  # the determination's own rule
            why = f"pool {format_pounds(pool.amount)} × {tranche.share}, {rounding} (§8)"
            tranches.append(TrancheFigure(tranche.id, tranche.share, amount, DERIVED, why))
        both_published = partial[code][MINIMUM_FUND].source == PUBLISHED and pool.source == PUBLISHED
        result.append(BoardAllocation(
            code, boards[code].name, PUBLISHED if both_published else ILLUSTRATIVE,
            partial[code]["components"], partial[code][CCG_CONTRIBUTION], partial[code][MINIMUM_FUND], pool,
            tuple(tranches)))

    totals = totals_of(result, rule_set)
    warnings[:0] = _national_warnings(totals, components, total, len(result), len(boards))
    return Allocations(rule_set.id, tuple(result), totals, tuple(warnings))


def totals_of(boards: Iterable[BoardAllocation], rule_set: RuleSet) -> dict[str, Decimal]:
    """Each figure added up over the boards that have it."""
    totals: dict[str, Decimal] = {}
    boards = list(boards)
    for name in [*(c.id for c in rule_set.fund_components), CCG_CONTRIBUTION, MINIMUM_FUND, P4P_POOL]:
        amounts = [b.figures()[name].amount for b in boards]
        if any(a is not None for a in amounts):
            totals[name] = sum((a for a in amounts if a is not None), ZERO)
    for tranche in rule_set.tranches:
        amounts = [t.amount for b in boards for t in b.tranches if t.tranche == tranche.id]
        if any(a is not None for a in amounts):
            totals[tranche.id] = sum((a for a in amounts if a is not None), ZERO)
    return totals


def _national_warnings(totals: Mapping[str, Decimal], components: list[FundComponent], p4p_total: Decimal,
                       covered: int, all_boards: int) -> list[AllocationWarning]:
    """Differences from the rule set's national figures: reported with the amount, never rescaled."""
    warnings = []
    if covered < all_boards:
        warnings.append(AllocationWarning(
            "partial-coverage", f"the inputs cover {covered} of the {all_boards} boards: national totals "
            f"cannot match, and derived pools share {format_pounds(p4p_total)} among these {covered} "
            "board(s) only"))
    for component in components:
        national = component.national_amount
        boards_total = totals.get(component.id)
        if boards_total is None:
            continue
        if boards_total != national:
            difference = boards_total - national
            warnings.append(AllocationWarning(
                "national-total-mismatch",
                f"{component.id} ({component.name}): the boards add up to {format_pounds(boards_total)}, "
                f"the rule set's national amount is {format_pounds(national)}: a difference of "
                f"{format_pounds(difference)} (figures are not rescaled)", None, component.id, difference))
    pools = totals.get(P4P_POOL)
    if pools is not None and pools != p4p_total:
        difference = pools - p4p_total
        warnings.append(AllocationWarning(
            "pool-total-mismatch",
            f"the pools add up to {format_pounds(pools)}, not p4p_national_total {format_pounds(p4p_total)}: "
            f"a difference of {format_pounds(difference)} (published pools replace the formula's; "
            "not rescaled)",
            None, P4P_POOL, difference))
    return warnings
