"""The append-only audit trail: one row per write, added in the writer's own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import AuditEntry, Token, as_utc


@dataclass(frozen=True)
class Actor:
    """Who is writing: a token (id and name), or the operator at the CLI (no token id)."""

    token_id: int | None
    name: str
    role: str | None = None
    hwb_code: str | None = None
    party: str | None = None  # an assurance token's party (nhs_england, peer_reviewer), if it holds one

    @classmethod
    def of(cls, token: Token) -> Actor:
        return cls(token.id, token.name, token.role, token.hwb_code, token.party)


def with_article(word: str) -> str:
    """``an assurance``, ``an admin``, ``an hwb`` (said "aitch-double-u-bee", as HWB is): a role named with
    its indefinite article in a message."""
    return f"{'an' if word[:1].lower() in 'aeiou' or word.lower() == 'hwb' else 'a'} {word}"


def record(session: Session, actor: Actor, action: str, resource: str, *, hwb_code: str | None = None,
           version: int | None = None, diff: list[dict[str, Any]] | None = None) -> AuditEntry:
    """Append one audit row; it commits or rolls back with the change it describes."""
    entry = AuditEntry(actor_token_id=actor.token_id, actor_name=actor.name, action=action,
                       hwb_code=hwb_code, resource=resource, version=version, diff=diff or [])
    session.add(entry)
    return entry


def search(session: Session, *, hwb_code: str | None = None, actor: str | None = None,
           since: datetime | None = None, until: datetime | None = None, page: int = 1,
           page_size: int = 50) -> tuple[list[AuditEntry], int]:
    """Entries newest first, filtered; ``actor`` matches a token id (digits) or a token name exactly.

    :return: the page's entries and the total number matching the filters.
    """
    query = select(AuditEntry)
    if hwb_code:
        query = query.where(AuditEntry.hwb_code == hwb_code)
    if actor:
        by_id = actor.isascii() and actor.isdigit()  # "１２" is a name, not token 12
        query = query.where(AuditEntry.actor_token_id == int(actor)) if by_id else \
            query.where(AuditEntry.actor_name == actor)
    if since:
        query = query.where(AuditEntry.at >= as_utc(since))
    if until:
        query = query.where(AuditEntry.at < as_utc(until))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .offset((page - 1) * page_size).limit(page_size)).all()
    return list(rows), total
