"""Pooled-fund allocations (rules-2015-16.md §1, §8): each board's components, minimum fund and pool.

This module is the money only: from inputs that :mod:`bcf.allocation_files` has read and checked, it
splits, adds up, rounds and pools, and says for every figure where it came from. Reading and checking
the files lives there, so that this arithmetic sees only good values and every input problem is
reported at once before anything is calculated.

The fund has six components; four are held by CCGs and two are grants paid to councils. A CCG that
spans several board areas contributes to each in proportion to its population there (the guidance's
example: two equal CCGs in one council area, £10m → £5m through each), so per-CCG amounts are split by
a CCG→board table; per-board amounts can be given directly instead; a board's published figures (its
allocation letter) override anything derived. The performance pool is
``p4p_national_total × minimum_fund ÷ Σ minimum_fund`` (``p4p_basis: minimum_fund``) unless published.

Every figure carries its ``source`` (``published``, ``derived`` or ``user_supplied``) and a one-line
explanation. National totals are compared with the rule set's and differences reported as warnings,
never rescaled away.

The CCG→board split is vectorised (pandas/numpy, whole pennies, :func:`bcf.money.apportion_pennies`)
because the full table is 211 CCGs × 152 boards; everything per board ends in Decimal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from bcf.allocation_files import (
    CCG_CONTRIBUTION,
    INPUT_NAMES,
    MINIMUM_FUND,
    P4P_PUBLISHED_COLUMN,
    AllocationInputs,
    CheckedInputs,
    check_inputs,
)
from bcf.boards import Board
from bcf.errors import InvalidInput, ReferenceDataError
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
# the board figures besides the components; ccg_contribution and minimum_fund are also the names of
# the published table's columns that give them (bcf.allocation_files), p4p_pool is its p4p_amount
P4P_POOL = "p4p_pool"
_EXPLAINED_CONTRIBUTIONS = 3  # a derived figure's explanation lists this many CCG parts, then "and N more"


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
    # national-total-mismatch, pool-total-mismatch, partial-coverage, published-differs, no-pool;
    # warnings-not-stored (a stored table whose loader's warnings are not beside it: bcf.allocation_table)
    code: str
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
        return next((board for board in self.boards if board.hwb_code == code), None)


# --- the calculation ---------------------------------------------------------------------------------


def _rounding_words(rule_set: RuleSet) -> str:
    quantum, mode = rule_set.rounding.quantum, str(rule_set.rounding.mode)
    how = {"ROUND_HALF_UP": "half up", "ROUND_HALF_EVEN": "half to even"}.get(mode, mode)
    unit = "the penny" if quantum == Decimal("0.01") else f"£{quantum}"
    return f"rounded {how} to {unit}"


def _split_ccg_amounts(checked: CheckedInputs, ccg_ids: list[str], inputs: AllocationInputs
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
        by_ccg = np.array([money_to_pennies(given[ccg]) if ccg in given else -1 for ccg in ccg_codes],
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
        for board_number, board in enumerate(board_codes.tolist()):  # plain str codes, not numpy scalars
            mine = by_board[bounds[board_number]:bounds[board_number + 1]]
            if not len(mine):
                continue
            amounts[component][board] = pennies_to_money(totals[board_number])
            shown = "; ".join(
                f"{ccg_codes[row_ccg[part]]} {format_pounds(pennies_to_money(row_pennies[part]))} × "
                f"{share_texts[rows[part]]} = {format_pounds(pennies_to_money(parts[part]))}"
                for part in mine[:_EXPLAINED_CONTRIBUTIONS])
            more = len(mine) - _EXPLAINED_CONTRIBUTIONS
            explanations[component][board] = (
                f"Σ over {len(mine)} CCG(s) of the CCG's {component} × its share in this board "
                f"({table_name}): {shown}{f'; and {more} more' if more > 0 else ''} "
                "(each part rounded half up to the penny; a CCG's last board by code takes its remainder)")
    return amounts, explanations


def _sum_figure(parts: Mapping[str, Figure], what: str) -> Figure:
    known = {name: figure.amount for name, figure in parts.items() if figure.amount is not None}
    if not known:
        return Figure(None, None, f"{what}: none of its parts ({', '.join(parts)}) is in the inputs")
    total = sum(known.values(), ZERO)
    missing = [name for name in parts if name not in known]
    terms = " + ".join(f"{name} {format_pounds(amount)}" for name, amount in known.items())
    gap = f"; not in the inputs, so not counted: {', '.join(missing)}" if missing else ""
    return Figure(total, DERIVED, f"{what} = {terms} = {format_pounds(total)}{gap}")


def calculate_allocations(inputs: AllocationInputs, rule_set: RuleSet, boards: Mapping[str, Board], *,
                          national_minimum_fund: Decimal | None = None) -> Allocations:
    """Every board's components, minimum fund, pool and tranche amounts from the inputs (issue 5).

    :param rule_set: gives ``fund_components`` (id, name, national_amount, held_by),
        ``p4p_national_total``, ``p4p_basis``, ``tranches`` (id, share) and ``rounding``.
    :param boards: the 152 boards (:func:`bcf.boards.load_boards`).
    :param national_minimum_fund: Σ minimum fund over the whole country (pounds), for inputs that give
        only some boards (issue 15): derived pools are then ``p4p_national_total × minimum_fund ÷`` this,
        each rounded on its own (no board takes a remainder, as the pools cannot add up to the national
        total). Without it the sum is over the boards in the inputs, which is the whole country's only
        when they cover all the boards (:func:`check_derived_pools_cover`).
    :raise InvalidInput: every problem in the inputs at once, each naming file, row and column.
    """
    if rule_set.p4p_basis != MINIMUM_FUND:
        raise ReferenceDataError(f"rule set {rule_set.id}: p4p_basis {rule_set.p4p_basis!r} is not supported "
                                 f"(only {MINIMUM_FUND})")
    components = list(rule_set.fund_components)
    ccg_ids = [component.id for component in components if component.held_by == "ccg"]
    council_ids = [component.id for component in components if component.held_by == "council"]
    component_ids = [component.id for component in components]
    checked = check_inputs(inputs, rule_set, boards)
    quantum, mode = rule_set.rounding.quantum, str(rule_set.rounding.mode)
    rounding = _rounding_words(rule_set)

    derived, derived_why = ({}, {})
    if checked.ccg_key == "ccg_code" and checked.split is not None:
        derived, derived_why = _split_ccg_amounts(checked, ccg_ids, inputs)

    def published(figure: str, board: str) -> Figure | None:
        column = P4P_PUBLISHED_COLUMN if figure == P4P_POOL else figure
        amount = checked.published.get(column, {}).get(board)
        if amount is None:
            return None
        row = checked.published_rows[board]
        return Figure(amount, PUBLISHED, f"published: {inputs.published.location(row, column)}")

    codes = set(checked.published_rows) | set(checked.grant_rows)
    codes |= {board for by_board in derived.values() for board in by_board}
    if checked.ccg_key == "hwb_code":
        codes |= set(checked.ccg_rows)
    codes_sorted = sorted(codes)
    if not codes_sorted:
        raise InvalidInput("The inputs give no board any figure.", problems=[{
            "location": next(getattr(inputs, name).name for name in INPUT_NAMES
                             if getattr(inputs, name) is not None),
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
        ccg_parts = {component: figures[component] for component in ccg_ids}
        ccg_contribution = published(CCG_CONTRIBUTION, code) or _sum_figure(ccg_parts, CCG_CONTRIBUTION)
        fund_parts = {CCG_CONTRIBUTION: ccg_contribution, **{grant: figures[grant] for grant in council_ids}}
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
    funded = [code for code in codes_sorted if partial[code][MINIMUM_FUND].amount is not None]
    to_derive = [code for code in funded if partial[code][P4P_POOL] is None]
    if national_minimum_fund is not None:
        _check_national_minimum_fund(national_minimum_fund, partial, funded, len(boards))
    if to_derive and national_minimum_fund is not None:
        for code in to_derive:
            weight = partial[code][MINIMUM_FUND].amount
            pool = round_money(total * weight / national_minimum_fund, quantum, mode)
            why = (f"{format_pounds(total)} × minimum fund {format_pounds(weight)} ÷ national Σ minimum fund "
                   f"{format_pounds(national_minimum_fund)} (given for all {len(boards)} boards; the inputs "
                   f"cover {len(funded)}), {rounding}")
            partial[code][P4P_POOL] = Figure(pool, DERIVED, why)
    elif to_derive:
        weights = [partial[code][MINIMUM_FUND].amount for code in funded]
        whole = sum(weights, ZERO)
        if whole > 0:
            last = funded.index(to_derive[-1])
            pools = apportion(total, weights, quantum, mode, remainder_to=last)
            for position, code in enumerate(funded):
                if partial[code][P4P_POOL] is not None:
                    continue
                formula = round_money(total * weights[position] / whole, quantum, mode)
                why = (f"{format_pounds(total)} × minimum fund {format_pounds(weights[position])} ÷ "
                       f"Σ minimum fund {format_pounds(whole)} over {len(funded)} board(s), {rounding}")
                if position == last:
                    why += (f"; as the last board by code it takes the rounding remainder "
                            f"({format_pounds(pools[position] - formula)}) so the pools add up to "
                            f"{format_pounds(total)}")
                partial[code][P4P_POOL] = Figure(pools[position], DERIVED, why)
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
            if tranche.pot is not None:  # the revised scheme: a pot is sized from a plan, not the pool
                tranches.append(TrancheFigure(tranche.id, None, None, None, (
                    "a pot: the plan's planned reduction × average_nea_cost, not a share of the pool")))
                continue
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
    warnings[:0] = _national_warnings(totals, components, total, len(result), len(boards),
                                      national_minimum_fund)
    return Allocations(rule_set.id, tuple(result), totals, tuple(warnings))


def _check_national_minimum_fund(national: Decimal, partial: Mapping[str, Mapping[str, Any]],
                                 funded: list[str], all_boards: int) -> None:
    """The national Σ minimum fund must be positive, at least the boards' own, and equal to it when the
    inputs give every board a minimum fund."""
    given = sum((partial[code][MINIMUM_FUND].amount for code in funded), ZERO)
    message = None
    if not national.is_finite() or national <= 0:
        message = f"the national minimum fund must be a positive amount of pounds; got {national}"
    elif national < given:
        message = (f"the national minimum fund {format_pounds(national)} is less than the "
                   f"{len(funded)} board(s)' own minimum funds add up to ({format_pounds(given)})")
    elif len(funded) == all_boards and national != given:
        message = (f"the inputs give all {all_boards} boards a minimum fund, adding up to "
                   f"{format_pounds(given)}, not the national minimum fund given, {format_pounds(national)}")
    if message:
        raise InvalidInput("The national minimum fund does not fit the inputs.",
                           problems=[{"location": "national_minimum_fund", "message": message}])


def check_derived_pools_cover(allocations: Allocations, boards: Mapping[str, Board], *,
                              national_minimum_fund: Decimal | None = None, shown: int = 5) -> None:
    """Refuse derived pools shared among fewer than all the boards (issue 15).

    ``pool = p4p_national_total × minimum_fund ÷ Σ minimum_fund`` needs the whole country's Σ: over a
    part of it, one board loaded alone would get the whole £1bn. A table is fine when it gives every
    board a minimum fund, when its derived pools were computed against ``national_minimum_fund``, or
    when it derives no pool (every pool published).

    :raise InvalidInput: naming how many boards are covered and the first ``shown`` missing.
    """
    derived = [board for board in allocations.boards if board.p4p_pool.source == DERIVED]
    if not derived or national_minimum_fund is not None:
        return
    covered = {board.hwb_code for board in allocations.boards if board.minimum_fund.amount is not None}
    missing = sorted(set(boards) - covered)
    if not missing:
        return
    listed = ", ".join(missing[:shown])
    if len(missing) > shown:
        listed += f" and {len(missing) - shown} more"
    example = derived[0]
    raise InvalidInput(
        f"The inputs cover {len(covered)} of the {len(boards)} boards, so their {len(derived)} derived "
        "pool(s) would share the national payment-for-performance total among these boards only "
        f"({example.hwb_code}'s would be {format_pounds(example.p4p_pool.amount)}); a pool is a share of "
        "the whole country's minimum funds.",
        problems=[{"location": MINIMUM_FUND,
                   "message": f"{len(covered)} of {len(boards)} boards covered; {len(missing)} missing: "
                              f"{listed}"}])


def totals_of(boards: Iterable[BoardAllocation], rule_set: RuleSet) -> dict[str, Decimal]:
    """Each figure added up over the boards that have it."""
    totals: dict[str, Decimal] = {}
    boards = list(boards)
    names = [*(component.id for component in rule_set.fund_components), CCG_CONTRIBUTION, MINIMUM_FUND,
             P4P_POOL]
    for name in names:
        amounts = [board.figures()[name].amount for board in boards]
        if any(amount is not None for amount in amounts):
            totals[name] = sum((amount for amount in amounts if amount is not None), ZERO)
    for tranche in rule_set.tranches:
        amounts = [figure.amount for board in boards for figure in board.tranches
                   if figure.tranche == tranche.id]
        if any(amount is not None for amount in amounts):
            totals[tranche.id] = sum((amount for amount in amounts if amount is not None), ZERO)
    return totals


def _national_warnings(totals: Mapping[str, Decimal], components: list[FundComponent], p4p_total: Decimal,
                       covered: int, all_boards: int,
                       national_minimum_fund: Decimal | None = None) -> list[AllocationWarning]:
    """Differences from the rule set's national figures: reported with the amount, never rescaled."""
    warnings = []
    if covered < all_boards:
        pools = (f"derived pools are shares of {format_pounds(p4p_total)} against the national minimum "
                 f"fund {format_pounds(national_minimum_fund)}" if national_minimum_fund is not None else
                 f"derived pools share {format_pounds(p4p_total)} among these {covered} board(s) only")
        warnings.append(AllocationWarning(
            "partial-coverage", f"the inputs cover {covered} of the {all_boards} boards: national totals "
            f"cannot match, and {pools}"))
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
        why = ("the inputs cover only some boards" if covered < all_boards
               else "published pools replace the formula's")
        warnings.append(AllocationWarning(
            "pool-total-mismatch",
            f"the pools add up to {format_pounds(pools)}, not p4p_national_total {format_pounds(p4p_total)}: "
            f"a difference of {format_pounds(difference)} ({why}; not rescaled)",
            None, P4P_POOL, difference))
    return warnings
