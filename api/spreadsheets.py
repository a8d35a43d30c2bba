"""Spreadsheet users: CSV templates, and a batch calculation from uploaded CSV files.

The upload is read by :mod:`sheets`, each board's rows become one api.md request and go through the
app's :class:`calculator.Calculator`, the same code as ``POST /api/v1/calculations`` (every board
prepared, then all determined together). This module
only handles HTTP: the size limit, which files came, content negotiation and the problem body.
"""

from __future__ import annotations

from importlib import resources

from flask import Response, abort, current_app, request

from api.calculations import calculator
from api.errors import ProblemSchema, problem
from api.parsing import Blueprint
from sheets.batch import calculate_upload
from sheets.payloads import FILES
from sheets.writing import CSV_MIME, JSON_MIME, XLSX_MIME, render

blp = Blueprint("spreadsheets", __name__, url_prefix="/api/v1",
                description="CSV templates and batch calculations for spreadsheet users")

DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024  # bytes; app.config["CSV_UPLOAD_MAX_BYTES"] overrides
RESULT_TYPES = (CSV_MIME, JSON_MIME, XLSX_MIME)  # CSV first: the default for */* and no Accept
EXTENSIONS = {CSV_MIME: "csv", JSON_MIME: "json", XLSX_MIME: "xlsx"}


def template_bytes(name: str) -> bytes:
    """A template as shipped in ``sheets/templates`` (header row plus a worked example)."""
    return resources.files("sheets").joinpath("templates", f"{name}.csv").read_bytes()


@blp.route("/templates/<any(metrics, conditions, pools):name>.csv")
@blp.doc(responses={"200": {"description": "The template: header row and a worked example for two boards",
                            "content": {CSV_MIME: {"schema": {"type": "string"}}}}})
def template(name: str):
    """Download a CSV template (metrics, conditions or pools), ready to fill in

    Uploaded unchanged, the three templates compute without error: they are a worked example.
    """
    return Response(template_bytes(name), content_type=f"{CSV_MIME}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


UPLOAD_DOC = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["metrics"],
        "properties": {key: {"type": "string", "format": "binary", "description": f"{name}"}
                       for key, (name, _, _) in FILES.items()}}}}},
    "responses": {
        "200": {"description": "One row per board and tranche (CSV), the determinations (JSON), or a "
                               "workbook with a sheet per table (XLSX), by Accept",
                "content": {CSV_MIME: {"schema": {"type": "string"}},
                            JSON_MIME: {"schema": {"type": "array"}},
                            XLSX_MIME: {"schema": {"type": "string", "format": "binary"}}}},
    },
}


@blp.route("/calculations/csv", methods=["POST"])
@blp.doc(**UPLOAD_DOC)
@blp.alt_response(422, schema=ProblemSchema, description="Every problem of the upload, by file, row and "
                  "column; nothing was computed", content_type="application/problem+json")
@blp.alt_response(413, schema=ProblemSchema, description="The upload is over the size limit",
                  content_type="application/problem+json")
def calculate_csv():
    """Determine many boards at once from uploaded CSV files

    Multipart fields: ``metrics`` (required), ``conditions`` and ``pools`` (optional). Answers by
    ``Accept``: ``text/csv`` (default), ``application/json`` or the XLSX type. If any row of any file
    is wrong, nothing is computed and the 422 answer lists every problem as
    ``metrics.csv row 14, column plan``.
    """
    limit = upload_limit()
    mime = request.accept_mimetypes.best_match(RESULT_TYPES, default=CSV_MIME if not request.accept_mimetypes
                                               else None)
    if mime is None:
        return problem(406, "Not Acceptable", f"Results are available as {', '.join(RESULT_TYPES)}.")
    files = read_upload(limit)
    # the calculator prepares every board before it determines any;
    # InvalidInput (every problem, as "metrics.csv row 14, column plan") becomes a 422 problem in
    # api.errors, as for the JSON calculator
    results = calculate_upload(files, calculator).boards
    body = render(results, mime)
    content_type = f"{mime}; charset=utf-8" if mime != XLSX_MIME else mime
    return Response(body, content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="bcf-results.{EXTENSIONS[mime]}"'})


def upload_limit() -> int:
    """The upload size limit, checked at once against a declared length (413 above it).

    Called before anything else is answered, so an upload over the limit is 413 whatever else is wrong.
    """
    limit = int(current_app.config.get("CSV_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_LIMIT))
    if request.content_length is not None and request.content_length > limit:
        abort(_too_large(limit))
    return limit


def read_upload(limit: int | None = None) -> dict[str, bytes | None]:
    """The batch's files (``metrics``, ``conditions``, ``pools`` → bytes, None when not sent), read
    within the size limit: the upload of ``POST /calculations/csv`` and ``POST /reports/national``."""
    limit = upload_limit() if limit is None else limit
    request.max_content_length = limit  # also stops a streamed upload without a length
    request.max_form_memory_size = limit  # a file sent as a plain form field is allowed the same
    return {key: _field(key) for key in FILES}


def _field(key: str) -> bytes | None:
    """An uploaded file, or the same content sent as a plain form field (``curl -F metrics=<file``)."""
    upload = request.files.get(key)
    if upload is not None:
        return upload.read()
    text = request.form.get(key)
    return text.encode("utf-8") if text is not None else None


def _too_large(limit: int):
    return problem(413, "Content Too Large",
                   f"The upload is larger than the limit of {limit / 1024 / 1024:g} MB; split the boards "
                   "over several uploads.")

