"""Checks on a stored plan or actuals body before it is kept, with the calculator's own schema and rules.

A plan is the api.md calculation request without ``actual`` blocks (the path gives ``hwb_code``); actuals
are ``{metric id: count block}`` for one period. Both are validated the way a determination will read them,
so a stored plan that is accepted can be determined, and problems are reported all at once (422).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from flask import current_app

from api.calculations import calculator
from bcf.errors import InvalidInput, UnknownRuleSet


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


def check_actuals_body(code: str, period: str, body: Any, plan_body: dict[str, Any]) -> dict[str, Any]:
    """The actuals to store: each key a metric of the stored plan with this period, each value a count block
    the calculator accepts for it. :raise InvalidInput: every problem; locations are ``<metric>.<field>``."""
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
        for key, block in known.items():
            payload["metrics"][index[key]]["periods"][period]["actual"] = block
        by_prefix = {f"metrics[{i}].periods.{period}.actual": key for key, i in index.items()}
        for problem in _calculator_problems(payload):
            location = problem["location"]
            for prefix, key in by_prefix.items():
                if location == prefix or location.startswith(prefix + "."):
                    location = key + location[len(prefix):]
                    break
            problems.append({"location": location, "message": problem["message"]})
    if problems:
        raise InvalidInput(f"The {period} actuals have invalid input; nothing was stored.", problems)
    return dict(body)
