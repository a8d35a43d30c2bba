"""``POST /api/v1/ambitions``: the tool for setting levels of ambition (api.md)."""

from __future__ import annotations

from flask.views import MethodView

from api.calculations import REQUEST, calculator, problem_responses
from api.parsing import JSON_BODY_PARSER, Blueprint
from calculator import PreparedPlan
from calculator.responses import AmbitionsSchema

blp = Blueprint("ambitions", __name__, url_prefix="/api/v1/ambitions",
                description="Setting levels of ambition: significance, trend and what each line is worth")
blp.ARGUMENTS_PARSER = JSON_BODY_PARSER  # the body is JSON or a 400/413/415


@blp.route("")
class Ambitions(MethodView):
    @blp.arguments(REQUEST)
    @blp.response(200, AmbitionsSchema,
                  description="per metric and period: interval, significance, trend, worth")
    @problem_responses(blp)
    def post(self, prepared: PreparedPlan):
        """Assess a plan's levels of ambition before outturn (actuals are not needed)"""
        return calculator.ambitions(prepared)
