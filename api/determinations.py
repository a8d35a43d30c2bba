"""Stored determinations: ``POST|GET /api/v1/hwbs/{code}/determinations``, ``GET …/{id}``, ``GET …/current``.

POST merges the board's current plan with its current actuals into one api.md request and runs the
calculator's one code path (:meth:`calculator.Calculator.calculate`); the answer is stored unchanged
with the rule set, the versions used and who asked. ``GET …/{id}`` returns it exactly as stored.
``GET …/current`` is the latest determination with ``held_back_use`` brought up to date from the
recovery-plan workflow of each tranche's payment (rules §6: ``recovery_plan`` while under way or agreed,
``nhs_england_direction`` after a direction).
"""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from api import database
from api.auth import actor, protected
from api.calculations import calculator
from api.parsing import Blueprint
from api.stored_inputs import periods
from bcf.recovery import current_determination
from storage import determinations, workflow
from storage.errors import NotFound

blp = Blueprint("determinations", __name__, url_prefix="/api/v1/hwbs",
                description="Determinations from the stored plan and actuals, kept exactly as answered.")


@blp.route("/<code>/determinations")
class Determinations(MethodView):
    @protected(blp, "hwb", "assurance")
    def get(self, code):
        """List the board's determinations, oldest first (without the full results)"""
        rows = determinations.list_for(database.session(), code)
        return [determinations.describe(row, with_result=False) for row in rows]

    @protected(blp, "hwb", "assurance")
    def post(self, code):
        """Determine from the stored plan and actuals, and keep the result"""
        session = database.session()
        request_body, plan_version, actuals_versions = determinations.merge_request(
            session, code, sorted(periods()))
        result = calculator.calculate(request_body)
        row = determinations.record(session, actor(), code, plan_version=plan_version,
                                    actuals_versions=actuals_versions, request=request_body, result=result)
        location = url_for("determinations.Determination", code=code, determination_id=row.id)
        return determinations.describe(row), 201, {"Location": location}


@blp.route("/<code>/determinations/<id:determination_id>")
class Determination(MethodView):
    @protected(blp, "hwb", "assurance")
    def get(self, code, determination_id):
        """Read one determination exactly as it was stored"""
        row = determinations.get(database.session(), code, determination_id)
        if row is None:
            raise NotFound(f"No determination {determination_id} for {code}.")
        return determinations.describe(row)


@blp.route("/<code>/determinations/current")
class CurrentDetermination(MethodView):
    @protected(blp, "hwb", "assurance")
    def get(self, code):
        """The latest determination, its held-back money's use reflecting the recovery-plan workflow"""
        session = database.session()
        row = determinations.latest(session, code)
        if row is None:
            raise NotFound(f"No determination has been made for {code} yet.")
        plans = workflow.list_for(session, code)
        out = determinations.describe(row)
        out["result"] = current_determination(row.result, {plan.payment: plan.state for plan in plans})
        summaries = {plan.payment: {"payment": plan.payment, "state": plan.state,
                                    "determination_id": plan.determination_id} for plan in plans}
        out["recovery_plans"] = summaries  # per payment: {payment: {state, determination_id}}
        # the most recently opened plan (a board had one per year before plans were per payment)
        out["recovery_plan"] = summaries[plans[-1].payment] if plans else None
        return out
