"""The recovery-plan workflow (Annex I paras 53–57; rules §6), one per board.

- ``GET  /api/v1/hwbs/{code}/recovery-plan`` — state, agreements, direction, sign-off, history and the
  transitions allowed now.
- ``POST /api/v1/hwbs/{code}/recovery-plan`` — the board submits its plan: ``{"plan": {...}, "note"}``
  (``required → submitted``).
- ``POST …/recovery-plan/transitions`` — ``{"to": "agreed" | "not_agreed" | "nhs_england_direction" |
  "submitted", "note", "direction", "plan"}``.
- ``POST …/recovery-plan/agreements`` — ``{"party": "hwb" | "nhs_england" | "peer_reviewer", "note"}``
  (the board records its own; assurance records NHS England's and the peer reviewer's).
- ``POST …/recovery-plan/sign-off`` — ``{"minister": "...", "note"}`` on ``agreed`` or
  ``nhs_england_direction`` (assurance).

A move the workflow does not allow is 409 with ``allowed`` listing the moves that are; every step is audited.
"""

from __future__ import annotations

import marshmallow as ma
from flask import abort
from flask.views import MethodView

from api import database
from api.auth import actor, protected
from api.parsing import Blueprint
from storage import workflow
from storage.errors import NotFound

blp = Blueprint("recovery_plans", __name__, url_prefix="/api/v1/hwbs",
                description="The recovery-plan workflow of Annex I paras 53–57.")


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


def _plan(code: str):
    plan = workflow.find(database.session(), code)
    if plan is None:
        raise NotFound(f"{code} has no recovery plan: none of its determinations has required one.")
    return plan


def _may(role: str) -> None:
    if actor().role != role:
        abort(403, f"This step is recorded by a {role} token, not a {actor().role} one.")


def _move(code: str, to: str, **details):
    plan = _plan(code)
    _may(workflow.role_for(plan, to))  # 409 first if the move is not allowed at all, then the role
    return workflow.describe(workflow.transition(database.session(), actor(), plan, to, **details))


@blp.route("/<code>/recovery-plan")
class RecoveryPlan(MethodView):
    @protected(blp, "hwb", "assurance")
    def get(self, code):
        """Where the board's recovery plan stands, and which transitions are allowed now"""
        return workflow.describe(_plan(code))

    @protected(blp, "hwb", "assurance")
    @blp.arguments(SubmissionSchema)
    def post(self, data, code):
        """The board submits its recovery plan (required → submitted)"""
        return _move(code, "submitted", content=data["plan"], note=data.get("note"))


@blp.route("/<code>/recovery-plan/transitions")
class Transitions(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.arguments(TransitionSchema)
    def post(self, data, code):
        """Move the recovery plan to another state (409 naming the allowed ones if it may not)"""
        return _move(code, data["to"], note=data.get("note"), content=data.get("plan"),
                     direction=data.get("direction"))


@blp.route("/<code>/recovery-plan/agreements")
class Agreements(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.arguments(AgreementSchema)
    def post(self, data, code):
        """Record one party's agreement to the submitted recovery plan"""
        plan = _plan(code)
        _may(workflow.PARTIES[data["party"]])
        return workflow.describe(workflow.record_agreement(database.session(), actor(), plan, data["party"],
                                                           data.get("note")))


@blp.route("/<code>/recovery-plan/sign-off")
class SignOff(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.arguments(SignOffSchema)
    def post(self, data, code):
        """Record the ministerial sign-off of an agreed plan or an NHS England direction"""
        plan = _plan(code)
        _may(workflow.SIGN_OFF_ROLE)
        return workflow.describe(workflow.record_sign_off(database.session(), actor(), plan, data["minister"],
                                                          data.get("note")))
