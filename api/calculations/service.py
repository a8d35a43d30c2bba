"""The one code path from an api.md JSON plan to the JSON answer (TEAM.md §3).

``POST /api/v1/calculations``, the spreadsheet upload, the ``bcf calculate`` console script and stored
determinations all call :func:`calculate_payload`, so there is one validation and one determination.
It is two halves, :func:`prepare_payload` (validate) then :func:`calculate_plans` (determine and
answer), which an upload of many boards calls separately: all boards validated, then all computed
together.
It needs an app context: the rule sets, catalogue, boards and pool lookup are read once at start-up
into ``current_app.extensions``.

Validation reports every problem at once: the schema's (types, ranges, count blocks, unknown keys)
together with :func:`bcf.validation.check_plan`'s cross-references (unknown metric, a period the rule
set does not pay, …), each with a JSON-path ``location``. For an invalid request the pass runs on what
:func:`api.salvage.salvage` can read of it: a value the schema refused is passed over (it is reported
once, by the schema), the rest of its entry is checked. An entry whose metric, definition or periods
cannot be read is left out, and the pass's locations are mapped back to each entry's own index.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from flask import current_app
from marshmallow import ValidationError

from api.calculations.results import AmbitionsSchema, DeterminationSchema
from api.calculations.schemas import CalculationRequestSchema, ConditionsSchema
from api.errors import flatten_messages
from api.loaders import compile_load
from api.salvage import Unreadable, salvage
from bcf.determination import assess_ambitions, determine_many
from bcf.errors import InvalidInput, UnknownRuleSet
from bcf.money import to_money
from bcf.plan import Conditions, Plan
from bcf.rules import RuleSet, get_rule_set
from bcf.validation import CheckedPlan, check_plan, checked_plan

# A body of a million misspelt keys is still one bad request: report the first problems, then a count
MAX_PROBLEMS = 1000
LOAD_ALLOCATIONS = "flask --app wsgi bcf load-allocations FILE…"
_METRIC_INDEX = re.compile(r"\bmetrics\[(\d+)\]")

_request = CalculationRequestSchema()
_load_request = compile_load(_request)  # _request.load, fast for a valid request (api/loaders.py)
_metric_field = _request.fields["metrics"].inner  # Nested(MetricPlanSchema)
_conditions = ConditionsSchema()
_dump_determination = DeterminationSchema().dump
_dump_ambitions = AmbitionsSchema().dump


def calculate_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Determine one board's releases from an api.md request dict; answer the api.md response dict.

    The answer holds only JSON types (money as numbers to the penny), ready for ``jsonify``, a CSV
    writer or a JSON column.

    :param payload: the request, as parsed JSON (strings for numbers are accepted, as CSV gives them).
    :raise InvalidInput: every problem in the request at once, each ``{"location", "message"}``.
    :raise UnknownRuleSet: ``rule_set`` names no known rule set (the message lists the known ids).
    """
    return calculate_plans([prepare_payload(payload)])[0]


def calculate_plans(loaded: Sequence[tuple[CheckedPlan, RuleSet, Decimal]]) -> list[dict[str, Any]]:
    """The second half of :func:`calculate_payload`, for many boards at once: what
    :func:`prepare_payload` answered for each → their response dicts, in order.

    A spreadsheet upload checks every board with :func:`prepare_payload` first (nothing is computed if
    one is wrong), then hands them all here, so each board is validated once, and the boards of each rule
    set are determined together (:func:`bcf.determination.determine_many`: one :mod:`metrics` call per
    statistic type for them all). Each answer is exactly what :func:`calculate_payload` gives.
    """
    catalogue = current_app.extensions["catalogue"]
    answers: list[dict[str, Any]] = [{}] * len(loaded)
    by_rule_set: dict[str, list[int]] = {}
    for i, (_, rule_set, _) in enumerate(loaded):
        by_rule_set.setdefault(rule_set.id, []).append(i)
    for index in by_rule_set.values():
        rule_set = loaded[index[0]][1]
        plans, pools = [loaded[i][0] for i in index], [loaded[i][2] for i in index]
        for i, determination in zip(index, determine_many(plans, rule_set, catalogue, pools), strict=True):
            answers[i] = _dump_determination(determination)
    return answers


def assess_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Assess a plan's levels of ambition (``POST /api/v1/ambitions``): the same request, actuals
    optional, answered per metric and period with significance, trend and each line's worth.

    :raise InvalidInput: as :func:`calculate_payload`.
    :raise UnknownRuleSet: as :func:`calculate_payload`.
    """
    checked, rule_set, pool = prepare_payload(payload)
    ambitions = assess_ambitions(checked, rule_set, current_app.extensions["catalogue"], pool)
    return _dump_ambitions(ambitions)


def load_plan(payload: Any) -> tuple[Plan, RuleSet, Decimal]:
    """:func:`prepare_payload` for callers that keep the plan itself (stored plans and actuals).

    :return: the plan, its rule set and the performance pool in pounds.
    :raise InvalidInput: all problems at once; :raise UnknownRuleSet: when that is the only problem.
    """
    checked, rule_set, pool = prepare_payload(payload)
    return checked.plan, rule_set, pool


def prepare_payload(payload: Any) -> tuple[CheckedPlan, RuleSet, Decimal]:
    """The first half of :func:`calculate_payload`: validate a request and resolve what it leaves
    implicit (the rule set and the pool), answering the plan as the
    :class:`~bcf.validation.CheckedPlan` its checks made, so that :func:`calculate_plans` does not
    check it again.

    :raise InvalidInput: all problems at once; :raise UnknownRuleSet: when that is the only problem.
    """
    extensions = current_app.extensions
    if not isinstance(payload, Mapping):
        kind = "a list" if isinstance(payload, list) else f"{type(payload).__name__} ({payload!r:.40})"
        raise InvalidInput("The request body must be a JSON object.", problems=[
            {"location": "$", "message": f"Must be a JSON object (a plan as api.md describes), not {kind}."}
        ])
    problems: list[dict[str, str]] = []
    try:
        plan: Plan | None = _load_request(payload)
        checked, positions = plan, list(range(len(plan.metrics)))
    except ValidationError as error:
        plan = None
        problems.extend(flatten_messages(error.messages))
        checked, positions = _salvage(payload)

    rule_set: RuleSet | None = None
    unknown: UnknownRuleSet | None = None
    if checked is not None:
        try:
            rule_set = get_rule_set(extensions["rule_sets"], checked.rule_set)
        except UnknownRuleSet as error:
            unknown = error
    sound: CheckedPlan | None = None
    if rule_set is not None and plan is not None:  # the whole request loaded: positions are its own
        sound, cross_problems = checked_plan(plan, rule_set, extensions["catalogue"])
        problems.extend(cross_problems)
    elif rule_set is not None and checked is not None:
        problems.extend(_restore_indexes(check_plan(checked, rule_set, extensions["catalogue"]), positions))

    if plan is not None and plan.p4p_pool is not None:  # sent, and loaded by the schema's own field
        pool, pool_problems = plan.p4p_pool, []
    else:
        pool, pool_problems = _pool(payload, extensions["boards"], extensions["bcf_pool_lookup"])
    problems.extend(pool_problems)

    if unknown is not None:
        if not problems:
            raise unknown
        problems = list(unknown.problems) + problems
    if problems:
        raise InvalidInput(_summary(problems), problems=_capped(problems))
    assert sound is not None and rule_set is not None and pool is not None  # no problems: all resolved
    return sound, rule_set, pool


def _salvage(payload: Mapping[str, Any]) -> tuple[Plan | None, list[int]]:
    """What can be read of an invalid request (:func:`api.salvage.salvage`), for the cross-reference pass.

    :return: a plan of the metric entries and the conditions' evidence that can be read, and each kept
        entry's index in the request; ``None`` when the rule set cannot be told (``rule_set`` of the
        wrong type).
    """
    rule_set = payload.get("rule_set")
    if rule_set is not None and not isinstance(rule_set, str):
        return None, []
    kept, positions = [], []
    raw_metrics = payload.get("metrics")
    if isinstance(raw_metrics, list) and len(raw_metrics) <= (_request.fields["metrics"].max_length):
        for index, item in enumerate(raw_metrics):
            with contextlib.suppress(Unreadable):  # already reported by the schema
                kept.append(salvage(_metric_field, item))
                positions.append(index)
    conditions = None
    raw_conditions = payload.get("conditions")
    if isinstance(raw_conditions, Mapping):  # each condition's evidence that can be read on its own
        evidence = {}
        for name, field in _conditions.fields.items():
            if raw_conditions.get(name) is not None:
                with contextlib.suppress(Unreadable):  # already reported by the schema
                    evidence[name] = salvage(field, raw_conditions[name])
        conditions = Conditions(**evidence)
    hwb_code = payload.get("hwb_code")
    return Plan(hwb_code=hwb_code if isinstance(hwb_code, str) else "", metrics=tuple(kept),
                conditions=conditions, rule_set=rule_set), positions


def _restore_indexes(problems: list[dict[str, str]], positions: list[int]) -> list[dict[str, str]]:
    """Map ``metrics[i]`` in cross-reference problems back to the entry's index in the request."""

    def restore(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return f"metrics[{positions[index]}]" if index < len(positions) else match.group(0)

    return [{"location": _METRIC_INDEX.sub(restore, p["location"]),
             "message": _METRIC_INDEX.sub(restore, p["message"])} for p in problems]


def _pool(payload: Mapping[str, Any], boards: Mapping[str, Any],
          lookup: Callable[[str], Decimal | None]) -> tuple[Decimal | None, list[dict[str, str]]]:
    """The performance pool: as sent, else the board's from the allocation table (api.md).

    A pool that was sent is the schema's to check; an unknown board is an error only without one.
    """
    sent = payload.get("p4p_pool")
    if sent is not None:
        try:
            return _request.fields["p4p_pool"].deserialize(sent), []
        except ValidationError:
            return None, []  # already reported by the schema
    code = payload.get("hwb_code")
    if not isinstance(code, str):
        return None, []  # already reported by the schema
    if code not in boards:
        return None, [{"location": "hwb_code", "message": (
            f"Unknown board {code[:20]!r}: not one of the 152 Health and Wellbeing Boards "
            "(GET /api/v1/hwbs). Send p4p_pool to calculate for it anyway.")}]
    pool = lookup(code)
    if pool is None:
        return None, [{"location": "p4p_pool", "message": (
            f"Required: no allocation table gives {code}'s performance pool. Send p4p_pool in pounds, "
            f"or load an allocation table with `{LOAD_ALLOCATIONS}`.")}]
    return to_money(pool), []


def _summary(problems: list[dict[str, str]]) -> str:
    count = len(problems)
    return f"The request has {count} problem{'s' if count != 1 else ''}; each is listed in errors."


def _capped(problems: list[dict[str, str]]) -> list[dict[str, str]]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    rest = len(problems) - MAX_PROBLEMS
    return problems[:MAX_PROBLEMS] + [{"location": "$", "message": f"… and {rest} more problems."}]

