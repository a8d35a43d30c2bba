"""Bearer tokens: high-entropy secrets shown once, kept only as a SHA-256 hash, revocable."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import audit
from storage.audit import Actor
from storage.errors import Conflict, NotFound
from storage.models import ROLES, Token, iso, utcnow


def hash_secret(secret: str) -> str:
    # A fast hash is enough: the secret has 256 bits of entropy, so there is nothing to brute-force.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create(session: Session, actor: Actor, *, name: str, role: str, hwb_code: str | None = None
           ) -> tuple[Token, str]:
    """Create a token and return it with its secret, which is not stored and cannot be shown again.

    :raise ValueError: an unknown role, or a board given (or missing) where the role says otherwise.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if (role == "hwb") != bool(hwb_code):
        raise ValueError("an hwb token needs a board code (--hwb); other roles take none")
    secret = secrets.token_urlsafe(32)
    token = Token(name=name, role=role, hwb_code=hwb_code or None, token_hash=hash_secret(secret))
    session.add(token)
    session.flush()
    audit.record(session, actor, "token.create", f"/api/v1/tokens/{token.id}", hwb_code=token.hwb_code,
                 diff=[{"op": "add", "path": "", "value": describe(token)}])
    return token, secret


def authenticate(session: Session, secret: str) -> Token | None:
    """The live token with this secret, or None (unknown or revoked)."""
    token = session.scalars(select(Token).where(Token.token_hash == hash_secret(secret))).first()
    return token if token is not None and token.revoked_at is None else None


def revoke(session: Session, actor: Actor, token_id: int) -> Token:
    """Revoke a token; it stays listed (audit rows name it) but no longer authenticates.

    :raise NotFound: no such token. :raise Conflict: already revoked.
    """
    token = session.get(Token, token_id)
    if token is None:
        raise NotFound(f"No token with id {token_id}.")
    if token.revoked_at is not None:
        raise Conflict(f"Token {token_id} was already revoked at {iso(token.revoked_at)}.")
    token.revoked_at = utcnow()
    session.flush()
    audit.record(session, actor, "token.revoke", f"/api/v1/tokens/{token.id}", hwb_code=token.hwb_code,
                 diff=[{"op": "add", "path": "/revoked_at", "value": iso(token.revoked_at)}])
    return token


def list_all(session: Session) -> list[Token]:
    return list(session.scalars(select(Token).order_by(Token.id)).all())


def describe(token: Token) -> dict[str, object]:
    """A token's public facts (never its hash)."""
    return {"id": token.id, "name": token.name, "role": token.role, "hwb_code": token.hwb_code,
            "created_at": iso(token.created_at),
            "revoked_at": iso(token.revoked_at)}
