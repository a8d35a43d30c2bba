"""One board's plan under several rule sets side by side (``POST /api/v1/calculations/compare``).

The same request body as ``POST /api/v1/calculations``; ``rule_sets`` (default: every rule set, the
current one first) says which. A plan written for both schemes gives figures one scheme measures and the
other does not (``non_elective_admissions`` by quarter; the April and October periods): a metric-period
that another compared rule set measures is left out for a rule set that does not, and listed in that
rule set's ``left_out``, so one body answers under each. A period that no compared rule set measures is
still an error. Each rule set's answer is exactly what ``POST /api/v1/calculations`` gives for the body
with that ``rule_set`` (the one calculator path); ``rule_set`` in the body, if sent, is not used.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from bcf.errors import InvalidInput
from bcf.results import Determination
from bcf.rules import RuleSet, current_rule_set
from calculator.problems import capped, summary

if TYPE_CHECKING:
    from calculator.service import Calculator


class Compared(NamedTuple):
    """One rule set's answer: its determination and the metric-periods left out for it."""

    rule_set: str
    name: str
    current: bool
    left_out: list[dict[str, str]]
    determination: Determination


def default_rule_sets(rule_sets: Mapping[str, RuleSet]) -> list[str]:
    """Every rule set, the current one first, the others by id."""
    current = current_rule_set(rule_sets).id
    return [current, *sorted(r for r in rule_sets if r != current)]


def _measured(rule_set: RuleSet) -> set[tuple[str, str]]:
    return {(metric, period) for period, metrics in rule_set.periods.items() for metric in metrics}


def _for_rule_set(payload: Mapping[str, Any], rule_set_id: str, measured: Mapping[str, set],
                  ) -> tuple[dict[str, Any], list[dict[str, str]], list[int]]:
    """The body as sent to one rule set: what only another compared rule set measures left out.

    :return: the body, the metric-periods left out, and each kept metric entry's index in the request.
    """
    body = {key: copy.deepcopy(value) for key, value in payload.items() if key != "rule_set"}
    body["rule_set"] = rule_set_id
    left_out: list[dict[str, str]] = []
    raw = body.get("metrics")
    if not isinstance(raw, list):
        return body, left_out, []
    kept, positions = [], []
    for index, entry in enumerate(raw):
        metric = entry.get("metric") if isinstance(entry, Mapping) else None
        periods = entry.get("periods") if isinstance(entry, Mapping) else None
        if not isinstance(metric, str) or not isinstance(periods, Mapping):
            kept.append(entry)
            positions.append(index)
            continue
        others = [m for other, m in measured.items() if other != rule_set_id]
        leave = [period for period in periods if (metric, period) not in measured[rule_set_id]
                 and any((metric, period) in m for m in others)]
        left_out += [{"metric": metric, "period": period} for period in leave]
        if len(leave) == len(periods) and periods:
            continue
        kept.append({**entry, "periods": {p: v for p, v in periods.items() if p not in leave}})
        positions.append(index)
    body["metrics"] = kept
    return body, left_out, positions


def compare(calculator: Calculator, payload: Any, rule_set_ids: Sequence[str] | None) -> list[Compared]:
    """The plan's determination under each rule set, in the order asked.

    :raise InvalidInput: an unknown or repeated rule set, or the plan's problems under any of them (each
        problem once; those of one rule set name it).
    """
    from calculator.service import _restore_indexes  # the calculator's own index mapping

    rule_sets = calculator.rule_sets
    ids = list(rule_set_ids) if rule_set_ids else default_rule_sets(rule_sets)
    problems: list[dict[str, str]] = []
    known = ", ".join(sorted(rule_sets))
    for i, rule_set_id in enumerate(ids):
        if rule_set_id not in rule_sets:
            problems.append({"location": f"rule_sets[{i}]", "message": f"unknown rule set; known: {known}"})
        elif ids.index(rule_set_id) != i:
            problems.append({"location": f"rule_sets[{i}]", "message": f"{rule_set_id} is named twice"})
    if problems:
        raise InvalidInput(summary(problems), problems=problems)
    measured = {rule_set_id: _measured(rule_sets[rule_set_id]) for rule_set_id in ids}
    answers = []
    for rule_set_id in ids:
        body, left_out, positions = _for_rule_set(payload, rule_set_id, measured)
        try:
            prepared = calculator.prepare(body)
        except InvalidInput as error:
            for problem in _restore_indexes(list(error.problems), positions):
                if problem not in problems:
                    problems.append(problem)
            continue
        rule_set = rule_sets[rule_set_id]
        answers.append(Compared(rule_set_id, rule_set.name, rule_set.current, left_out,
                                calculator.determine([prepared])[0]))
    if problems:
        raise InvalidInput(summary(problems), problems=capped(problems))
    return answers
