"""The board page's Making Data Count section: an XmR chart and its data per stored ``spc`` block.

Nothing is recomputed: the chart draws the stored block's own mean, limits and point types (bcf/spc.py
computed them when the board was determined), so the chart, its table and the API answer agree.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from api.board_report import period_label
from api.page_setup import humanise
from bcf.catalogue import Catalogue
from charts import xmr_chart

#: the stored words in the words a panel member reads
TYPE_WORDS = {"common_cause": "Common cause", "special_cause_improvement": "Special cause: improvement",
              "special_cause_concern": "Special cause: concern", "special_cause_neutral": "Special cause"}
RULE_WORDS = {"outside_limits": "beyond a process limit", "trend": "six rises or falls in a row",
              "two_of_three": "two of three months near a limit",
              "shift": "seven months on one side of the mean"}
ASSURANCE_WORDS = {"consistent_pass": "Met every month already", "consistent_fail": "Will consistently fail",
                   "inconsistent": "Will sometimes meet it and sometimes miss"}


def _month(month: str) -> str:
    """``2014-04`` → Apr 2014."""
    year, _, number = month.partition("-")
    names = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{names[int(number) - 1]} {year}" if number.isdigit() and 1 <= int(number) <= 12 else month


def spc_sections(result: dict[str, Any], board_name: str, catalogue: Catalogue) -> list[dict[str, Any]]:
    """One entry per stored ``spc`` block: the chart, its months, and the assurance of each period.

    The chart's target line is the latest period's plan on the monthly scale (the one still to come);
    every period's target and assurance is in the table under it.
    """
    sections = []
    for index, block in enumerate(result.get("spc") or [], start=1):
        info = catalogue.national.get(block["metric"])
        name = info.name if info is not None else humanise(block["metric"])
        points = block.get("points") or []
        assurance = [{**a, "period_label": period_label(a["period"]),
                      "words": ASSURANCE_WORDS.get(a["assurance"], humanise(a["assurance"]))}
                     for a in block.get("assurance") or []]
        latest = assurance[-1] if assurance else None
        drawn = SimpleNamespace(values=[p["value"] for p in points], point_type=[p["type"] for p in points],
                                mean=block["mean"], upper_limit=block["upper_limit"],
                                lower_limit=block["lower_limit"], trial_limits=block.get("trial_limits"),
                                target=latest["target"] if latest else None,
                                assurance=latest["assurance"] if latest else None)
        labels = [_month(p["month"]) for p in points]
        chart = xmr_chart(drawn, labels, chart_id=f"xmr-{index}", y_label=block.get("unit") or "value",
                          title=f"{board_name}: {name}, month by month ({labels[0]} to {labels[-1]})")
        sections.append({
            **block, "name": name, "chart": chart, "latest": latest, "assurance": assurance,
            "months": [{**p, "label": label, "type_words": TYPE_WORDS.get(p["type"], humanise(p["type"])),
                        "rule_words": RULE_WORDS.get(p.get("rule"), humanise(p.get("rule")))}
                       for p, label in zip(points, labels, strict=True)],
        })
    return sections
