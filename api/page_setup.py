"""What every HTML page shares: the session key and cookie, and the Jinja filters.

The pages are for people with a browser (finance officers, assurance panels); the JSON API stays as it
is. A page's scripts and styles are files under ``api/static`` served by the app, never inline and never
from another host, so the policy can refuse inline script and style outright.

The session (a signed cookie holding a signed-in person's token) needs ``SECRET_KEY``: from the app's
settings, else ``$SECRET_KEY``, else a key generated once into the instance folder and reused, so every
worker of one deployment signs alike and a restart does not sign everyone out.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime
from pathlib import Path

from flask import Flask, g

from bcf.money import stored_money

KEY_FILE = "secret_key"


def init_app(app: Flask) -> None:
    """Session key and cookie, and the filters the templates use."""
    app.secret_key = app.config.get("SECRET_KEY") or os.environ.get("SECRET_KEY") or _instance_key(app)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        # a token travels in this cookie: only over HTTPS, except while developing or testing
        SESSION_COOKIE_SECURE=not (app.debug or app.testing),
    )
    app.jinja_env.filters.update(pounds=pounds, number=number, percent=percent, humanise=humanise, when=when,
                              status=status)
    app.jinja_env.autoescape = True

    @app.context_processor
    def _page_context():
        # who is signed in (set by the page's guard) and the forms' anti-forgery value, made on first use
        from api.signin import form_key

        return {"actor": g.get("actor"), "form_key": form_key}
    # the policy headers (no inline script or style, no framing) are api/security.py's, on every answer


def _instance_key(app: Flask) -> str:
    """The instance folder's key, made on first use. ``O_EXCL``: of two workers starting at once, one
    writes it and the other reads what was written."""
    path = Path(app.instance_path) / KEY_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
        raise RuntimeError(f"{path} is empty: delete it and a new key is made") from None
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def pounds(value) -> str:
    """£ with thousands separators and pence: £1,234,567.89 (—, a dash, for nothing yet)."""
    amount = stored_money(value)
    if amount is None:
        return "—"
    return f"−£{-amount:,}" if amount < 0 else f"£{amount:,}"


def number(value, places: int = 1) -> str:
    """A figure with thousands separators and ``places`` decimals (— for none)."""
    if value is None:
        return "—"
    text = f"{float(value):,.{places}f}"
    return text.replace("-", "−", 1) if text.startswith("-") else text


def percent(value, places: int = 0) -> str:
    """A fraction as a percentage: 0.7 → 70% (— for none)."""
    if value is None:
        return "—"
    return number(float(value) * 100, places) + "%"


def humanise(identifier: str | None) -> str:
    """An id as words: ``protect_social_care`` → Protect social care; ``april-2015`` → April 2015."""
    if not identifier:
        return ""
    words = str(identifier).replace("_", " ").replace("-", " ")
    return words[:1].upper() + words[1:]


def when(stamp: str | None) -> str:
    """A stored ISO time as a person writes it: 4 December 2026, 02:49 UTC."""
    if not stamp:
        return "—"
    moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


#: the calculator's status words where the id alone would puzzle a reader
STATUS_WORDS = {"unassessable": "Cannot be assessed", "pending": "Pending: no outturn yet"}


def status(word: str | None) -> str:
    """A line's, metric's or condition's status in words (``unassessable`` → Cannot be assessed)."""
    return STATUS_WORDS.get(str(word), humanise(word))
