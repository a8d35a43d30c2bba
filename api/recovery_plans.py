"""The recovery-plan workflow (Annex I paras 53–57; rules §6), one per board and payment.

A board has a recovery plan for each payment (``april-2015``, ``october-2015``) whose metrics tranche fell
below the threshold, opened by the determination that found it: October's shortfall gets its own plan
after April's was agreed.

- ``GET  /api/v1/hwbs/{code}/recovery-plans`` — the board's plans, one per payment, oldest first.
- ``GET  /api/v1/hwbs/{code}/recovery-plan/{payment}`` — state, agreements, direction, sign-off, history
  and the transitions allowed now.
- ``POST …/recovery-plan/{payment}`` — the board submits its plan: ``{"plan": {...}, "note"}``
  (``required → submitted``).
- ``POST …/recovery-plan/{payment}/transitions`` — ``{"to": "agreed" | "not_agreed" |
  "nhs_england_direction" | "submitted", "note", "direction", "plan"}``.
- ``POST …/recovery-plan/{payment}/agreements`` — ``{"party": "hwb" | "nhs_england" | "peer_reviewer",
  "note"}``: the board records its own with its token; NHS England's and the peer reviewer's each come from
  an assurance token that holds that party (``create-token --role assurance --party …``), so one token
  cannot record both.
- ``POST …/recovery-plan/{payment}/sign-off`` — ``{"minister": "...", "note"}`` on ``agreed`` or
  ``nhs_england_direction`` (assurance).

``…/recovery-plan`` without a payment (api.md's path, and its transitions) is the board's recovery plan
while it has one; once it has plans for more than one payment it is 409 naming them, and the client says
which with ``…/recovery-plan/{payment}``.

A move the workflow does not allow is 409 with ``allowed`` listing the moves that are; every step is audited.
"""

from __future__ import annotations

import marshmallow as ma
from flask import abort
from flask.views import MethodView

from api import database
from api.auth import actor, protected
from api.parsing import Blueprint
from api.stored_inputs import periods
from storage import workflow
from storage.audit import with_article
from storage.errors import Conflict, NotFound

blp = Blueprint("recovery_plans", __name__, url_prefix="/api/v1/hwbs",
                description="The recovery-plan workflow of Annex I paras 53–57.")


class RecoveryPlanSchema(ma.Schema):
    """Where a recovery plan stands (storage.workflow.describe)."""

    hwb_code = ma.fields.String()
    payment = ma.fields.String(metadata={"example": "october-2015"})
    determination_id = ma.fields.Integer(metadata={"description": "the determination that opened it"})
    state = ma.fields.String(metadata={"enum": list(workflow.STATES)})
    version = ma.fields.Integer(metadata={"description": "bumped on every change"})
    held_back_use = ma.fields.String(metadata={"description": "what the held-back money is for now (§6)"})
    allowed_transitions = ma.fields.List(ma.fields.String())
    plan = ma.fields.Dict(allow_none=True, metadata={"description": "what the board submitted"})
    agreements = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Dict(),
                                metadata={"description": "party → {by, token_id, at, note}"})
    awaiting_agreement = ma.fields.List(ma.fields.String())
    direction = ma.fields.Dict(allow_none=True, metadata={"description": "NHS England's direction"})
    sign_off = ma.fields.Dict(allow_none=True, metadata={"description": "the ministerial sign-off"})
    history = ma.fields.List(ma.fields.Dict(), metadata={"description": "[{from, to, by, at, note}]"})
    created_at = ma.fields.String(metadata={"format": "date-time"})
    updated_at = ma.fields.String(metadata={"format": "date-time"})


class SubmissionSchema(ma.Schema):
    plan = ma.fields.Dict(required=True,
                          metadata={"description": "The recovery plan: actions, owners, dates."})
    note = ma.fields.String()


class TransitionSchema(ma.Schema):
    to = ma.fields.String(required=True, validate=ma.validate.OneOf(workflow.STATES))
    note = ma.fields.String()
    plan = ma.fields.Dict(metadata={"description": "With to=submitted: the recovery plan."})
    direction = ma.fields.String(metadata={"description": "With to=nhs_england_direction: how the held-back "
                                                          "money is to be used."})

    @ma.validates_schema
    def _details_for_the_move(self, data, **_kwargs):
        needs = {"submitted": "plan", "nhs_england_direction": "direction"}.get(data.get("to"))
        if needs and not data.get(needs):
            raise ma.ValidationError(f"Required when to is {data['to']}.", needs)


class AgreementSchema(ma.Schema):
    party = ma.fields.String(required=True, validate=ma.validate.OneOf(tuple(workflow.PARTIES)))
    note = ma.fields.String()


class SignOffSchema(ma.Schema):
    minister = ma.fields.String(required=True, validate=ma.validate.Length(min=1))
    note = ma.fields.String()


def _plan(code: str, payment: str | None):
    session = database.session()
    if payment is not None:
        if payment not in periods():
            abort(404, f"No payment {payment!r}; known: {', '.join(sorted(periods()))}.")
        plan = workflow.find(session, code, payment)
        if plan is None:
            raise NotFound(f"{code} has no {payment} recovery plan: none of its determinations has required "
                           "one for that payment.")
        return plan
    plans = workflow.list_for(session, code)
    if not plans:
        raise NotFound(f"{code} has no recovery plan: none of its determinations has required one.")
    if len(plans) > 1:
        payments = [p.payment for p in plans]
        raise Conflict(f"{code} has a recovery plan for each of {', '.join(payments)}: say which, "
                       f"/api/v1/hwbs/{code}/recovery-plan/{{payment}}.", payments=payments)
    return plans[0]


def _may(role: str) -> None:
    if actor().role != role:
        abort(403, f"This step is recorded by {with_article(role)} token, not "
                   f"{with_article(actor().role)} one.")


def _move(code: str, payment: str | None, to: str, **details):
    plan = _plan(code, payment)
    _may(workflow.role_for(plan, to))  # 409 first if the move is not allowed at all, then the role
    return workflow.describe(workflow.transition(database.session(), actor(), plan, to, **details))


def _agree(code: str, payment: str | None, data: dict):
    plan = _plan(code, payment)
    workflow.check_party(actor(), data["party"])
    return workflow.describe(workflow.record_agreement(database.session(), actor(), plan, data["party"],
                                                       data.get("note")))


def _sign_off(code: str, payment: str | None, data: dict):
    plan = _plan(code, payment)
    _may(workflow.SIGN_OFF_ROLE)
    return workflow.describe(workflow.record_sign_off(database.session(), actor(), plan, data["minister"],
                                                      data.get("note")))


@blp.route("/<code>/recovery-plans")
class RecoveryPlans(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.response(200, RecoveryPlanSchema(many=True))
    def get(self, code):
        """The board's recovery plans, one per payment that needed one, oldest first"""
        return [workflow.describe(plan) for plan in workflow.list_for(database.session(), code)]


@blp.route("/<code>/recovery-plan/<payment>")
class PaymentRecoveryPlan(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.response(200, RecoveryPlanSchema)
    def get(self, code, payment):
        """Where the board's recovery plan for one payment stands, and which transitions are allowed now"""
        return workflow.describe(_plan(code, payment))

    @protected(blp, "hwb", "assurance")
    @blp.response(200, RecoveryPlanSchema)
    @blp.arguments(SubmissionSchema)
    def post(self, data, code, payment):
        """The board submits its recovery plan for one payment (required → submitted)"""
        return _move(code, payment, "submitted", content=data["plan"], note=data.get("note"))


@blp.route("/<code>/recovery-plan/<payment>/transitions")
class PaymentTransitions(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.response(200, RecoveryPlanSchema)
    @blp.arguments(TransitionSchema)
    def post(self, data, code, payment):
        """Move one payment's recovery plan to another state (409 naming the allowed ones if it may not)"""
        return _move(code, payment, data["to"], note=data.get("note"), content=data.get("plan"),
                     direction=data.get("direction"))


@blp.route("/<code>/recovery-plan/<payment>/agreements")
class PaymentAgreements(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.response(200, RecoveryPlanSchema)
    @blp.arguments(AgreementSchema)
    def post(self, data, code, payment):
        """Record one party's agreement to a payment's submitted recovery plan (403 unless the token holds
        that party)"""
        return _agree(code, payment, data)


@blp.route("/<code>/recovery-plan/<payment>/sign-off")
class PaymentSignOff(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.response(200, RecoveryPlanSchema)
    @blp.arguments(SignOffSchema)
    def post(self, data, code, payment):
        """Record the ministerial sign-off of a payment's agreed plan or NHS England direction"""
        return _sign_off(code, payment, data)


@blp.route("/<code>/recovery-plan")
class RecoveryPlan(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.response(200, RecoveryPlanSchema)
    def get(self, code):
        """The board's recovery plan while it has one (409 naming the payments once it has several)"""
        return workflow.describe(_plan(code, None))

    @protected(blp, "hwb", "assurance")
    @blp.response(200, RecoveryPlanSchema)
    @blp.arguments(SubmissionSchema)
    def post(self, data, code):
        """The board submits its recovery plan (required → submitted); see …/recovery-plan/{payment}"""
        return _move(code, None, "submitted", content=data["plan"], note=data.get("note"))


@blp.route("/<code>/recovery-plan/transitions")
class Transitions(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.response(200, RecoveryPlanSchema)
    @blp.arguments(TransitionSchema)
    def post(self, data, code):
        """Move the board's recovery plan to another state; see …/recovery-plan/{payment}/transitions"""
        return _move(code, None, data["to"], note=data.get("note"), content=data.get("plan"),
                     direction=data.get("direction"))


@blp.route("/<code>/recovery-plan/agreements")
class Agreements(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.response(200, RecoveryPlanSchema)
    @blp.arguments(AgreementSchema)
    def post(self, data, code):
        """Record one party's agreement to the board's submitted recovery plan (403 unless the token holds
        that party); see …/recovery-plan/{payment}/agreements"""
        return _agree(code, None, data)


@blp.route("/<code>/recovery-plan/sign-off")
class SignOff(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.response(200, RecoveryPlanSchema)
    @blp.arguments(SignOffSchema)
    def post(self, data, code):
        """Record the ministerial sign-off of the board's agreed plan or NHS England direction; see
        …/recovery-plan/{payment}/sign-off"""
        return _sign_off(code, None, data)
