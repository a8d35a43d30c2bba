"""``POST /api/v1/calculations``: the stateless calculator, one board's plan and actuals to pounds.

The view is thin: :class:`calculator.CalculationRequestSchema` reads and checks the body (every problem
at once, as a 422 problem), the app's :class:`calculator.Calculator` determines it, and
:class:`calculator.responses.DeterminationSchema` writes the answer. Other views reach the same
calculator through :data:`calculator`.
"""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from werkzeug.local import LocalProxy

from api.errors import PROBLEM, ProblemSchema
from api.parsing import JSON_BODY_PARSER, Blueprint
from calculator import Calculator, PreparedPlan, service
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
