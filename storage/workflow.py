"""The recovery-plan workflow of Annex I paras 53–57 (rules-2015-16.md §6), one per board and payment.

When a determination finds a metric of a payment's metrics tranche below the threshold, the board must
agree a recovery plan for that payment (``april-2015``, ``october-2015``) with NHS England and a
local-government peer reviewer; agreed, it releases that tranche's held-back money to fund it. If it
cannot be agreed, NHS England directs how the money is used. A minister signs off either outcome. Each
payment has its own plan: October's shortfall gets its own after April's was agreed.

States and who may move them (``hwb``: the board's own token; ``assurance``: the assurance panel)::

    required ──submit (hwb)──▶ submitted ──agree (assurance; needs all three agreements)──▶ agreed
                                    └──────not_agreed (assurance)──▶ not_agreed
                                                  not_agreed ──direction (assurance)──▶ nhs_england_direction

Agreements (``hwb``, ``nhs_england``, ``peer_reviewer``) are recorded while ``submitted``, each by a
distinct party: the board's own token for ``hwb``, and for the other two an assurance token that holds that
party (``Token.party``), so one token (one person) cannot stand in for both. The ministerial sign-off is
recorded once, on ``agreed`` or ``nhs_england_direction``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bcf.recovery import held_back_use, tranche_payment
from storage import audit
from storage.audit import Actor, with_article
from storage.diff import json_diff
from storage.errors import Conflict, Forbidden, TransitionNotAllowed
from storage.models import Determination, RecoveryPlan, iso, utcnow

STATES = ("required", "submitted", "agreed", "not_agreed", "nhs_england_direction")
# from state → {to state: role that may make the move}
TRANSITIONS: dict[str, dict[str, str]] = {
    "required": {"submitted": "hwb"},
    "submitted": {"agreed": "assurance", "not_agreed": "assurance"},
    "not_agreed": {"nhs_england_direction": "assurance"},
    "agreed": {},
    "nhs_england_direction": {},
}
PARTIES: dict[str, str] = {"hwb": "hwb", "nhs_england": "assurance", "peer_reviewer": "assurance"}
SIGN_OFF_STATES = ("agreed", "nhs_england_direction")
SIGN_OFF_ROLE = "assurance"


PARTY_NAMES = {"hwb": "the board", "nhs_england": "NHS England", "peer_reviewer": "the peer reviewer"}


def find(session: Session, hwb_code: str, payment: str) -> RecoveryPlan | None:
    """The board's recovery plan for ``payment``, or None."""
    return session.scalars(select(RecoveryPlan).where(RecoveryPlan.hwb_code == hwb_code,
                                                      RecoveryPlan.payment == payment)).first()


def list_for(session: Session, hwb_code: str) -> list[RecoveryPlan]:
    """The board's recovery plans, in the order they were opened (April's before October's)."""
    return list(session.scalars(select(RecoveryPlan).where(RecoveryPlan.hwb_code == hwb_code)
                                .order_by(RecoveryPlan.id)).all())


def states(session: Session, hwb_code: str) -> dict[str, str]:
    """``{payment: state}`` of the board's recovery plans (what bcf.recovery.current_determination takes)."""
    return {plan.payment: plan.state for plan in list_for(session, hwb_code)}


def payments_needing_plan(result: dict[str, Any]) -> list[str]:
    """The payments whose tranches in ``result`` require a recovery plan, in tranche order."""
    payments: list[str] = []
    for tranche in result.get("tranches") or []:
        if tranche.get("recovery_plan_required") is True:
            payment = tranche_payment(tranche)
            if payment and payment not in payments:
                payments.append(payment)
    return payments


def open_if_required(session: Session, actor: Actor, determination: Determination) -> list[RecoveryPlan]:
    """Start the workflow in ``required`` for each payment the determination needs a recovery plan for and
    that has none yet; a payment that already has one continues it (a later determination of the same
    payment), whatever its state. :return: the board's plans for those payments."""
    plans: list[RecoveryPlan] = []
    for payment in payments_needing_plan(determination.result):
        existing = find(session, determination.hwb_code, payment)
        if existing is not None:
            plans.append(existing)
            continue
        plan = RecoveryPlan(hwb_code=determination.hwb_code, payment=payment,
                            determination_id=determination.id, state="required", agreements={}, history=[])
        session.add(plan)
        session.flush()
        audit.record(session, actor, "recovery_plan.open", _resource(plan), hwb_code=plan.hwb_code,
                     version=plan.version, diff=[{"op": "add", "path": "", "value": describe(plan)}])
        plans.append(plan)
    return plans


def allowed_moves(plan: RecoveryPlan) -> list[str]:
    return sorted(TRANSITIONS[plan.state])


def role_for(plan: RecoveryPlan, to: str) -> str:
    """The role allowed to move ``plan`` to ``to``. :raise TransitionNotAllowed: no such move from here."""
    moves = TRANSITIONS[plan.state]
    if to not in moves:
        allowed = allowed_moves(plan)
        raise TransitionNotAllowed(
            f"A recovery plan in state '{plan.state}' cannot move to '{to}'; allowed: "
            f"{', '.join(allowed) if allowed else 'none (the workflow has ended)'}.",
            state=plan.state, allowed=allowed)
    return moves[to]


def transition(session: Session, actor: Actor, plan: RecoveryPlan, to: str, *, note: str | None = None,
               content: dict[str, Any] | None = None, direction: str | None = None) -> RecoveryPlan:
    """Move the plan to ``to``, recording who and why; the caller has checked the role (``role_for``).

    :param content: the recovery plan itself, with ``submitted``.
    :param direction: NHS England's direction on the held-back money, with ``nhs_england_direction``.
    :raise TransitionNotAllowed: not a move from the current state. :raise Conflict: ``agreed`` before all
        three parties agreed; a missing plan or direction.
    """
    role_for(plan, to)
    before = describe(plan)
    if to == "agreed":
        missing = [p for p in PARTIES if p not in plan.agreements]
        if missing:
            raise Conflict(f"The {plan.payment} recovery plan cannot be agreed yet: no agreement recorded "
                           f"from {', '.join(missing)} (POST {_resource(plan)}/agreements).", missing=missing)
    if to == "submitted":
        if not content:
            raise Conflict("Submitting a recovery plan needs the plan itself ('plan').")
        plan.plan = content
    if to == "nhs_england_direction":
        if not direction:
            raise Conflict("Recording NHS England's direction needs the 'direction' text.")
        plan.direction = {"text": direction, "by": actor.name, "at": iso(utcnow())}
    plan.history = [*plan.history, {"from": plan.state, "to": to, "by": actor.name,
                                    "token_id": actor.token_id, "at": iso(utcnow()), "note": note}]
    plan.state = to
    return _save(session, actor, plan, f"recovery_plan.{to}", before)


def check_party(actor: Actor, party: str) -> None:
    """May ``actor`` record ``party``'s agreement? The board's own (hwb) token records the board's; an
    assurance token that holds the party records NHS England's or the peer reviewer's.

    :raise Forbidden: the actor's role or party is not that party's.
    """
    role = PARTIES[party]
    whose = f"The agreement of {PARTY_NAMES[party]} ({party})"
    if actor.role != role:
        raise Forbidden(f"{whose} is recorded by {with_article(role)} token, not "
                        f"{with_article(actor.role or 'operator')} one.")
    if role == "assurance" and actor.party != party:
        holds = f"holds the party {actor.party}" if actor.party else "holds no party"
        raise Forbidden(f"{whose} is recorded by an assurance token that holds the party {party}; this "
                        f"token {holds}. An admin creates one: flask --app wsgi bcf create-token --role "
                        f"assurance --party {party} --name …")


def record_agreement(session: Session, actor: Actor, plan: RecoveryPlan, party: str,
                     note: str | None = None) -> RecoveryPlan:
    """Record one party's agreement to the submitted plan (the caller has checked :func:`check_party`).

    :raise TransitionNotAllowed: not submitted. :raise Conflict: twice, or the same token already recorded
        another party's agreement (the parties must be distinct).
    """
    if plan.state != "submitted":
        raise TransitionNotAllowed(
            f"Agreements are recorded while the recovery plan is 'submitted'; it is '{plan.state}'.",
            state=plan.state, allowed=allowed_moves(plan))
    if party in plan.agreements:
        raise Conflict(f"{party} has already recorded agreement.")
    if actor.token_id is not None:
        same = [p for p, a in plan.agreements.items() if a.get("token_id") == actor.token_id]
        if same:
            raise Conflict(f"This token already recorded {same[0]}'s agreement; each party's agreement must "
                           "come from a distinct token.")
    before = describe(plan)
    plan.agreements = {**plan.agreements, party: {"by": actor.name, "token_id": actor.token_id,
                                                  "at": iso(utcnow()), "note": note}}
    return _save(session, actor, plan, f"recovery_plan.agreement.{party}", before)


def record_sign_off(session: Session, actor: Actor, plan: RecoveryPlan, minister: str,
                    note: str | None = None) -> RecoveryPlan:
    """Record the ministerial sign-off. :raise Conflict: wrong state, or already signed off."""
    if plan.state not in SIGN_OFF_STATES:
        raise TransitionNotAllowed(
            f"Ministerial sign-off is recorded on an agreed plan or an NHS England direction; the recovery "
            f"plan is '{plan.state}'.", state=plan.state, allowed=allowed_moves(plan))
    if plan.sign_off:
        raise Conflict("The ministerial sign-off has already been recorded.")
    before = describe(plan)
    plan.sign_off = {"minister": minister, "recorded_by": actor.name, "at": iso(utcnow()), "note": note}
    return _save(session, actor, plan, "recovery_plan.sign_off", before)


def _save(session: Session, actor: Actor, plan: RecoveryPlan, action: str, before: dict) -> RecoveryPlan:
    plan.updated_at = utcnow()
    session.flush()  # bumps plan.version; a concurrent writer of the same version fails here
    after = describe(plan)
    audit.record(session, actor, action, _resource(plan), hwb_code=plan.hwb_code, version=plan.version,
                 diff=json_diff(before, after))
    return plan


def _resource(plan: RecoveryPlan) -> str:
    return f"/api/v1/hwbs/{plan.hwb_code}/recovery-plan/{plan.payment}"


def describe(plan: RecoveryPlan) -> dict[str, Any]:
    return {"hwb_code": plan.hwb_code, "payment": plan.payment, "determination_id": plan.determination_id,
            "state": plan.state,
            "version": plan.version, "held_back_use": held_back_use(plan.state),
            "allowed_transitions": allowed_moves(plan), "plan": plan.plan,
            "agreements": dict(plan.agreements or {}),
            "awaiting_agreement": [p for p in PARTIES if p not in (plan.agreements or {})]
            if plan.state == "submitted" else [],
            "direction": plan.direction, "sign_off": plan.sign_off, "history": list(plan.history or []),
            "created_at": iso(plan.created_at), "updated_at": iso(plan.updated_at)}
