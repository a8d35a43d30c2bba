"""``POST /api/v1/ambitions``: the tool for setting levels of ambition (api.md)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from api.calculations.results import AmbitionsSchema
from api.calculations.service import assess_payload
from api.calculations.views import REQUEST_BODY, documented, problem_responses
from api.errors import json_body

blp = Blueprint("ambitions", __name__, url_prefix="/api/v1/ambitions",
                description="Setting levels of ambition: significance, trend and what each line is worth")


@blp.route("")
class Ambitions(MethodView):
    @documented(
        blp.doc(requestBody=REQUEST_BODY),
        blp.alt_response(200, schema=AmbitionsSchema, success=True,
                         description="per metric and period: interval, significance, trend, worth"),
        problem_responses(blp),
    )
    def post(self):
        """Assess a plan's levels of ambition before outturn (actuals are not needed)"""
        return assess_payload(json_body())
