"""What a national report reads: every board's latest determination, who has a plan, where each
recovery plan stands. Three queries for all 152 boards, not three per board."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Determination, PlanVersion, RecoveryPlan


def latest_determinations(session: Session) -> dict[str, Determination]:
    """Board code → its latest determination (the highest id: ids only grow), for boards that have one."""
    latest = select(func.max(Determination.id)).group_by(Determination.hwb_code).scalar_subquery()
    rows = session.scalars(select(Determination).where(Determination.id.in_(latest)))
    return {row.hwb_code: row for row in rows}


def boards_with_plan(session: Session) -> set[str]:
    """The boards that have stored a plan (some may not have been determined yet)."""
    return set(session.scalars(select(PlanVersion.hwb_code).distinct()))


def recovery_states(session: Session) -> dict[str, dict[str, str]]:
    """Board code → {payment: workflow state} of its recovery plans (boards without any are absent)."""
    states: dict[str, dict[str, str]] = {}
    for code, payment, state in session.execute(
            select(RecoveryPlan.hwb_code, RecoveryPlan.payment, RecoveryPlan.state)):
        states.setdefault(code, {})[payment] = state
    return states
