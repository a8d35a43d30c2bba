"""Bearer tokens: high-entropy secrets shown once, kept only as a SHA-256 hash, revocable, optionally
expiring; an assurance token may hold a party (whose recovery-plan agreement it records)."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import audit
from storage.audit import Actor
from storage.errors import Conflict, NotFound
from storage.models import PARTIES, ROLES, Token, as_utc, iso, utcnow

_DURATION = re.compile(r"([0-9]+)\s*([hdw])")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
EXPIRES_HELP = ("a date (2027-03-31: valid to the end of that day, UTC), a UTC time (2027-03-31T17:00:00Z), "
                "or a duration from now (12h, 90d, 8w)")


def hash_secret(secret: str) -> str:
    # A fast hash is enough: the secret has 256 bits of entropy, so there is nothing to brute-force.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a token (control characters, line breaks), or None if it can."""
    for index, char in enumerate(name):
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            return (f"a token name may not contain control characters or line breaks "
                    f"(U+{ord(char):04X} at character {index + 1})")
    return None


def parse_expiry(text: str, now: datetime | None = None) -> datetime:
    """When a token given ``--expires TEXT`` stops working (:data:`EXPIRES_HELP`).

    :raise ValueError: not one of those forms, or not in the future.
    """
    now = as_utc(now or utcnow())
    value = text.strip()
    duration = _DURATION.fullmatch(value.lower())
    expires: datetime | None = None
    if duration:
        amount, unit = int(duration.group(1)), duration.group(2)
        try:
            expires = now + timedelta(**{_UNITS[unit]: amount})
        except OverflowError:
            raise ValueError(f"expiry {text!r} is too far away") from None
    elif re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expiry {text!r} is not a real date") from None
        expires = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
    else:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError(f"expiry {text!r} is not {EXPIRES_HELP}") from None
        if parsed.tzinfo is None:
            raise ValueError(f"expiry {text!r} needs a time zone, e.g. {value}Z for UTC")
        expires = as_utc(parsed)
    if expires <= now:
        raise ValueError(f"expiry {text!r} is not in the future")
    return expires


def create(session: Session, actor: Actor, *, name: str, role: str, hwb_code: str | None = None,
           party: str | None = None, expires_at: datetime | None = None) -> tuple[Token, str]:
    """Create a token and return it with its secret, which is not stored and cannot be shown again.

    :param party: ``nhs_england`` or ``peer_reviewer``, for an assurance token that records that party's
        agreement to recovery plans.
    :param expires_at: when it stops working (None: never).
    :raise ValueError: an unknown role or party, a board or party given (or missing) where the role says
        otherwise, a name with control characters, or an expiry already past.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if (role == "hwb") != bool(hwb_code):
        raise ValueError("an hwb token needs a board code (--hwb); other roles take none")
    if party is not None and party not in PARTIES:
        raise ValueError(f"party must be one of {', '.join(PARTIES)}")
    if party is not None and role != "assurance":
        raise ValueError("only an assurance token holds a party (--party)")
    problem = name_problem(name)
    if problem:
        raise ValueError(problem)
    if expires_at is not None and as_utc(expires_at) <= utcnow():
        raise ValueError("the expiry is not in the future")
    secret = secrets.token_urlsafe(32)
    token = Token(name=name, role=role, hwb_code=hwb_code or None, party=party,
                  token_hash=hash_secret(secret), expires_at=expires_at)
    session.add(token)
    session.flush()
    audit.record(session, actor, "token.create", f"/api/v1/tokens/{token.id}", hwb_code=token.hwb_code,
                 diff=[{"op": "add", "path": "", "value": describe(token)}])
    return token, secret


def lookup(session: Session, secret: str) -> Token | None:
    """The token with this secret, live or not, or None."""
    return session.scalars(select(Token).where(Token.token_hash == hash_secret(secret))).first()


def expired(token: Token, now: datetime | None = None) -> bool:
    return token.expires_at is not None and as_utc(token.expires_at) <= as_utc(now or utcnow())


def live(token: Token, now: datetime | None = None) -> bool:
    """Neither revoked nor expired."""
    return token.revoked_at is None and not expired(token, now)


def authenticate(session: Session, secret: str) -> Token | None:
    """The live token with this secret, or None (unknown, revoked or expired)."""
    token = lookup(session, secret)
    return token if token is not None and live(token) else None


def revoke(session: Session, actor: Actor, token_id: int) -> Token:
    """Revoke a token; it stays listed (audit rows name it) but no longer authenticates.

    :raise NotFound: no such token. :raise Conflict: already revoked, or an admin revoking its own token
        while it is the last live admin token (nobody could then manage tokens over HTTP).
    """
    token = session.get(Token, token_id)
    if token is None:
        raise NotFound(f"No token with id {token_id}.")
    if token.revoked_at is not None:
        raise Conflict(f"Token {token_id} was already revoked at {iso(token.revoked_at)}.")
    if token.role == "admin" and actor.token_id == token.id:
        others = [t for t in session.scalars(select(Token).where(Token.role == "admin", Token.id != token.id,
                                                                 Token.revoked_at.is_(None))) if live(t)]
        if not others:
            raise Conflict(f"Token {token_id} is the last live admin token, and it is the one making this "
                           "request: revoking it would leave no admin token to manage tokens. Create "
                           "another admin token first (POST /api/v1/tokens, or flask --app wsgi bcf "
                           "create-token --role admin), then revoke this one with it.")
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
            "party": token.party, "created_at": iso(token.created_at),
            "expires_at": iso(token.expires_at), "revoked_at": iso(token.revoked_at)}
