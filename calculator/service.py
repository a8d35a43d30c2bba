"""The one code path from an api.md JSON plan to the JSON answer (TEAM.md §3).

``POST /api/v1/calculations``, the spreadsheet upload, the ``bcf calculate`` console script and stored
determinations all call a :class:`Calculator`, so there is one validation and one determination. It
is given the rule sets, catalogue, boards and pool lookup it works with, and knows nothing of Flask.

A request is read by :class:`CalculationRequestSchema`, marshmallow's ``load`` with two hooks:

- ``post_load`` checks the loaded plan against the reference data (:func:`bcf.validation.checked_plan`:
  unknown metric, a period the rule set does not pay, …) and resolves what it leaves implicit (the rule
  set, the pool), loading to a :class:`PreparedPlan`;
- ``handle_error`` reports the schema's problems (types, ranges, count blocks, unknown keys) together
  with the cross-reference problems of what :func:`calculator.salvage.salvage` can read of the rest: a
  value the schema refused is passed over (it is reported once, by the schema), the rest of its entry is
  checked. An entry whose metric, definition or periods cannot be read is left out, and the checks'
  locations are mapped back to each entry's own index.

Either way every problem is raised at once, as one :class:`~bcf.errors.InvalidInput`, each with a
JSON-path ``location``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any, NamedTuple

from marshmallow import ValidationError, fields, post_load

from bcf.boards import Board
from bcf.catalogue import Catalogue
from bcf.determination import assess_ambitions, determine_many
from bcf.errors import InvalidInput, UnknownRuleSet
from bcf.money import to_money
from bcf.plan import Conditions, Plan
from bcf.results import Ambitions, Determination
from bcf.rules import RuleSet, get_rule_set
from bcf.simulation import SimulationSettings, simulate, without_actuals
from bcf.validation import CheckedPlan, check_plan, checked_plan
from calculator.problems import capped, flatten_messages, summary
from calculator.requests import ConditionsSchema, PlanSchema
from calculator.responses import AmbitionsSchema, DeterminationSchema
from calculator.salvage import Unreadable, salvage
from calculator.simulation import SimulationRequestSchema

LOAD_ALLOCATIONS = "flask --app wsgi bcf load-allocations FILE…"
_METRIC_INDEX = re.compile(r"\bmetrics\[(\d+)\]")
Problems = list[dict[str, str]]


class PreparedPlan(NamedTuple):
    """A request that passed every check: the plan as checked, its rule set and its pool in pounds."""

    checked: CheckedPlan
    rule_set: RuleSet
    pool: Decimal
    simulation: SimulationSettings | None = None  # the request's simulation block, if it has one


class Calculator:
    """Plans to determinations, over the reference data it is given.

    :param rule_sets: by id (``GET /api/v1/rule-sets``); a request without ``rule_set`` gets the current one.
    :param catalogue: the metric catalogue.
    :param boards: the 152 boards by code.
    :param pool_lookup: a board's performance pool from the loaded allocation table, or None.
    """

    def __init__(self, rule_sets: Mapping[str, RuleSet], catalogue: Catalogue, boards: Mapping[str, Board],
                 pool_lookup: Callable[[str], Decimal | None]):
        self.rule_sets, self.catalogue, self.boards = rule_sets, catalogue, boards
        self.pool_lookup = pool_lookup
        self.request_schema = CalculationRequestSchema(self)
        self._dump_determination = DeterminationSchema().dump
        self._dump_ambitions = AmbitionsSchema().dump

    # --- from a request dict to an answer dict (what storage and spreadsheets keep) -----------------

    def calculate(self, payload: Any) -> dict[str, Any]:
        """Determine one board's releases from an api.md request dict; answer the api.md response dict.

        The answer holds only JSON types and :class:`~decimal.Decimal` money to the penny, ready for
        :func:`calculator.json_text.dumps`, a CSV writer or a JSON column.

        :param payload: the request, as parsed JSON (strings for numbers are accepted, as CSV gives them).
        :raise InvalidInput: every problem in the request at once, each ``{"location", "message"}``.
        :raise UnknownRuleSet: ``rule_set`` names no known rule set (the message lists the known ids).
        """
        return self.calculate_many([self.prepare(payload)])[0]

    def calculate_many(self, prepared: Sequence[PreparedPlan]) -> list[dict[str, Any]]:
        """The answers for many boards already prepared, in order: each is what :meth:`calculate` gives.

        A spreadsheet upload prepares every board first (nothing is computed if one is wrong), then
        hands them all here, so the boards of each rule set are determined together.
        """
        return [self._dump_determination(d) for d in self.determine(prepared)]

    def assess(self, payload: Any) -> dict[str, Any]:
        """Assess a plan's levels of ambition (``POST /api/v1/ambitions``): the same request, actuals
        optional, answered per metric and period with significance, trend and each line's worth.

        :raise InvalidInput: as :meth:`calculate`; :raise UnknownRuleSet: as :meth:`calculate`.
        """
        return self._dump_ambitions(self.ambitions(self.prepare(payload)))

    # --- the steps ----------------------------------------------------------------------------------

    def prepare(self, payload: Any) -> PreparedPlan:
        """Validate a request and resolve the rule set and pool it leaves implicit.

        :raise InvalidInput: all problems at once; :raise UnknownRuleSet: when that is the only problem.
        """
        return self.request_schema.load(payload)

    def determine(self, prepared: Sequence[PreparedPlan]) -> list[Determination]:
        """The determinations of prepared plans, in order; the plans of each rule set are determined
        together (:func:`bcf.determination.determine_many`: one :mod:`metrics` call per statistic type)."""
        answers: list[Determination | None] = [None] * len(prepared)
        by_rule_set: dict[str, list[int]] = {}
        for index, plan in enumerate(prepared):
            by_rule_set.setdefault(plan.rule_set.id, []).append(index)
        for indexes in by_rule_set.values():
            rule_set = prepared[indexes[0]].rule_set
            plans, pools = [prepared[i].checked for i in indexes], [prepared[i].pool for i in indexes]
            for i, determination in zip(indexes, determine_many(plans, rule_set, self.catalogue, pools),
                                        strict=True):
                answers[i] = self._simulated(prepared[i], determination)
        return answers  # type: ignore[return-value]  # every index was filled

    def ambitions(self, prepared: PreparedPlan) -> Ambitions:
        """The assessment of one prepared plan's levels of ambition (with its odds, when asked: those of
        the plan's determination before outturn)."""
        ambitions = assess_ambitions(prepared.checked, prepared.rule_set, self.catalogue, prepared.pool)
        if prepared.simulation is None:
            return ambitions
        plan = without_actuals(prepared.checked.plan)
        [determination] = determine_many([plan], prepared.rule_set, self.catalogue, [prepared.pool])
        return replace(ambitions, simulation=simulate(plan, determination, prepared.rule_set,
                                                      self.catalogue, prepared.simulation))

    def _simulated(self, prepared: PreparedPlan, determination: Determination) -> Determination:
        """The determination with its odds when the request asked for a simulation (issue 13 §1)."""
        if prepared.simulation is None:
            return determination
        return replace(determination, simulation=simulate(
            prepared.checked.plan, determination, prepared.rule_set, self.catalogue, prepared.simulation))

    # --- what the request schema's hooks call ---------------------------------------------------------

    def check(self, plan: Plan) -> PreparedPlan:
        """A plan the schema loaded, checked against the reference data (the schema's ``post_load``).

        :raise InvalidInput: the cross-reference and pool problems; :raise UnknownRuleSet: when alone.
        """
        rule_set, unknown = self._rule_set(plan.rule_set)
        sound: CheckedPlan | None = None
        problems: Problems = []
        if rule_set is not None:
            sound, problems = checked_plan(plan, rule_set, self.catalogue)
        pool, pool_problems = (plan.p4p_pool, []) if plan.p4p_pool is not None else self._pool(plan.hwb_code)
        refusal = _refusal(unknown, problems + pool_problems)
        if refusal is not None:
            raise refusal
        assert sound is not None and rule_set is not None and pool is not None  # no problems: all resolved
        return PreparedPlan(sound, rule_set, pool)

    def refusal(self, error: ValidationError, payload: Any) -> InvalidInput | UnknownRuleSet:
        """The schema's problems with those found in what can be read of the rest (``handle_error``)."""
        if not isinstance(payload, Mapping):
            kind = "a list" if isinstance(payload, list) else f"{type(payload).__name__} ({payload!r:.40})"
            message = f"Must be a JSON object (a plan as api.md describes), not {kind}."
            return InvalidInput("The request body must be a JSON object.",
                                problems=[{"location": "$", "message": message}])
        problems = list(flatten_messages(error.messages))
        readable, positions = self._salvage(payload)
        unknown = None
        if readable is not None:
            rule_set, unknown = self._rule_set(readable.rule_set)
            if rule_set is not None:
                problems += _restore_indexes(check_plan(readable, rule_set, self.catalogue), positions)
        if "hwb_code" not in error.messages:  # a code the schema refused is not looked up as well
            problems += self._sent_pool_or_lookup(payload)
        refusal = _refusal(unknown, problems)
        assert refusal is not None  # a schema error is at least one problem
        return refusal

    def _rule_set(self, rule_set_id: str | None) -> tuple[RuleSet | None, UnknownRuleSet | None]:
        try:
            return get_rule_set(self.rule_sets, rule_set_id), None
        except UnknownRuleSet as error:
            return None, error

    def _salvage(self, payload: Mapping[str, Any]) -> tuple[Plan | None, list[int]]:
        """What can be read of an invalid request (:func:`calculator.salvage.salvage`).

        :return: a plan of the metric entries and the conditions' evidence that can be read, and each kept
            entry's index in the request; ``None`` when the rule set cannot be told (``rule_set`` of the
            wrong type).
        """
        rule_set = payload.get("rule_set")
        if rule_set is not None and not isinstance(rule_set, str):
            return None, []
        metrics_field = self.request_schema.fields["metrics"]
        kept, positions = [], []
        raw_metrics = payload.get("metrics")
        if isinstance(raw_metrics, list) and len(raw_metrics) <= metrics_field.max_length:
            for index, item in enumerate(raw_metrics):
                with contextlib.suppress(Unreadable):  # already reported by the schema
                    kept.append(salvage(metrics_field.inner, item))
                    positions.append(index)
        conditions = None
        raw_conditions = payload.get("conditions")
        if isinstance(raw_conditions, Mapping):  # each condition's evidence that can be read on its own
            evidence = {}
            for name, field in _CONDITIONS.fields.items():
                if raw_conditions.get(name) is not None:
                    with contextlib.suppress(Unreadable):  # already reported by the schema
                        evidence[name] = salvage(field, raw_conditions[name])
            conditions = Conditions(**evidence)
        hwb_code = payload.get("hwb_code")
        return Plan(hwb_code=hwb_code if isinstance(hwb_code, str) else "", metrics=tuple(kept),
                    conditions=conditions, rule_set=rule_set), positions

    def _sent_pool_or_lookup(self, payload: Mapping[str, Any]) -> Problems:
        """The pool's problems in an invalid request: a pool that was sent is the schema's to check;
        an unknown board is a problem only without one."""
        if payload.get("p4p_pool") is not None:
            return []
        code = payload.get("hwb_code")
        if not isinstance(code, str):
            return []  # already reported by the schema
        return self._pool(code)[1]

    def _pool(self, code: str) -> tuple[Decimal | None, Problems]:
        """The board's pool from the allocation table (api.md: when ``p4p_pool`` is not sent)."""
        if code not in self.boards:
            return None, [{"location": "hwb_code", "message": (
                f"Unknown board {code[:20]!r}: not one of the 152 Health and Wellbeing Boards "
                "(GET /api/v1/hwbs). Send p4p_pool to calculate for it anyway.")}]
        pool = self.pool_lookup(code)
        if pool is None:
            return None, [{"location": "p4p_pool", "message": (
                f"Required: no allocation table gives {code}'s performance pool. Send p4p_pool in pounds, "
                f"or load an allocation table with `{LOAD_ALLOCATIONS}`.")}]
        return to_money(pool), []


class CalculationRequestSchema(PlanSchema):
    """One board's plan with whatever actuals have arrived (api.md ``POST /api/v1/calculations``), checked
    by its calculator: it loads to a :class:`PreparedPlan` or raises every problem at once.

    :param calculator: whose reference data the plan is checked against (the service's subclass takes
        the app's instead, so that one schema instance serves every app).
    """

    def __init__(self, calculator: Calculator | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self._calculator = calculator

    @property
    def calculator(self) -> Calculator:
        assert self._calculator is not None, "a CalculationRequestSchema needs its calculator"
        return self._calculator

    simulation = fields.Nested(SimulationRequestSchema, load_default=None, allow_none=True, metadata={
        "description": "ask for the odds of the releases (issue 13 §1): outturns drawn about the planned "
                       "values and the baselines; absent, nothing is simulated"})

    @post_load
    def make(self, data: dict, **kwargs: Any) -> PreparedPlan:  # type: ignore[override]
        return self.calculator.check(super().make(data))._replace(simulation=data.get("simulation"))

    def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs: Any) -> None:
        raise self.calculator.refusal(error, data)


def _refusal(unknown: UnknownRuleSet | None, problems: Problems) -> InvalidInput | UnknownRuleSet | None:
    """Every problem as one error (an unknown rule set alone as itself); None when there are none."""
    if unknown is not None:
        if not problems:
            return unknown
        problems = list(unknown.problems) + problems
    return InvalidInput(summary(problems), problems=capped(problems)) if problems else None


def _restore_indexes(problems: Problems, positions: list[int]) -> Problems:
    """Map ``metrics[i]`` in cross-reference problems back to the entry's index in the request."""

    def restore(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return f"metrics[{positions[index]}]" if index < len(positions) else match.group(0)

    return [{"location": _METRIC_INDEX.sub(restore, p["location"]),
             "message": _METRIC_INDEX.sub(restore, p["message"])} for p in problems]


_CONDITIONS = ConditionsSchema()
