"""Tables. Versioned documents are append-only rows; determinations and audit entries are never updated.

``JSON`` is SQLAlchemy's generic type: ``JSON`` on SQLite (text) and ``JSON`` on PostgreSQL, so the same
models and migrations serve both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROLES = ("hwb", "assurance", "admin")
# The parties an assurance token may hold: whose agreement to a recovery plan it records (rules §6).
PARTIES = ("nhs_england", "peer_reviewer")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A timestamp in UTC. SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat().replace("+00:00", "Z") if value is not None else None


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: DateTime(timezone=True)}


class Token(Base):
    """A bearer token. Only the SHA-256 of the secret is kept: the secret is shown once, at creation."""

    __tablename__ = "tokens"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_tokens_token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    hwb_code: Mapped[str | None] = mapped_column(String(9))  # set for role hwb only
    party: Mapped[str | None] = mapped_column(String(40), default=None)  # PARTIES; role assurance only
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)  # None: never expires


class PlanVersion(Base):
    """One version of a board's plan (the api.md calculation request without ``actual`` blocks).

    The unique ``(hwb_code, version)`` pair is what makes concurrent writers safe: two writers that both
    read version N both try to insert N+1, and the database lets exactly one of them succeed.
    """

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("hwb_code", "version", name="uq_plan_versions_hwb_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hwb_code: Mapped[str] = mapped_column(String(9), index=True)
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]]
    created_by_token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))
    created_by_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActualsVersion(Base):
    """One version of a board's outturn for one payment period: metric id → actual count block."""

    __tablename__ = "actuals_versions"
    __table_args__ = (
        UniqueConstraint("hwb_code", "period", "version", name="uq_actuals_versions_hwb_period_version"),
        Index("ix_actuals_versions_hwb_period", "hwb_code", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hwb_code: Mapped[str] = mapped_column(String(9))
    period: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]]
    created_by_token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))
    created_by_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Determination(Base):
    """A determination exactly as it was answered, with the inputs' versions and who asked. Immutable."""

    __tablename__ = "determinations"

    id: Mapped[int] = mapped_column(primary_key=True)
    hwb_code: Mapped[str] = mapped_column(String(9), index=True)
    rule_set: Mapped[str] = mapped_column(String(100))
    plan_version: Mapped[int] = mapped_column(Integer)
    actuals_versions: Mapped[dict[str, Any]]  # period → version (absent: no actuals for that period)
    request: Mapped[dict[str, Any]]  # the merged api.md request the calculator was given
    result: Mapped[dict[str, Any]]  # the calculator's response, as returned
    requested_by_token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))
    requested_by_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecoveryPlan(Base):
    """A board's recovery plan for one payment (``april-2015``, ``october-2015``) and where it stands in
    the Annex I paras 53–57 workflow: each payment whose metrics tranche fell short has its own."""

    __tablename__ = "recovery_plans"
    __table_args__ = (UniqueConstraint("hwb_code", "payment", name="uq_recovery_plans_hwb_payment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hwb_code: Mapped[str] = mapped_column(String(9))
    payment: Mapped[str] = mapped_column(String(40))
    determination_id: Mapped[int] = mapped_column(ForeignKey("determinations.id"))
    state: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped on every change: optimistic lock
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)  # what the board submitted
    agreements: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # party → {by, at, note}
    direction: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    sign_off: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    history: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{from, to, by, at, note}]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class AuditEntry(Base):
    """Append-only: who (token id and name), when, what (action, resource, version, JSON diff)."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_hwb_at", "hwb_code", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_token_id: Mapped[int | None] = mapped_column(Integer)  # None: the operator's CLI
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    hwb_code: Mapped[str | None] = mapped_column(String(9))
    resource: Mapped[str] = mapped_column(String(300))
    version: Mapped[int | None] = mapped_column(Integer)
    diff: Mapped[list[Any]]
