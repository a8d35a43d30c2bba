"""The report's ``funnels`` section: each board's outturn against the national average, as PHE draws it.

One funnel per metric, period and statistic type, over the boards whose determination has an actual
with counts for it. A funnel only compares like with like, so a local metric is funnelled per menu
choice (``local_metric``: every board that chose PHOF-2.24i together), and a metric whose definition is
the board's own (``patient_experience``, a local alternative) gets none. The statistic type is the one
the determination used (the catalogue's, or the one its count block chose among those the catalogue
allows): proportions by :func:`metrics.proportion_funnel` against the denominator, rates (crude, with
person-time as the population: denominator × months for a monthly average) and DSRs by
:func:`metrics.rate_funnel` against the events. Scores and counts have no funnel.

The shape, for whoever draws it (one entry of ``funnels``)::

    {"metric": "delayed_transfers", "local_metric": null, "period": "april-2015",
     "name": "…", "statistic": "rate" | "proportion" | "dsr", "polarity": "lower" | "higher",
     "unit": "per 100,000 (18+) per month",
     "axis": "events" | "denominator",      # which point field is the x axis (the limits' "at")
     "average": 478.2,                      # the centre line, in the metric's unit
     "limits": {"at": [...], "lower_95": [...], "upper_95": [...],
                "lower_998": [...], "upper_998": [...]} | null,   # equal-length columns; y in the unit
     "points": [{"hwb_code", "hwb_name", "value", "events", "denominator", "significance"}],
     "left_out": [{"hwb_code", "reason"}],  # determined boards with this metric and period but no point
     "note": null | "why there are no limits"}

``significance`` is PHE's label word for word ("High (0.001)", "High (0.025)", "Not significant",
"Low (0.025)", "Low (0.001)", or "Not applicable for events less than 10 for dsrs"): High means above
the average, whatever the metric's polarity says is better.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from bcf.catalogue import LOCAL
from metrics import proportion_funnel, rate_funnel

#: statistic type of a determination → (funnel function's kind, the x axis)
FUNNEL_STATISTICS = {"proportion": "denominator", "rate": "events", "dsr": "events"}


def _sent_period(request: Mapping[str, Any] | None, metric: str, period: str) -> Mapping[str, Any]:
    for sent in (request or {}).get("metrics") or []:
        if sent.get("metric") == metric:
            block = (sent.get("periods") or {}).get(period)
            if isinstance(block, Mapping):
                return block
    return {}


def _counts(actual: Mapping[str, Any], statistic: str) -> tuple[float, float] | None:
    """(events, denominator) of an actual count block, or None when it gives no counts."""
    if statistic == "dsr":
        bands = actual.get("bands")
        if not bands:
            return None
        return (float(sum(b.get("events", 0) for b in bands)),
                float(sum(b.get("population", 0) for b in bands)))
    if actual.get("numerator") is None or actual.get("denominator") is None:
        return None
    return float(actual["numerator"]), float(actual["denominator"])


def _comparable(entry: Mapping[str, Any], catalogue: Any) -> bool:
    """Whether the metric means the same thing on every board (the catalogue defines it)."""
    metric = entry.get("metric")
    if metric == LOCAL:
        return entry.get("local_metric") in catalogue.local_menu
    info = catalogue.national.get(metric)
    return info is not None and not info.defined_by_plan


def _whole(x: float) -> float | int:
    """A count as sent: 2890, not 2890.0 (a score's or a DSR's may have decimals)."""
    return int(x) if x.is_integer() else x


def _column(values: np.ndarray) -> list[float | None]:
    return [None if not np.isfinite(v) else float(v) for v in values]


def _draw(key: tuple, about: Mapping[str, Any], rows: list[dict[str, Any]], catalogue: Any) -> dict[str, Any]:
    metric, local_metric, period, statistic = key
    points = [r for r in rows if "counts" in r]
    out: dict[str, Any] = {
        "metric": metric, "local_metric": local_metric, "period": period, "name": about.get("name"),
        "statistic": statistic, "polarity": about.get("polarity"), "unit": about.get("unit"),
        "axis": FUNNEL_STATISTICS[statistic], "average": None, "limits": None, "points": [],
        "left_out": [{"hwb_code": r["hwb_code"], "reason": r["reason"]} for r in rows if "counts" not in r],
        "note": None,
    }
    if not points:
        out["note"] = "no board has an actual with counts for this metric and period"
        return out
    events = np.array([p["counts"][0] for p in points])
    denominators = np.array([p["counts"][1] for p in points])
    values = np.array([p["value"] for p in points], dtype=float)
    multiplier = catalogue.statistic_types[statistic].multiplier
    try:
        if statistic == "proportion":
            funnel = proportion_funnel(events, denominators, multiplier=multiplier)
        elif statistic == "rate":
            months = np.array([p["months"] for p in points], dtype=float)
            funnel = rate_funnel(events, values, multiplier=multiplier, population=denominators * months)
        else:
            funnel = rate_funnel(events, values, multiplier=multiplier, rate_type="dsr")
    except ValueError as error:  # e.g. DSRs without a single event: there is no average to draw
        out["note"] = str(error)
        significance = [None] * len(points)
    else:
        out["average"] = funnel.average
        out["limits"] = {"at": _column(funnel.at), "lower_95": _column(funnel.lower_95),
                         "upper_95": _column(funnel.upper_95), "lower_998": _column(funnel.lower_998),
                         "upper_998": _column(funnel.upper_998)}
        significance = [str(label) or None for label in funnel.significance]
    out["points"] = [{"hwb_code": p["hwb_code"], "hwb_name": p["hwb_name"], "value": p["value"],
                      "events": _whole(p["counts"][0]), "denominator": _whole(p["counts"][1]),
                      "significance": label}
                     for p, label in zip(points, significance, strict=True)]
    return out


def funnel_section(inputs: Mapping[str, Any], boards: Mapping[str, Any], catalogue: Any,
                   only: set[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """Every funnel of the report (see the module docstring for its shape).

    :param inputs: board code → :class:`reports.national.BoardInput` (or None).
    :param boards: the reference boards (for names).
    :param catalogue: the metric catalogue (which metrics compare across boards; multipliers).
    :param only: (metric, period) pairs to draw (a tranche's); None draws every one.
    """
    groups: dict[tuple, list[dict[str, Any]]] = {}
    about: dict[tuple, Mapping[str, Any]] = {}
    for code, entry in inputs.items():
        if entry is None or entry.result is None:
            continue
        for m in entry.result.get("metrics") or []:
            statistic, metric, period = m.get("type"), m.get("metric"), m.get("period")
            if statistic not in FUNNEL_STATISTICS or not _comparable(m, catalogue):
                continue
            if only is not None and (metric, period) not in only:
                continue
            key = (metric, m.get("local_metric"), period, statistic)
            about.setdefault(key, m)
            row: dict[str, Any] = {"hwb_code": code, "hwb_name": getattr(boards.get(code), "name", None)}
            actual = m.get("actual") or {}
            counts = _counts(_sent_period(entry.request, metric, period).get("actual") or {}, statistic)
            if m.get("status") == "pending" or actual.get("value") is None:
                row["reason"] = "no actual yet"
            elif counts is None:
                row["reason"] = "the actual was sent as a bare value, without counts"
            else:
                row.update(counts=counts, value=actual["value"], months=m.get("months") or 1)
            groups.setdefault(key, []).append(row)
    return [_draw(key, about[key], rows, catalogue) for key, rows in groups.items()]
