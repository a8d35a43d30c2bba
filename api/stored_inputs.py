"""Checks on a stored plan or actuals body before it is kept, with the calculator's own schema and rules.

A plan is the api.md calculation request without ``actual`` blocks (the path gives ``hwb_code``); actuals
are ``{metric id: count block}`` for one period. Both are validated the way a determination will read them,
so a stored plan that is accepted can be determined, and problems are reported all at once (422).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from flask import current_app

from api.calculations import calculator
from bcf.errors import InvalidInput, UnknownRuleSet
from storage.determinations import split_monthly


def periods() -> set[str]:
    """Payment periods any loaded rule set knows (``april-2015``, ``october-2015``)."""
    rule_sets = current_app.extensions["rule_sets"].values()
    return {period for rule_set in rule_sets for period in rule_set.periods}


def _calculator_problems(payload: dict[str, Any]) -> list[dict[str, str]]:
    """Every problem the calculator would find in ``payload`` (its one validation path), bar the pool.

    A stored plan may leave ``p4p_pool`` to the allocation table, which can be loaded after the plan is
    stored; so a placeholder pool stands in for a missing one here, and the determination checks it.
    """
    checked = dict(payload)
    checked.setdefault("p4p_pool", 1)
    try:
        calculator.prepare(checked)
    except InvalidInput as error:
        return list(error.problems)
    except UnknownRuleSet as error:
        return list(error.problems) or [{"location": "rule_set", "message": error.message}]
    return []


def check_plan_body(code: str, body: Any) -> dict[str, Any]:
    """The plan body to store. :raise InvalidInput: every problem, with JSON-path locations."""
    if not isinstance(body, Mapping):
        raise InvalidInput("The plan must be a JSON object.",
                           [{"location": "$", "message": "Not an object."}])
    problems: list[dict[str, str]] = []
    if "hwb_code" in body and body["hwb_code"] != code:
        problems.append({"location": "hwb_code",
                         "message": f"The path is for {code}; leave hwb_code out or make it {code}."})
    for i, metric in enumerate(body.get("metrics") or []):
        for period, period_plan in ((metric or {}).get("periods") or {}).items() \
                if isinstance(metric, Mapping) and isinstance(metric.get("periods"), Mapping) else ():
            if isinstance(period_plan, Mapping) and "actual" in period_plan:
                problems.append({"location": f"metrics[{i}].periods.{period}.actual",
                                 "message": "Actuals are stored on their own: "
                                            f"PUT /api/v1/hwbs/{code}/actuals/{period}."})
    problems += _calculator_problems({**body, "hwb_code": code})  # the rest, in the same answer
    if problems:
        raise InvalidInput("The plan has invalid input; nothing was stored.", problems)
    return {key: value for key, value in body.items() if key != "hwb_code"}


def _actuals_location(location: str, period: str, index: dict[str, int], months_from: dict[str, int]) -> str:
    """A calculator problem's location in the merged request, as a location in the actuals body:
    ``metrics[i].periods.<period>.actual.x`` is ``<metric>.x``; a month of the outturn series,
    ``metrics[i].monthly[k]``, is ``<metric>.monthly[k − the plan's months]``."""
    for key, i in index.items():
        prefix = f"metrics[{i}].periods.{period}.actual"
        if location == prefix or location.startswith(prefix + "."):
            return key + location[len(prefix):]
        if key in months_from:
            series = f"metrics[{i}].monthly"
            if location == series:
                return f"{key}.monthly"
            found = re.match(rf"{re.escape(series)}\[(\d+)\](.*)\Z", location)
            if found and int(found.group(1)) >= months_from[key]:
                return f"{key}.monthly[{int(found.group(1)) - months_from[key]}]{found.group(2)}"
    return location


def check_actuals_body(code: str, period: str, body: Any, plan_body: dict[str, Any]) -> dict[str, Any]:
    """The actuals to store: each key a metric of the stored plan with this period, each value a count block
    the calculator accepts for it, which may carry the period's outturn months (``monthly``: they join the
    plan's monthly series, checked with it). :raise InvalidInput: every problem; locations are
    ``<metric>.<field>``."""
    if not isinstance(body, Mapping) or not body:
        raise InvalidInput("Actuals must be a JSON object mapping metric ids to actual count blocks.",
                           [{"location": "$", "message": "Not a non-empty object."}])
    payload = copy.deepcopy(dict(plan_body))
    payload["hwb_code"] = code
    index: dict[str, int] = {}
    for i, metric in enumerate(payload.get("metrics") or []):
        if period in (metric.get("periods") or {}):
            index[metric["metric"]] = i
    problems = [{"location": key, "message": f"The stored plan has no metric {key!r} in {period}; "
                                             f"its metrics there: {', '.join(sorted(index)) or 'none'}."}
                for key in body if key not in index]
    known = {key: block for key, block in body.items() if key in index}
    if known:  # the known metrics' blocks are checked too, in the same answer
        months_from: dict[str, int] = {}  # where the outturn months start in each metric's whole series
        for key, block in known.items():
            metric = payload["metrics"][index[key]]
            block, months = split_monthly(block)
            if block or months is None:
                metric["periods"][period]["actual"] = block
            if months is not None:
                planned = metric.get("monthly") or []
                months_from[key] = len(planned) if isinstance(planned, list) else 0
                metric["monthly"] = [*planned, *months] if isinstance(months, list) else months
        for problem in _calculator_problems(payload):
            problems.append({"location": _actuals_location(problem["location"], period, index, months_from),
                             "message": problem["message"]})
    if problems:
        raise InvalidInput(f"The {period} actuals have invalid input; nothing was stored.", problems)
    return dict(body)
