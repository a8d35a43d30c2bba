"""Every API error is ``application/problem+json`` (RFC 9457), with all input problems listed at once;
a page path's errors are an HTML page instead (:mod:`api.page_errors`).

flask-smorest turns each ``HTTPException`` into its own ``{code, status, message, errors}`` body; we
override that one hook so that validation failures (webargs' 422 with nested ``messages``) and every
other HTTP error speak the same problem format, each input problem with a JSON-path ``location``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask import Flask, Response, json
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, InternalServerError

from api.page_errors import error_page, wants_page
from bcf.errors import BcfError
from calculator.problems import flatten_messages

PROBLEM = "application/problem+json"
PROBLEM_TYPES = "/api/v1/problems/"
log = logging.getLogger(__name__)

# The only place a domain error becomes an HTTP status (style §4): slug -> (status, title).
# Other rooms add their slugs here; an unlisted slug is a 400 with the error's own message.
BCF_ERRORS: dict[str, tuple[int, str]] = {
    "invalid-input": (422, "Invalid input"),
    "unknown-rule-set": (422, "Unknown rule set"),
    "unknown-board": (404, "Unknown board"),
    "not-found": (404, "Not found"),
    "conflict": (409, "Conflict"),
    "forbidden": (403, "Forbidden"),
    "unauthorized": (401, "Unauthorized"),
    "reference-data-error": (500, "Reference data error"),
    "precondition-required": (428, "Precondition Required"),  # storage: PUT without If-Match
    "precondition-failed": (412, "Precondition Failed"),  # storage: stale If-Match
    "transition-not-allowed": (409, "Transition not allowed"),  # storage: recovery-plan workflow
}
DEFAULT_BCF_ERROR = (400, "Bad request")
# The context members an error may answer beside its message: a workflow's state and allowed steps, the
# fields still missing, the version a writer must read first, the payments a request must choose from.
PROBLEM_EXTENSIONS = ("state", "allowed", "missing", "current_version", "payments", "problem_count")


class ProblemDetailSchema(ma.Schema):
    location = ma.fields.String(required=True, metadata={"example": "metrics[2].periods.april-2015.plan"})
    message = ma.fields.String(required=True)


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, with one ``errors`` entry per input problem."""

    type = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String()
    instance = ma.fields.String()
    errors = ma.fields.List(ma.fields.Nested(ProblemDetailSchema))
    # the extension members some answers carry (PROBLEM_EXTENSIONS)
    state = ma.fields.String(metadata={"description": "409 from the recovery-plan workflow: its state"})
    allowed = ma.fields.List(ma.fields.String(), metadata={
        "description": "409 from the recovery-plan workflow: the steps it allows now"})
    missing = ma.fields.List(ma.fields.String(), metadata={"description": "the fields still missing"})
    current_version = ma.fields.Integer(metadata={
        "description": "428/412: the version to read (and send back as If-Match) before writing"})
    problem_count = ma.fields.Integer(metadata={
        "description": "422 from an upload: how many problems there are in all (errors lists the first "
                       "1,000 and a last entry \"… and N more problems.\")"})


def problem(status: int, title: str, detail: str | None = None, errors: list[dict] | None = None,
            type_: str = "about:blank", headers: Mapping[str, str] | None = None,
            extensions: Mapping[str, Any] | None = None) -> Response:
    """An RFC 9457 problem response; ``extensions`` are extra members beside the standard ones.

    On a person's page path (:func:`api.page_errors.wants_page`) the same error is the HTML error page,
    with the same status and headers: every error handler and guard answers through here, so none of
    them has to ask.
    """
    if wants_page():
        return error_page(status, title, detail, headers)
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    body.update(extensions or {})
    response = Response(json.dumps(body), status=status, content_type=PROBLEM)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class BcfApi(Api):
    """flask-smorest's Api, speaking problem+json for every HTTP error."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        """smorest's shared error responses (``UNPROCESSABLE_ENTITY``, ``DEFAULT_ERROR``, …), documented
        with the content type they are sent with: problem+json, not the JSON of a success."""
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE  # successes stay application/json

    def handle_http_exception(self, error: HTTPException):  # type: ignore[override]
        data = getattr(error, "data", None) or {}
        errors = None
        if "messages" in data:  # webargs validation failure
            messages = data["messages"]
            locations = {"json", "query", "files", "form", "headers", "path"}
            if isinstance(messages, Mapping) and len(messages) == 1 and set(messages) <= locations:
                messages = next(iter(messages.values()))
            errors = list(flatten_messages(messages))
        detail = error.description if errors is None else "The request has invalid input; see errors."
        if isinstance(error, InternalServerError):
            detail = "An internal error occurred; it has been logged."
        headers = dict(data.get("headers") or {})
        if error.code == 405 and error.get_response().headers.get("Allow"):
            headers["Allow"] = error.get_response().headers["Allow"]
        return problem(error.code or 500, error.name, detail, errors, headers=headers)


def handle_bcf_error(error: BcfError) -> Response:
    """A domain error as problem+json: ``type`` ``/api/v1/problems/<slug>``, all problems in ``errors``."""
    status, title = BCF_ERRORS.get(error.slug, DEFAULT_BCF_ERROR)
    if status >= 500:
        log.error("%s: %s", error.slug, error.message)
        return problem(status, title, "An internal error occurred; it has been logged.",
                       type_=PROBLEM_TYPES + error.slug)
    errors = list(error.problems) if error.problems or status == 422 else None
    extensions = {key: error.context[key] for key in PROBLEM_EXTENSIONS if key in error.context}
    return problem(status, title, error.message, errors, type_=PROBLEM_TYPES + error.slug,
                   extensions=extensions)


def register_error_handlers(app: Flask) -> None:
    """Errors outside smorest's reach (and crashes) still answer problem+json, never HTML."""

    app.register_error_handler(BcfError, handle_bcf_error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return app.extensions["bcf_api"].handle_http_exception(error)
        log.exception("unhandled error")
        return problem(500, "Internal Server Error", "An internal error occurred; it has been logged.")
