"""Stored determinations: ``POST|GET /api/v1/hwbs/{code}/determinations``, ``GET …/{id}``, ``GET …/current``.

POST merges the board's current plan with its current actuals into one api.md request and runs the
calculator's one code path (:meth:`calculator.Calculator.calculate`); the answer is stored unchanged
with the rule set, the versions used and who asked. ``GET …/{id}`` returns it exactly as stored.
``GET …/current`` is the latest determination with ``held_back_use`` brought up to date from the
recovery-plan workflow of each tranche's payment (rules §6: ``recovery_plan`` while under way or agreed,
``nhs_england_direction`` after a direction).
"""

from __future__ import annotations

import marshmallow as ma
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

MONEY_SUMS = "{available, released, held_back} in pounds; released and held_back are null while pending"


class RequesterSchema(ma.Schema):
    token_id = ma.fields.Integer(allow_none=True, metadata={"description": "null: the operator's CLI"})
    name = ma.fields.String()


class DeterminationSummarySchema(ma.Schema):
    """What the list shows of each determination (storage.determinations.describe without the result)."""

    id = ma.fields.Integer()
    hwb_code = ma.fields.String()
    rule_set = ma.fields.String()
    plan_version = ma.fields.Integer()
    actuals_versions = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), metadata={
        "description": "period → the actuals version used (absent: no actuals for that period)"})
    requested_by = ma.fields.Nested(RequesterSchema)
    created_at = ma.fields.String(metadata={"format": "date-time"})
    recovery_plan_required = ma.fields.Boolean(allow_none=True)
    totals = ma.fields.Dict(allow_none=True, metadata={
        "description": "the whole year's totals as the calculator answered them (null until October's "
                       "outturn)"})
    payments = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Dict(), metadata={
        "description": f"payment → {MONEY_SUMS}"})


class DeterminationRecordSchema(DeterminationSummarySchema):
    """A stored determination: the request the calculator was given and its answer, exactly as stored."""

    request = ma.fields.Dict(metadata={"description": "the merged api.md request (as POST "
                                                      "/api/v1/calculations takes it)"})
    result = ma.fields.Dict(metadata={"description": "the calculator's answer, as POST /api/v1/calculations "
                                                     "gave it"})


class PlanStateSchema(ma.Schema):
    payment = ma.fields.String()
    state = ma.fields.String()
    determination_id = ma.fields.Integer()


class CurrentDeterminationSchema(DeterminationRecordSchema):
    """The latest determination, its ``result``'s held-back money's use brought up to date."""

    recovery_plans = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(PlanStateSchema),
                                    metadata={"description": "payment → its recovery plan's state"})
    recovery_plan = ma.fields.Nested(PlanStateSchema, allow_none=True, metadata={
        "description": "the most recently opened recovery plan (null: none)"})


@blp.route("/<code>/determinations")
class Determinations(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.response(200, DeterminationSummarySchema(many=True))
    def get(self, code):
        """List the board's determinations, oldest first (without the full results)"""
        rows = determinations.list_for(database.session(), code)
        return [determinations.describe(row, with_result=False) for row in rows]

    @protected(blp, "hwb", "assurance")
    @blp.response(201, DeterminationRecordSchema, headers={
        "Location": {"description": "the stored determination", "schema": {"type": "string"}}})
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
    @blp.response(200, DeterminationRecordSchema)
    def get(self, code, determination_id):
        """Read one determination exactly as it was stored"""
        row = determinations.get(database.session(), code, determination_id)
        if row is None:
            raise NotFound(f"No determination {determination_id} for {code}.")
        return determinations.describe(row)


@blp.route("/<code>/determinations/current")
class CurrentDetermination(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.response(200, CurrentDeterminationSchema)
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
