"""``POST /api/v1/calculations``: the view reads the JSON body and makes one call to the service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.calculations.results import DeterminationSchema
from api.calculations.schemas import CalculationRequestSchema
from api.calculations.service import calculate_payload
from api.errors import PROBLEM, ProblemSchema, json_body

blp = Blueprint("calculations", __name__, url_prefix="/api/v1/calculations",
                description="The stateless calculator: one board's plan and actuals to pounds")

REQUEST_BODY = {"required": True, "content": {"application/json": {"schema": CalculationRequestSchema}}}


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


def documented(*decorators: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Apply flask-smorest's documentation decorators (``doc``, ``alt_response``) for the OpenAPI
    document only: the view gets the ``_apidoc`` they record, which is what smorest reads when the
    route is registered, and stays itself.

    Each of those decorators also wraps the view in a function that only calls it (through
    ``current_app.ensure_sync``); six such layers cost the calculator ~14 µs a request, for nothing.
    ``decorators`` are listed as they would be stacked, outermost first.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        wrapped = view
        for decorator in reversed(decorators):
            wrapped = decorator(wrapped)
        view._apidoc = wrapped._apidoc  # type: ignore[attr-defined]
        return view

    return decorate


@blp.route("")
class Calculations(MethodView):
    @documented(
        blp.doc(requestBody=REQUEST_BODY),
        blp.alt_response(200, schema=DeterminationSchema, success=True,
                         description="the determination, every figure with its explanation"),
        problem_responses(blp),
    )
    def post(self):
        """Determine one board's April and October 2015 releases from its plan and actuals
        ---
        Thin on purpose: api.calculations.calculate_payload is the one path (also used by the
        spreadsheet upload and stored determinations), and it answers the JSON dict itself.
        """
        return calculate_payload(json_body())
