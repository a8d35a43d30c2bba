"""The national picture (issue 12): per board, per group and nationally, from each board's determination.

A panel asks four questions of a set of determinations, one per board: how many boards are in, and
assured; how much money is available, released and held back (per tranche and in total) and what the
held-back money is for; which boards need a recovery plan; and how the boards did against their
ambitions, metric by metric. :func:`build_report` answers them for the boards grouped by ``region``,
``nhs_region`` or ``area_team`` (``reference_data/boards.csv``), or for the country as one group.

Every board of the reference appears, a board with no determination as ``no_determination``: a panel
must see who is missing, never a total that quietly leaves a board out. Money is only added, never
re-rounded: a group's figures are the sums of its boards' figures and the national row the sum of
every board's, so the group rows add up to the national row to the penny. A tranche still waiting for
its outturn (``status: pending``) has no released or held-back money yet; its available money is
reported as ``pending``, so that available = released + held back + pending on every row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bcf.money import exact_decimal, stored_money
from bcf.results import NONE, PENDING, UNASSESSABLE
from reports.funnels import funnel_section

GROUPINGS = ("national", "region", "nhs_region", "area_team")
NATIONAL = "England"
#: the group of a board that an upload names with its own pool but boards.csv does not hold
NOT_IN_REFERENCE = "(not in boards.csv)"
#: a board row's status
HAS_DETERMINATION, NO_DETERMINATION = "determined", "no_determination"
#: the achievement bands of a metric and period, in the order a panel reads them; "from_threshold" is
#: the rule set's threshold (rules §6, 70%) up to 100% of the ambition
BANDS = ("at_or_above_100", "from_threshold_to_100", "below_threshold", "pending", "unassessable",
         NO_DETERMINATION)
#: held-back uses in the order of rules §3 and §6, then the revised scheme's; others follow as found
USE_ORDER = ("contingency_plan", "recovery_plan", "nhs_england_direction", "pending_conditions",
             "pending_assurance", "nhs_out_of_hospital_services")
MONEY = ("available", "released", "held_back", "pending")
#: nothing, to the penny: what a sum of no amounts is
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BoardInput:
    """What the report knows of one board.

    :param result: its determination as the calculator answered it (api.md JSON, as stored or as just
        calculated; money as Decimal or as the JSON numbers a stored one holds), or None.
    :param request: the calculation request that determination answered: the counts the funnels need.
    :param has_plan: whether a plan is stored (None: the board has one exactly when it has a result).
    :param determination_id: the stored determination's id, when it was stored.
    :param determined_at: when it was stored (ISO 8601).
    """

    result: Mapping[str, Any] | None = None
    request: Mapping[str, Any] | None = None
    has_plan: bool | None = None
    determination_id: int | None = None
    determined_at: str | None = None

    @property
    def with_plan(self) -> bool:
        return self.has_plan if self.has_plan is not None else self.result is not None


def tranche_ids(rule_sets: Mapping[str, Any]) -> list[str]:
    """Every tranche id of the rule sets, the current rule set's first (the values ``tranche`` takes)."""
    ordered = sorted(rule_sets.values(), key=lambda rule_set: not rule_set.current)
    seen: dict[str, None] = {}
    for rule_set in ordered:
        for tranche in rule_set.tranches:
            seen.setdefault(tranche.id, None)
    return list(seen)


def group_of(board: Any, grouping: str) -> str:
    """The group a board falls in (``board`` a :class:`bcf.boards.Board`, or None when unknown)."""
    if grouping == "national":
        return NATIONAL
    if board is None:
        return NOT_IN_REFERENCE
    return str(getattr(board, grouping))


# --- one board ----------------------------------------------------------------------------------------


def _band(entry: Mapping[str, Any] | None, line_status: str | None, threshold: Decimal) -> tuple[str, Any]:
    """(band, achievement) of one board's metric and period (rules §5, §6).

    A determined board whose tranches have no line for a metric and period of the report (its plan left
    the metric out, or its rule set pays other periods) counts as ``unassessable`` there: it is counted,
    so the bands of every row add up to its boards.
    """
    if entry is None or line_status == UNASSESSABLE:
        return "unassessable", None
    achievement = entry.get("achievement")
    if entry.get("status") == PENDING or line_status == PENDING:
        return "pending", None
    if achievement is None:
        return "unassessable", None
    value = exact_decimal(achievement) if isinstance(achievement, float) else Decimal(str(achievement))
    if value >= 1:
        return "at_or_above_100", achievement
    if value >= threshold:
        return "from_threshold_to_100", achievement
    return "below_threshold", achievement


def _tranche_figures(tranche: Mapping[str, Any]) -> dict[str, Any]:
    available = stored_money(tranche.get("available")) or ZERO
    pending = tranche.get("status") == PENDING or tranche.get("released") is None
    return {
        "tranche": tranche.get("tranche"),
        "status": tranche.get("status"),
        "available": available,
        "released": ZERO if pending else stored_money(tranche.get("released")),
        "held_back": ZERO if pending else stored_money(tranche.get("held_back")),
        "pending": available if pending else ZERO,
        "held_back_use": tranche.get("held_back_use"),
        "recovery_plan_required": tranche.get("recovery_plan_required"),
    }


def _board_row(code: str, board: Any, entry: BoardInput | None, grouping: str, tranche: str | None,
               thresholds: Mapping[str, Decimal]) -> dict[str, Any]:
    entry = entry or BoardInput()
    result = entry.result
    row: dict[str, Any] = {
        "hwb_code": code,
        "hwb_name": getattr(board, "name", None),
        "region": getattr(board, "region", None),
        "nhs_region": getattr(board, "nhs_region", None),
        "area_team": getattr(board, "area_team", None),
        "group": group_of(board, grouping),
        "status": NO_DETERMINATION if result is None else HAS_DETERMINATION,
        "has_plan": entry.with_plan,
        "determination_id": entry.determination_id,
        "determined_at": entry.determined_at,
        "rule_set": None if result is None else result.get("rule_set"),
        "plan_assured": None if result is None else result.get("plan_assured"),
        "recovery_plan_required": None,
        **dict.fromkeys(MONEY),
        "tranches": [],
        "held_back_by_use": {},
        "achievement": [],
    }
    if result is None:
        return row
    tranches = [_tranche_figures(t) for t in result.get("tranches") or []
                if tranche is None or t.get("tranche") == tranche]
    row["tranches"] = tranches
    for key in MONEY:
        row[key] = sum((t[key] for t in tranches), ZERO)
    uses: dict[str, Decimal] = {}
    for t in tranches:
        if t["held_back"] and t["held_back_use"] not in (None, NONE):
            uses[t["held_back_use"]] = uses.get(t["held_back_use"], ZERO) + t["held_back"]
    row["held_back_by_use"] = uses
    row["recovery_plan_required"] = (result.get("recovery_plan_required") if tranche is None
                                     else next((t["recovery_plan_required"] for t in tranches), None))
    threshold = thresholds.get(str(result.get("rule_set")), Decimal("0.70"))
    metrics = {(m.get("metric"), m.get("period")): m for m in result.get("metrics") or []}
    for t in result.get("tranches") or []:
        if t.get("kind") != "metrics" or (tranche is not None and t.get("tranche") != tranche):
            continue
        period = t.get("payment") or str(t.get("tranche", "")).partition("/")[0]
        for line in t.get("lines") or []:
            band, achievement = _band(metrics.get((line.get("item"), period)), line.get("status"), threshold)
            row["achievement"].append({"metric": line.get("item"), "period": period,
                                       "achievement": achievement, "band": band})
    return row


# --- groups -------------------------------------------------------------------------------------------


def _group_row(name: str, rows: list[dict[str, Any]], tranches: list[str], uses: list[str],
               pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """One group's (or the nation's) figures: counts of its boards, and sums of their money."""
    determined = [r for r in rows if r["status"] == HAS_DETERMINATION]
    out: dict[str, Any] = {
        "group": name,
        "boards": len(rows),
        "boards_with_plan": sum(1 for r in rows if r["has_plan"]),
        "boards_determined": len(determined),
        "boards_without_determination": len(rows) - len(determined),
        "boards_assured": sum(1 for r in determined if r["plan_assured"] is True),
        "boards_not_assured": sum(1 for r in determined if r["plan_assured"] is False),
        "boards_assurance_not_assessed": sum(1 for r in determined if r["plan_assured"] is None),
        "boards_recovery_plan_required": sum(1 for r in determined if r["recovery_plan_required"] is True),
    }
    for key in MONEY:
        out[key] = sum((r[key] for r in determined), ZERO)
    by_tranche = []
    for tranche in tranches:
        lines = [t for r in determined for t in r["tranches"] if t["tranche"] == tranche]
        figures: dict[str, Any] = {"tranche": tranche, "boards": len(lines)}
        for key in MONEY:
            figures[key] = sum((t[key] for t in lines), ZERO)
        figures["boards_recovery_plan_required"] = sum(1 for t in lines
                                                       if t["recovery_plan_required"] is True)
        by_tranche.append(figures)
    out["tranches"] = by_tranche
    out["held_back_by_use"] = {use: sum((r["held_back_by_use"].get(use, ZERO) for r in determined), ZERO)
                               for use in uses}
    out["achievement"] = []
    for metric, period in pairs:
        counts = dict.fromkeys(BANDS, 0)
        for r in rows:
            if r["status"] == NO_DETERMINATION:
                counts[NO_DETERMINATION] += 1
                continue
            band = next((a["band"] for a in r["achievement"]
                         if (a["metric"], a["period"]) == (metric, period)), "unassessable")
            counts[band] += 1
        out["achievement"].append({"metric": metric, "period": period, **counts})
    return out


def _ordered(found: Iterable[str], order: Iterable[str]) -> list[str]:
    found = list(dict.fromkeys(found))
    known = [x for x in order if x in found]
    return known + [x for x in found if x not in known]


def build_report(inputs: Mapping[str, BoardInput | None], boards: Mapping[str, Any],
                 rule_sets: Mapping[str, Any], catalogue: Any = None, *, grouping: str = "national",
                 tranche: str | None = None) -> dict[str, Any]:
    """The national report: a row per group, the national row, a row per board.

    :param inputs: board code → what is known of it; a board of ``boards`` missing here (or mapped to
        None) has no determination. Codes outside ``boards`` (an upload's own) are kept, in the group
        :data:`NOT_IN_REFERENCE`.
    :param boards: the reference boards (:func:`bcf.boards.load_boards`).
    :param rule_sets: id → :class:`bcf.rules.RuleSet` (each board's threshold; the tranche ids).
    :param grouping: one of :data:`GROUPINGS`.
    :param tranche: a tranche id: only that tranche's money, recovery plans and metrics count.
    :param catalogue: the metric catalogue, for the funnels (:mod:`reports.funnels`); None: no funnels.
    :return: JSON-ready dict (money as Decimal): ``grouping``, ``tranche``, ``tranches`` (the tranche
        columns), ``held_back_uses``, ``achievement_pairs``, ``national``, ``groups``, ``boards``,
        ``funnels``.
    :raise ValueError: an unknown grouping or tranche (the web layer checks both first).
    """
    if grouping not in GROUPINGS:
        raise ValueError(f"grouping must be one of {', '.join(GROUPINGS)}; got {grouping!r}")
    known_tranches = tranche_ids(rule_sets)
    if tranche is not None and tranche not in known_tranches:
        raise ValueError(f"tranche must be one of {', '.join(known_tranches)}; got {tranche!r}")
    thresholds = {rule_set.id: rule_set.threshold for rule_set in rule_sets.values()}
    codes = list(boards) + sorted(code for code in inputs if code not in boards)
    rows = [_board_row(code, boards.get(code), inputs.get(code), grouping, tranche, thresholds)
            for code in codes]

    found_tranches = [t["tranche"] for r in rows for t in r["tranches"]]
    if tranche is not None:
        columns = [tranche]
    elif found_tranches:
        columns = _ordered(found_tranches, known_tranches)
    else:
        current = next((r for r in rule_sets.values() if r.current), None)
        columns = [t.id for t in current.tranches] if current is not None else []
    uses = _ordered((use for r in rows for use in r["held_back_by_use"]), USE_ORDER)
    pairs = list(dict.fromkeys((a["metric"], a["period"]) for r in rows for a in r["achievement"]))

    names = list(dict.fromkeys(r["group"] for r in rows))
    if grouping != "national":
        names = sorted(n for n in names if n != NOT_IN_REFERENCE) + \
            ([NOT_IN_REFERENCE] if NOT_IN_REFERENCE in names else [])
    groups = [_group_row(name, [r for r in rows if r["group"] == name], columns, uses, pairs)
              for name in names]
    return {
        "grouping": grouping,
        "tranche": tranche,
        "tranches": columns,
        "held_back_uses": uses,
        "achievement_pairs": [{"metric": m, "period": p} for m, p in pairs],
        "national": _group_row(NATIONAL, rows, columns, uses, pairs),
        "groups": groups,
        "boards": rows,
        # in board order, however the inputs came (a database answers in its own order)
        "funnels": [] if catalogue is None else funnel_section(
            {code: inputs[code] for code in codes if code in inputs}, boards, catalogue,
            None if tranche is None else set(pairs)),
    }
