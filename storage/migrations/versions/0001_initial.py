"""Initial schema: tokens, versioned plans and actuals, determinations, recovery plans, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _versioned(name: str, *extra: sa.Column, unique: tuple[str, ...]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("hwb_code", sa.String(9), nullable=False),
        *extra,
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_by_token_id", sa.Integer(), sa.ForeignKey("tokens.id"), nullable=True),
        sa.Column("created_by_name", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint(*unique, name=f"uq_{name}_{'_'.join(u.replace('_code', '') for u in unique)}"),
    )


def upgrade() -> None:
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("hwb_code", sa.String(9), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ, nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_tokens_token_hash"),
    )
    _versioned("plan_versions", unique=("hwb_code", "version"))
    op.create_index("ix_plan_versions_hwb_code", "plan_versions", ["hwb_code"])
    _versioned("actuals_versions", sa.Column("period", sa.String(40), nullable=False),
               unique=("hwb_code", "period", "version"))
    op.create_index("ix_actuals_versions_hwb_period", "actuals_versions", ["hwb_code", "period"])
    op.create_table(
        "determinations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("hwb_code", sa.String(9), nullable=False),
        sa.Column("rule_set", sa.String(100), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("actuals_versions", sa.JSON(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("requested_by_token_id", sa.Integer(), sa.ForeignKey("tokens.id"), nullable=True),
        sa.Column("requested_by_name", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_determinations_hwb_code", "determinations", ["hwb_code"])
    op.create_table(
        "recovery_plans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("hwb_code", sa.String(9), nullable=False),
        sa.Column("determination_id", sa.Integer(), sa.ForeignKey("determinations.id"), nullable=False),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=True),
        sa.Column("agreements", sa.JSON(), nullable=False),
        sa.Column("direction", sa.JSON(), nullable=True),
        sa.Column("sign_off", sa.JSON(), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.UniqueConstraint("hwb_code", name="uq_recovery_plans_hwb"),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor_token_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("hwb_code", sa.String(9), nullable=True),
        sa.Column("resource", sa.String(300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("diff", sa.JSON(), nullable=False),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_index("ix_audit_hwb_at", "audit", ["hwb_code", "at"])


def downgrade() -> None:
    for index, table in (("ix_audit_hwb_at", "audit"), ("ix_audit_at", "audit")):
        op.drop_index(index, table_name=table)
    op.drop_table("audit")
    op.drop_table("recovery_plans")
    op.drop_index("ix_determinations_hwb_code", table_name="determinations")
    op.drop_table("determinations")
    op.drop_index("ix_actuals_versions_hwb_period", table_name="actuals_versions")
    op.drop_table("actuals_versions")
    op.drop_index("ix_plan_versions_hwb_code", table_name="plan_versions")
    op.drop_table("plan_versions")
    op.drop_table("tokens")
