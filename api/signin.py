"""Signing in with a browser: a person pastes their bearer token once, and the pages remember it.

The API takes ``Authorization: Bearer …``, which a browser cannot send by following a link. So the
sign-in page checks the token once and keeps only its id in Flask's signed session cookie — never the
secret, so a cookie that leaks is no key to the API (HttpOnly: no script can read it; SameSite=Strict:
no other site's page can make the browser send it; Secure outside development). Every page accepts
either that session or the header, with the same roles as the API. A token that stops working
(revoked, expired) signs the person out on their next page.

The forms carry a per-session anti-forgery value as well, so no other site can sign a person in as
someone else or out.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for

from api import database
from api.auth import Unauthorized, authenticate_header, authenticate_secret, check_access
from storage import tokens
from storage.audit import Actor
from storage.models import Token

blp = Blueprint("signin", __name__)

SESSION_TOKEN = "token"
SESSION_FORM = "form_key"


def form_key() -> str:
    """This session's anti-forgery value for the sign-in and sign-out forms (made on first use)."""
    if SESSION_FORM not in session:
        session[SESSION_FORM] = secrets.token_urlsafe(24)
    return session[SESSION_FORM]


def _form_key_matches() -> bool:
    sent, kept = request.form.get("form_key", ""), session.get(SESSION_FORM, "")
    return bool(kept) and hmac.compare_digest(sent, kept)


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never ``//other.host`` or a full URL)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("pages.index")


@blp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """The sign-in form; POST checks the token and keeps it in the session."""
    next_page = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("sign_in.html", next_page=next_page, error=None)
    if not _form_key_matches():
        return render_template("sign_in.html", next_page=next_page,
                               error="The form had expired; paste your token again."), 400
    secret = request.form.get("token", "").strip()
    if secret.lower().startswith("bearer "):
        secret = secret[7:].strip()  # pasted with its scheme, as the API docs show it
    if not secret:
        return render_template("sign_in.html", next_page=next_page,
                               error="Paste your token into the box."), 400
    try:
        actor = authenticate_secret(secret)
    except Unauthorized as error:
        return render_template("sign_in.html", next_page=next_page,
                               error=error.detail), 401
    session.clear()  # a new session for the person signing in (no value survives from before)
    session[SESSION_TOKEN] = actor.token_id  # the id, not the secret
    current_app.logger.info("signed in: token %s (%s)", actor.token_id, actor.role)
    return redirect(next_page, code=303)


@blp.post("/sign-out")
def sign_out():
    """Forget the token; the person is back to an anonymous visitor."""
    if not _form_key_matches():
        abort(400, "The form had expired; sign out again.")
    session.clear()
    return redirect(url_for("pages.index"), code=303)


def page_actor() -> Actor | None:
    """Who is reading: the Authorization header's token, else the session's, else None.

    :raise Unauthorized: a header with a bad token (as the API answers it).
    """
    if request.headers.get("Authorization"):
        return authenticate_header()
    token_id = session.get(SESSION_TOKEN)
    if token_id is None:
        return None
    token = database.session().get(Token, token_id) if type(token_id) is int else None
    if token is None or not tokens.live(token):
        session.pop(SESSION_TOKEN, None)  # revoked or expired since (or an old cookie): signed out
        return None
    return Actor.of(token)


def signed_in(*roles: str) -> Callable:
    """A page for these roles, as :func:`api.auth.protected` guards an API path.

    Not signed in: to the sign-in page and back. A ``code`` argument is a board: unknown boards, and
    other boards for an ``hwb`` token, are 404, exactly as in the API.
    """

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            g.protected = True  # Cache-Control: no-store, as for the API's protected answers
            actor = page_actor()
            if actor is None:
                return redirect(url_for("signin.sign_in", next=request.full_path.rstrip("?")), code=303)
            g.actor = actor
            check_access(actor, roles, kwargs.get("code"), "read this page")
            return view(*args, **kwargs)

        return wrapper

    return decorator
