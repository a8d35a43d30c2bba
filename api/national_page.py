"""The national page's content: the report of :func:`reports.build_report` laid out for a panel.

Nothing is recomputed here: every figure is the report's (money summed there, to the penny), and this
module only picks the headline, orders the tables and draws the charts from the same numbers the tables
show, so a chart and its table can never disagree. The same content serves the page
(``/reports/national``), the API's ``text/html`` answer and the CLI's self-contained ``.html`` file.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from api.board_report import item_name, period_label, tranche_words
from api.page_setup import humanise
from charts import achievement_chart, funnel_chart, stacked_bars
from reports import GROUPINGS, tranche_ids
from reports.national import NO_DETERMINATION

#: how the page names each grouping (the switch's links and the groups table's heading)
GROUPING_WORDS = {"national": "England as a whole", "region": "Region", "nhs_region": "NHS region",
                  "area_team": "NHS area team"}
#: the achievement bands in words, in the report's order (reports.national.BANDS)
BAND_WORDS = {"at_or_above_100": "100% or more", "from_threshold_to_100": "{threshold} to 100%",
              "below_threshold": "Below {threshold}", "pending": "Pending: no outturn yet",
              "unassessable": "Cannot be assessed", NO_DETERMINATION: "No determination"}
#: a funnel axis in words
AXIS_WORDS = {"denominator": "Denominator (size of the population measured)",
              "events": "Events counted (the numerator)"}


def _metric_name(metric: str | None, local_metric: str | None, catalogue: Any) -> str:
    if local_metric:
        return f"Local metric {local_metric}"
    return item_name(metric, catalogue) if catalogue is not None and metric else humanise(metric)


def _funnel(index: int, funnel: dict[str, Any], catalogue: Any) -> dict[str, Any]:
    """One funnel's chart (when it has limits and points) and its table rows, outside boards first."""
    name = _metric_name(funnel["metric"], funnel.get("local_metric"), catalogue)
    title = f"{name}, {period_label(funnel['period'])}: each board against the national average"
    points = funnel.get("points") or []
    outside = [p for p in points if _is_outside(p)]
    limits = funnel.get("limits")
    chart = None
    if limits and points:
        # the report's columns (None where a limit is undefined) as the arrays metrics.funnels gives
        columns = {key: np.array([np.nan if v is None else v for v in limits[key]], dtype=float)
                   for key in ("at", "lower_95", "upper_95", "lower_998", "upper_998")}
        drawn = SimpleNamespace(**columns, significance=[p.get("significance") or "" for p in points],
                                statistic=funnel["statistic"], average=funnel["average"])
        chart = funnel_chart(drawn, [p[funnel["axis"]] for p in points], [p["value"] for p in points],
                             [p.get("hwb_name") or p["hwb_code"] for p in points], title=title,
                             chart_id=f"funnel-{index}",
                             x_label=AXIS_WORDS.get(funnel["axis"], funnel["axis"]),
                             y_label=funnel.get("unit") or "value")
    outside = [{**p, "where": _where(p.get("significance"))} for p in outside]
    return {**funnel, "name": name, "title": title, "chart": chart, "outside": outside,
            "period_label": period_label(funnel["period"]),
            "points": sorted(points, key=lambda p: (not _is_outside(p), p.get("hwb_name") or p["hwb_code"]))}


def _is_outside(point: dict[str, Any]) -> bool:
    """Outside the 95% limits: PHE's High or Low label (metrics.funnels)."""
    return str(point.get("significance") or "").startswith(("High", "Low"))


def _where(significance: str | None) -> str:
    """PHE's label in words: ``High (0.001)`` → above the 99.8% limit (High: above, whatever is better)."""
    text = str(significance or "")
    side = "above" if text.startswith("High") else "below"
    return f"{side} the 99.8% limit" if "0.001" in text else f"{side} the 95% limit"


def _achievement(index: int, metric: str, period: str, boards: list[dict[str, Any]], threshold: float,
                 catalogue: Any) -> dict[str, Any]:
    """Each determined board's achievement of one metric and period against the threshold line."""
    determined, missing = [], []
    for board in boards:
        if board["status"] == NO_DETERMINATION:
            missing.append(board)
            continue
        entry = next((e for e in board["achievement"] if (e["metric"], e["period"]) == (metric, period)),
                     {"achievement": None, "band": "unassessable"})  # as the report counts it
        determined.append((board, entry))
    name = _metric_name(metric, None, catalogue)
    title = f"{name}, {period_label(period)}: each board's achievement against its ambition"
    chart = None
    # a metric no board has an achievement for (not in any plan, or every outturn pending) gets no chart
    # of empty rows: the page counts its boards by band instead
    if any(e["achievement"] is not None for _, e in determined):
        chart = achievement_chart([b["hwb_name"] or b["hwb_code"] for b, _ in determined],
                                  [e["achievement"] for _, e in determined], threshold=threshold,
                                  title=title, chart_id=f"achievement-{index}",
                                  threshold_label=f"{threshold:.0%} threshold below which a recovery plan "
                                                  f"is needed")
    return {"metric": metric, "period": period, "name": name, "title": title, "chart": chart,
            "period_label": period_label(period), "rows": determined, "missing": missing,
            "below": [b for b, e in determined if e["band"] == "below_threshold"],
            "bands": {band: sum(1 for _, e in determined if e["band"] == band)
                      for band in dict.fromkeys(e["band"] for _, e in determined)}}


def yes_no(value: bool | None, yes: str = "Yes", no: str = "No") -> str:
    """A yes/no of the report in words; None (not assessed, or no determination) is a dash."""
    return "—" if value is None else (yes if value else no)


def national_page(report: dict[str, Any], catalogue: Any, threshold: float,
                  tranches: list[str] = ()) -> dict[str, Any]:
    """Everything the national page shows, from the report (JSON-ready, money as Decimal).

    :param threshold: the current rule set's threshold (0.7), drawn on the achievement charts and
        naming the bands.
    :param tranches: the tranche ids a reader may choose from (:func:`reports.tranche_ids`).
    """
    grouping = report["grouping"]
    shown = report["groups"] if grouping != "national" else []
    bar_rows = shown or [b for b in report["boards"] if b["status"] != NO_DETERMINATION]
    bars = None
    if bar_rows:
        bars = stacked_bars([r.get("group") if shown else (r["hwb_name"] or r["hwb_code"]) for r in bar_rows],
                            [r["released"] for r in bar_rows], [r["held_back"] for r in bar_rows],
                            chart_id="released-held-back",
                            title=("Released and held-back money by " + GROUPING_WORDS[grouping].lower()
                                   if shown else "Released and held-back money by board"))
    words = {band: text.format(threshold=f"{threshold:.0%}") for band, text in BAND_WORDS.items()}
    boards = report["boards"]
    achievements = [_achievement(i, pair["metric"], pair["period"], boards, threshold, catalogue)
                    for i, pair in enumerate(report.get("achievement_pairs") or [], start=1)]
    return {
        "report": report,
        "grouping": grouping,
        "grouping_name": GROUPING_WORDS[grouping],
        "groupings": [(g, GROUPING_WORDS[g]) for g in GROUPINGS],
        "tranche_label": tranche_words(report["tranche"]) if report.get("tranche") else None,
        "tranche_options": [(t, tranche_words(t)) for t in tranches],
        "national": {**report["national"], "tranches": [{**t, "label": tranche_words(t["tranche"])}
                                                         for t in report["national"]["tranches"]]},
        "groups": report["groups"],
        "names": {b["hwb_code"]: b["hwb_name"] or b["hwb_code"] for b in report["boards"]},
        "yes_no": yes_no,
        "boards": boards,
        "without_determination": [b for b in boards if b["status"] == NO_DETERMINATION],
        "bars": bars,
        "bar_rows": bar_rows,
        "bars_by_group": bool(shown),
        "funnels": [_funnel(i, f, catalogue) for i, f in enumerate(report.get("funnels") or [], start=1)],
        "achievements": [a for a in achievements if a["chart"]],
        # metrics of the rule set that no board has an achievement for: listed together, not as empty charts
        "achievements_empty": [a for a in achievements if not a["chart"]],
        "band_words": words,
        "threshold": threshold,
    }


def render_national(report: dict[str, Any], *, standalone: bool = False) -> str:
    """The national page's HTML for ``report``.

    :param standalone: one self-contained file (the CLI's ``.html``), to be opened from disk with no
        server: the stylesheets and the sorting script are written into it, and it links nowhere. The
        served pages keep them as static files, so the Content-Security-Policy can refuse inline code.
    """
    from flask import current_app, render_template

    rule_sets = current_app.extensions["rule_sets"]
    current = next((r for r in rule_sets.values() if r.current), None)
    threshold = float(current.threshold) if current is not None and current.threshold is not None else 0.7
    # the tranches a reader may choose: those of the rule sets the report's boards were determined under
    used = {board["rule_set"] for board in report["boards"] if board.get("rule_set")}
    if not used and current is not None:
        used = {current.id}
    choices = tranche_ids({key: rule_set for key, rule_set in rule_sets.items() if key in used})
    page = national_page(report, current_app.extensions["catalogue"], threshold, choices)
    embedded = None
    if standalone:
        static = Path(current_app.static_folder or "")
        embedded = {name: (static / file).read_text(encoding="utf-8")
                    for name, file in (("css", "pages.css"), ("print_css", "print.css"),
                                       ("js", "sortable.js"))}
    return render_template("national.html", page=page, standalone=embedded)
