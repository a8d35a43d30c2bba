"""Recovery plans per payment; tokens with a party and an expiry (issue 15, items 3 and 12).

- ``recovery_plans.payment``: a board has one recovery plan per payment (``april-2015``,
  ``october-2015``), unique on ``(hwb_code, payment)`` instead of ``hwb_code``. An existing plan becomes
  the plan of the payment its opening determination needed it for: the first tranche of that determination
  with ``recovery_plan_required: true`` (its ``payment``, or the part of its id before ``/``); where the
  determination does not say, ``april-2015``.
- ``tokens.party`` (``nhs_england`` or ``peer_reviewer``, assurance tokens only): whose agreement the token
  records. Existing tokens hold none.
- ``tokens.expires_at``: None (existing tokens) never expires.

Downgrade refuses while a board has recovery plans for more than one payment: the earlier schema can
hold only one, and dropping a plan would lose its workflow.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
DEFAULT_PAYMENT = "april-2015"

_plans = sa.table("recovery_plans", sa.column("id", sa.Integer), sa.column("hwb_code", sa.String),
                  sa.column("determination_id", sa.Integer), sa.column("payment", sa.String))
_determinations = sa.table("determinations", sa.column("id", sa.Integer), sa.column("result", sa.JSON))


def payment_needing_plan(result: Any) -> str:
    """The payment a determination opened its recovery plan for (the first tranche that needed one)."""
    tranches = result.get("tranches") if isinstance(result, dict) else None
    for tranche in tranches or []:
        if isinstance(tranche, dict) and tranche.get("recovery_plan_required") is True:
            payment = tranche.get("payment") or str(tranche.get("tranche") or "").partition("/")[0]
            if payment:
                return str(payment)
    return DEFAULT_PAYMENT


def upgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table("recovery_plans") as batch:
        batch.add_column(sa.Column("payment", sa.String(40), nullable=True))
    rows = connection.execute(
        sa.select(_plans.c.id, _determinations.c.result)
        .select_from(_plans.outerjoin(_determinations, _determinations.c.id == _plans.c.determination_id))
    ).all()
    for plan_id, result in rows:
        connection.execute(_plans.update().where(_plans.c.id == plan_id)
                           .values(payment=payment_needing_plan(result)))
    with op.batch_alter_table("recovery_plans") as batch:
        batch.alter_column("payment", existing_type=sa.String(40), nullable=False)
        batch.drop_constraint("uq_recovery_plans_hwb", type_="unique")
        batch.create_unique_constraint("uq_recovery_plans_hwb_payment", ["hwb_code", "payment"])
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("party", sa.String(40), nullable=True))
        batch.add_column(sa.Column("expires_at", TZ, nullable=True))


def downgrade() -> None:
    connection = op.get_bind()
    several = connection.execute(
        sa.select(_plans.c.hwb_code).group_by(_plans.c.hwb_code).having(sa.func.count() > 1)
        .order_by(_plans.c.hwb_code)).scalars().all()
    if several:
        raise RuntimeError(
            f"Cannot downgrade below 0002: {', '.join(several)} ha{'s' if len(several) == 1 else 've'} "
            "recovery plans for more than one payment, and revision 0001 holds one per board.")
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("party")
    with op.batch_alter_table("recovery_plans") as batch:
        batch.drop_constraint("uq_recovery_plans_hwb_payment", type_="unique")
        batch.create_unique_constraint("uq_recovery_plans_hwb", ["hwb_code"])
        batch.drop_column("payment")
