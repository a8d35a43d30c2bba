"""Which requests are a person's pages, and their errors as an HTML page (the API's stay problem+json).

Errors reach a page path from places that know nothing of pages: the app-wide 404 when no route (or no
``<board:>`` code) matches, the 413 size check and the 429 failed-token limit that run before any view.
Each of those handlers asks :func:`wants_page` and, for a page, answers :func:`error_page` with the same
status and headers (``Retry-After``, ``Allow``) it would have put on its problem+json.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, make_response, render_template, request

#: exact page paths, and the prefix of the report pages (``/api/v1/reports/…`` is the API's)
PAGE_PATHS = frozenset({"/", "/reports", "/sign-in", "/sign-out"})
PAGE_PREFIX = "/reports/"
MACHINE_TYPES = ("application/problem+json", "application/json")


def is_page_path(path: str) -> bool:
    return path in PAGE_PATHS or path.startswith(PAGE_PREFIX)


def wants_page() -> bool:
    """A page path, from a client that does not ask for JSON alone (a browser, or no Accept at all).

    A script on a page path that asks only for (problem+)json keeps the API's error format.
    """
    if not is_page_path(request.path):
        return False
    return request.accept_mimetypes.best_match(("text/html", *MACHINE_TYPES)) not in MACHINE_TYPES


def error_page(status: int, title: str, detail: str | None,
               headers: Mapping[str, str] | None = None) -> Response:
    """The error page: the status, its name and what went wrong, and the way back to the start page."""
    response = make_response(render_template("error.html", status=status, title=title, detail=detail),
                             status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
