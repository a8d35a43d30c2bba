"""Bearer tokens and roles for the stored resources.

- no token, or an unknown, revoked or expired one → 401 with ``WWW-Authenticate: Bearer`` (an expired
  one says when it expired);
- an ``hwb`` token on another board's path → 404, exactly as for a board that does not exist, so a
  token never learns what other boards have stored;
- a role that may not do this → 403.

Every answer of a protected view, errors included, carries ``Cache-Control: no-store``: it holds one
board's or the service's records, which no browser or proxy should keep.

The stateless calculator endpoints do not use this: they stay open.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, g, request

from api import database
from api.errors import problem
from api.parsing import Blueprint
from storage import tokens
from storage.audit import Actor, with_article
from storage.models import iso

BEARER = "bearerAuth"


class Unauthorized(Exception):
    def __init__(self, detail: str, invalid: bool):
        super().__init__(detail)
        self.detail = detail
        self.invalid = invalid


def register(app) -> None:
    """Declare the bearer scheme in OpenAPI and answer authentication failures as problem+json."""
    app.extensions["bcf_api"].spec.components.security_scheme(
        BEARER, {"type": "http", "scheme": "bearer",
                 "description": "A token from `flask --app wsgi bcf create-token` or POST /api/v1/tokens."})

    @app.after_request
    def _no_store(response):
        if g.get("protected"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(Unauthorized)
    def _unauthorized(error: Unauthorized):
        challenge = 'Bearer realm="bcf"' + (', error="invalid_token"' if error.invalid else "")
        return problem(401, "Unauthorized", error.detail, headers={"WWW-Authenticate": challenge})


def authenticate_header() -> Actor:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        raise Unauthorized("This resource needs a bearer token: Authorization: Bearer <token>.", False)
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Send the token as Authorization: Bearer <token>.", True)
    return authenticate_secret(secret.strip())


def authenticate_secret(secret: str) -> Actor:
    """The live token with this secret as an actor (the bearer header's, or a signed-in page's).

    :raise Unauthorized: unknown, revoked or expired.
    """
    token = tokens.lookup(database.session(), secret)
    if token is None or token.revoked_at is not None:
        raise Unauthorized("The token is unknown or has been revoked.", True)
    if tokens.expired(token):
        raise Unauthorized(f"The token expired at {iso(token.expires_at)}; ask an admin for a new one.", True)
    return Actor.of(token)


def check_access(actor: Actor, roles: tuple[str, ...], code: str | None, doing: str) -> None:
    """The one rule of who reads what, for the API and the pages alike.

    A board ``code`` that is unknown, or another board's for an ``hwb`` token, is 404 (so a token cannot
    learn which boards exist beyond its own); a role not among ``roles`` is 403 naming the roles needed.
    """
    if code is not None and (code not in current_app.extensions["boards"]
                             or (actor.role == "hwb" and actor.hwb_code != code)):
        abort(404)
    if actor.role not in roles:
        abort(403, f"{with_article(actor.role).capitalize()} token may not {doing}; it needs the "
                   f"role {' or '.join(roles)}.")


def protected(blp: Blueprint, *roles: str) -> Callable:
    """Decorate a view (outermost, so it runs before the body is parsed) to require one of ``roles``.

    A ``code`` path argument is a board: unknown boards, and other boards for an ``hwb`` token, are 404.
    """

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            g.protected = True  # Cache-Control: no-store on this answer, whatever it is
            actor = authenticate_header()
            check_access(actor, roles, kwargs.get("code"), "do this")
            g.actor = actor
            return view(*args, **kwargs)

        return blp.doc(security=[{BEARER: []}])(wrapper)

    return decorator


def actor() -> Actor:
    """Who is making this request (set by :func:`protected`)."""
    return g.actor
