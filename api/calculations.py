"""``POST /api/v1/calculations``: the stateless calculator, one board's plan and actuals to pounds.

The view is thin: :class:`calculator.CalculationRequestSchema` reads and checks the body (every problem
at once, as a 422 problem), the app's :class:`calculator.Calculator` determines it, and
:class:`calculator.responses.DeterminationSchema` writes the answer. Other views reach the same
calculator through :data:`calculator`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from marshmallow import ValidationError, fields, post_load
from werkzeug.local import LocalProxy

from api.errors import PROBLEM, ProblemSchema
from api.parsing import JSON_BODY_PARSER, Blueprint
from bcf.errors import InvalidInput
from calculator import Calculator, PreparedPlan, service
from calculator.compare import compare
from calculator.fields import BoundedList
from calculator.problems import flatten_messages, summary
from calculator.requests import CODE, PlanSchema
from calculator.responses import DeterminationSchema

# The app's calculator (create_app builds it from reference_data/)
calculator: Calculator = LocalProxy(lambda: current_app.extensions["calculator"])  # type: ignore[assignment]


class CalculationRequestSchema(service.CalculationRequestSchema):
    """The request checked by the app's calculator: one instance (and its ~50 nested schemas) serves
    every request of every app."""

    @property
    def calculator(self) -> Calculator:
        return current_app.extensions["calculator"]


REQUEST = CalculationRequestSchema()

blp = Blueprint("calculations", __name__, url_prefix="/api/v1/calculations",
                description="The stateless calculator: one board's plan and actuals to pounds")
blp.ARGUMENTS_PARSER = JSON_BODY_PARSER  # the body is JSON or a 400/413/415


def problem_responses(blp: Blueprint):
    """The problem+json answers a calculator view can give (documentation; the handlers set them)."""

    def decorate(view):
        for status, description in (
            (400, "malformed JSON"),
            (413, "body larger than 10 MB"),
            (415, "body is not application/json"),
            (422, "invalid input, every problem listed in errors with its JSON-path location; "
                  "or an unknown rule set (the known ids are listed)"),
        ):
            view = blp.alt_response(status, schema=ProblemSchema, content_type=PROBLEM,
                                    description=description)(view)
        return view

    return decorate


@blp.route("")
class Calculations(MethodView):
    @blp.arguments(REQUEST)
    @blp.response(200, DeterminationSchema,
                  description="the determination, every figure with its explanation")
    @problem_responses(blp)
    def post(self, prepared: PreparedPlan):
        """Determine one board's April and October 2015 releases from its plan and actuals"""
        return calculator.determine([prepared])[0]


# --- POST /api/v1/calculations/compare: one plan under several rule sets (issue 13 §3) ---------------


class CompareRequestSchema(PlanSchema):
    """The body of ``POST /api/v1/calculations``, and which rule sets to answer it under."""

    rule_sets = BoundedList(fields.String(validate=CODE), min_length=1, max_length=10, load_default=None,
                            metadata={"description": "rule set ids to compare (GET /api/v1/rule-sets); "
                                                     "default every rule set, the current one first. "
                                                     "rule_set, if sent, is not used",
                                      "example": ["bcf-2015-16", "bcf-2015-16-revised"]})

    @post_load(pass_original=True)
    def make(self, data: dict, original: Any, **kwargs: Any) -> dict:  # type: ignore[override]
        return {"payload": {key: value for key, value in original.items() if key != "rule_sets"},
                "rule_sets": data["rule_sets"]}

    def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs: Any) -> None:
        messages = error.messages
        rule_sets_problems = messages.pop("rule_sets", None) if isinstance(messages, dict) else None
        payload = {k: v for k, v in data.items() if k != "rule_sets"} if isinstance(data, Mapping) else data
        if not error.messages:  # only rule_sets is wrong
            raise InvalidInput(summary(list(flatten_messages({"rule_sets": rule_sets_problems}))),
                               problems=list(flatten_messages({"rule_sets": rule_sets_problems})))
        refusal = calculator.refusal(error, payload)
        if rule_sets_problems is not None:
            refusal.problems = [*flatten_messages({"rule_sets": rule_sets_problems}), *refusal.problems]
        raise refusal


class LeftOutSchema(ma.Schema):
    metric = fields.String(required=True, metadata={"example": "non_elective_admissions"})
    period = fields.String(required=True, metadata={"example": "q4-2014-15"})


class ComparedSchema(ma.Schema):
    rule_set = fields.String(required=True, metadata={"example": "bcf-2015-16-revised"})
    name = fields.String()
    current = fields.Boolean(metadata={"description": "the rule set a request gets when it names none"})
    left_out = fields.List(fields.Nested(LeftOutSchema), metadata={
        "description": "metric-periods of the body that only another compared rule set measures, "
                       "left out for this one"})
    determination = fields.Nested(DeterminationSchema, metadata={
        "description": "what POST /api/v1/calculations answers for the body under this rule set"})


class ComparisonSchema(ma.Schema):
    hwb_code = fields.String(required=True)
    rule_sets = fields.List(fields.Nested(ComparedSchema), metadata={
        "description": "one answer per rule set, in the order asked, side by side"})


COMPARE_REQUEST = CompareRequestSchema()


@blp.route("/compare")
class Comparison(MethodView):
    @blp.arguments(COMPARE_REQUEST)
    @blp.response(200, ComparisonSchema,
                  description="the board's determination under each rule set, side by side")
    @problem_responses(blp)
    def post(self, body: dict):
        """Answer one board's plan under several rule sets side by side (default: all of them)"""
        answers = compare(calculator, body["payload"], body["rule_sets"])
        return {"hwb_code": answers[0].determination.hwb_code, "rule_sets": [a._asdict() for a in answers]}
