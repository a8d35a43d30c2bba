"""The board page's content: a stored determination laid out for a person to read, line by line.

Nothing is recomputed here. Every figure is the stored determination's (the calculator's answer kept
as it was given), and each comes with the sentence the calculator wrote to explain it; this module only
puts them in the order a finance officer reads them and draws the achievement chart.
"""

from __future__ import annotations

import re
from typing import Any

from api.page_setup import humanise
from bcf.boards import Board
from bcf.catalogue import Catalogue
from bcf.money import stored_money
from charts import achievement_chart

_QUARTER = re.compile(r"q(\d)-(\d{4})-(\d{2})")
#: how a metric's values are shown: decimals by statistic type (the calculator's explanations agree)
_PLACES = {"proportion": 2, "count": 0}


def period_label(period: str | None) -> str:
    """``april-2015`` → April 2015 payment; ``q4-2014-15`` → Q4 2014/15."""
    if not period:
        return ""
    quarter = _QUARTER.fullmatch(period)
    if quarter:
        return f"Q{quarter.group(1)} {quarter.group(2)}/{quarter.group(3)}"
    return f"{humanise(period)} payment" if re.fullmatch(r"[a-z]+-\d{4}", period) else humanise(period)


def item_name(item: str, catalogue: Catalogue) -> str:
    """A tranche line's item (a metric or a condition id) in words."""
    metric = catalogue.national.get(item)
    if metric is not None:
        return metric.name
    return catalogue.local_name if item == "local" else humanise(item)


def board_report(stored: dict[str, Any], board: Board, catalogue: Catalogue, threshold: float,
                 rule_set_name: str) -> dict[str, Any]:
    """Everything the board page shows, from :func:`storage.determinations.describe` of the latest
    determination (its ``result`` brought up to date by the recovery-plan workflow).

    :param threshold: the rule set's threshold (0.7: a metric below 70% of its ambition needs a
        recovery plan), drawn as the chart's line.
    """
    result = stored["result"]
    lines = {(tranche["tranche"], line["item"]): line
             for tranche in result.get("tranches") or [] for line in tranche.get("lines") or []}
    metrics = []
    for row in result.get("metrics") or []:
        line = lines.get((row.get("tranche"), row.get("metric"))) or lines.get(
            (row.get("tranche"), "local" if row.get("local_metric") else None))
        metrics.append({**row, "period_label": period_label(row.get("period")),
                        "places": _PLACES.get(row.get("type"), 1), "line": line,
                        "short_name": f"{humanise(row.get('local_metric') or row.get('metric'))}, "
                                      f"{period_label(row.get('period'))}"})
    tranches = [{**tranche, "label": tranche_label(tranche),
                 "lines": [{**line, "name": item_name(line["item"], catalogue)}
                           for line in tranche.get("lines") or []]}
                for tranche in result.get("tranches") or []]
    charted = [m for m in metrics if m.get("tranche")]  # monitored-only metrics earn no money
    chart = None
    if charted:
        chart = achievement_chart(
            [m["short_name"] for m in charted], [m.get("achievement") for m in charted],
            threshold=threshold, chart_id="achievement",
            title=f"{board.name}: achievement of each metric against its ambition",
            threshold_label=f"{threshold:.0%} threshold below which a recovery plan is needed")
    totals = result.get("totals") or {}
    return {
        "board": board,
        "stored": stored,
        "rule_set_name": rule_set_name,
        "pool": stored_money(result.get("p4p_pool")),
        "totals": {key: stored_money(totals.get(key)) for key in ("available", "released", "held_back")},
        "payments": [{"payment": payment, "label": period_label(payment), **sums}
                     for payment, sums in (stored.get("payments") or {}).items()],
        "recovery_plan_required": result.get("recovery_plan_required"),
        "plan_assured": result.get("plan_assured"),
        "conditions": [{**c, "name": humanise(c.get("condition"))} for c in result.get("conditions") or []],
        "tranches": tranches,
        "metrics": metrics,
        "charted": charted,
        "chart": chart,
        "threshold": threshold,
        "warnings": result.get("warnings") or [],
        "recovery_plans": stored.get("recovery_plans") or {},
    }


def tranche_words(tranche_id: str, kind: str | None = None) -> str:
    """``april-2015/metrics`` → April 2015 payment: metrics; ``q4-2014-15/non_elective_admissions`` →
    Q4 2014/15: non elective admissions. ``kind`` names the part when the id has none."""
    payment, _, part = tranche_id.partition("/")
    part = part or kind
    return f"{period_label(payment)}: {humanise(part).lower()}" if part else period_label(payment)


def tranche_label(tranche: dict[str, Any]) -> str:
    """A determination's tranche in words (:func:`tranche_words` of its id and kind)."""
    return tranche_words(str(tranche.get("tranche", "")), tranche.get("kind"))
