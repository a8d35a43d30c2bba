"""What every answer says about itself, and the limits every client meets (issue 15, security).

- **Headers on every answer**, errors included, set in one ``after_request``: a Content-Security-Policy
  that allows scripts and styles from this service only (no inline script anywhere: the docs page loads
  its start-up script as a file) and no framing (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``
  for older browsers), ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``.
- **Failed token attempts**: flask-limiter counts, per client address, the requests that send an
  ``Authorization`` header or a token through the sign-in form and are answered 401, in one counter;
  past ``TOKEN_FAILURE_LIMIT`` (e.g. ``20 per minute``) that client's requests with a token are 429
  with ``Retry-After`` until the window ends, without the token being checked: problem+json for the
  API, an HTML page for the sign-in form and the other pages.
  Requests without a token (the open calculator) are never counted or refused. ``RATELIMIT_ENABLED``
  switches it off; ``RATELIMIT_STORAGE_URI`` (default ``memory://``, per worker process) may name a
  shared store (``redis://…``) so that all workers count together.
- **Upload size**: a request whose declared body is larger than ``MAX_CONTENT_LENGTH`` is 413
  problem+json (a page's: an HTML page) before any of it is read, on every endpoint (werkzeug stops a
  body without a length at the same limit while it is read).
"""

from __future__ import annotations

import time

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import RequestEntityTooLarge

from api.errors import PROBLEM_TYPES, problem

#: the sign-in form (api/signin.py): a token typed into it is a try like one in a header
SIGN_IN_ENDPOINT = "signin.sign_in"

# Swagger UI runs under this policy as it stands (tests/api/test_docs_browser.py): it needs no inline
# script (its start-up is a file) and no inline style ('unsafe-inline' is nowhere).
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def init_app(app: Flask) -> None:
    """Register the headers, the size check and the failed-token limit on ``app``.

    Called first in the factory: ``after_request`` functions run last-registered first, so these headers
    are set on the answer that finally leaves, even one another hook replaced (a 503 from a failed commit).
    """
    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers[name] = value
        return response

    @app.before_request
    def _refuse_oversized_bodies() -> None:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge(f"The request body is larger than this service accepts "
                                        f"({limit:,} bytes).")

    limiter = Limiter(
        get_remote_address,
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        application_limits=[lambda: current_app.config["TOKEN_FAILURE_LIMIT"]],
        application_limits_exempt_when=lambda: not _tries_a_token(),
        application_limits_deduct_when=lambda response: response.status_code == 401,
    )
    limiter.init_app(app)  # reads RATELIMIT_ENABLED
    app.extensions["bcf_limiter"] = limiter

    @app.errorhandler(RateLimitExceeded)
    def _too_many_failures(_error: RateLimitExceeded) -> Response:
        current = limiter.current_limit
        wait = max(1, int(current.reset_at - time.time())) if current else 60
        return problem(429, "Too Many Requests",  # the error page on the sign-in form or a page
                       "Too many requests with a wrong, revoked or expired token from this address; "
                       f"try again in {wait} seconds.", type_=PROBLEM_TYPES + "too-many-token-failures",
                       headers={"Retry-After": str(wait)})


def _tries_a_token() -> bool:
    """Whether this request offers a token: an ``Authorization`` header, or a POST of the sign-in form.

    Both count against the one per-address limit, so the form is no way round the API's; past it, the
    form is refused before its token is looked at, as the header is.
    """
    if "Authorization" in request.headers:
        return True
    return request.method == "POST" and request.endpoint == SIGN_IN_ENDPOINT
