"""Spreadsheet users: CSV templates, and a batch calculation from uploaded CSV files.

The upload is read by :mod:`sheets`, each board's rows become one api.md request and go through the
app's :class:`calculator.Calculator`, the same code as ``POST /api/v1/calculations`` (every board
prepared, then all determined together). This module
only handles HTTP: the size limit, which files came, content negotiation and the problem body.
"""

from __future__ import annotations

from importlib import resources

import marshmallow as ma
from flask import Response, abort, current_app, request

from api.calculations import calculator
from api.errors import ProblemSchema, problem
from api.parsing import Blueprint
from calculator.simulation import SimulationQueryArgsSchema, simulation_block
from sheets.batch import calculate_upload
from sheets.payloads import FILES
from sheets.writing import CSV_MIME, CSV_TABLES, JSON_MIME, SHEETS, XLSX_MIME, render

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


class ResultTableSchema(ma.Schema):
    """Which table a CSV answer holds (a CSV holds one; JSON and the workbook hold them all)."""

    table = ma.fields.String(load_default="tranches", validate=ma.validate.OneOf(tuple(CSV_TABLES)),
                             metadata={
        "description": "CSV only: tranches (one row per board and tranche, the default), lines (one row per "
                       "metric and condition line of each tranche, with its explanation) or totals (one row "
                       "per board). JSON and XLSX answers hold every table whatever this says."})


class UploadQuerySchema(ResultTableSchema, SimulationQueryArgsSchema):
    """The upload's query: the CSV's table, and whether to simulate every board (issue 13 §1)."""


@blp.route("/templates/results.xlsx")
@blp.doc(responses={"200": {"description": "The workbook POST /api/v1/calculations/csv answers for the three "
                                           "templates uploaded unchanged",
                            "content": {XLSX_MIME: {"schema": {"type": "string", "format": "binary"}}}}})
def example_results():
    """Download the worked example's results as a workbook: what an XLSX answer looks like

    The example given for the XLSX answer of ``POST /api/v1/calculations/csv`` in this document.
    """
    files = {key: template_bytes(key) for key in FILES}
    body = render(calculate_upload(files, calculator).boards, XLSX_MIME)
    return Response(body, content_type=XLSX_MIME,
                    headers={"Content-Disposition": 'attachment; filename="bcf-results-example.xlsx"'})


UPLOAD_DOC = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["metrics"],
        "properties": {key: {"type": "string", "format": "binary",
                             "description": f"{name}" + ("" if key == "metrics" else
                                                         " (optional: an empty part is as if not sent)")}
                       for key, (name, _, _) in FILES.items()}}}}},
}
#: what the worked example (the three templates, uploaded unchanged) answers, first board
CSV_EXAMPLE = (
    "hwb_code,hwb_name,tranche,available,released,held_back,held_back_use,recovery_plan_required,plan_assured\r\n"
    "E06000001,Hartlepool,april-2015/conditions,550000.00,550000.00,0.00,none,FALSE,TRUE\r\n"
    "E06000001,Hartlepool,april-2015/metrics,550000.00,474699.70,75300.30,contingency_plan,FALSE,TRUE\r\n"
    "E06000001,Hartlepool,october-2015/metrics,1100000.00,994021.75,105978.25,contingency_plan,FALSE,TRUE\r\n"
)
_RESULT_FORMATS = {"responses": {200: {"content": {  # merged with @blp.response's 200 (an int key, as it)
    CSV_MIME: {"schema": {"type": "string"}},
    JSON_MIME: {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Determination"}}},
    XLSX_MIME: {"schema": {"type": "string", "format": "binary"}, "examples": {"worked-example": {
        "summary": "The worked example's workbook",
        "description": "A sheet per table, each with an autofilter, headers a person reads and the board's "
                       "region and NHS region beside its name: "
                       + "; ".join(f"**{title}** ({', '.join(c.header for c in columns)})"
                                   for title, columns, _ in SHEETS)
                       + ". Money is formatted as pounds, achievement and payable as percentages. "
                         "GET /api/v1/templates/results.xlsx is this workbook for the three templates.",
        "externalValue": "/api/v1/templates/results.xlsx"}}},
}}}}
@blp.route("/calculations/csv", methods=["POST"])
@blp.arguments(UploadQuerySchema, location="query")
@blp.doc(**UPLOAD_DOC)
@blp.response(200, content_type=CSV_MIME, example=CSV_EXAMPLE,
              description="One row per board and tranche (CSV; ?table=lines or totals for the other tables), "
                          "the determinations (JSON), or a workbook with a sheet per table (XLSX), by Accept")
@blp.doc(**_RESULT_FORMATS)
@blp.alt_response(422, schema=ProblemSchema, description="Every problem of the upload, by file, row and "
                  "column; nothing was computed", content_type="application/problem+json")
@blp.alt_response(413, schema=ProblemSchema, description="The upload is over the size limit",
                  content_type="application/problem+json")
def calculate_csv(query):
    """Determine many boards at once from uploaded CSV files

    Multipart fields: ``metrics`` (required), ``conditions`` and ``pools`` (optional). Answers by
    ``Accept``: ``text/csv`` (default), ``application/json`` or the XLSX type. If any row of any file
    is wrong, nothing is computed and the 422 answer lists the problems as
    ``metrics.csv row 14, column plan``: all of them counted (``problem_count``), the first 1,000
    listed. Limits: 10 MB per upload (413 beyond) and 20,000 data rows per file (422 beyond, said
    before the rest of the file is read). With ``?draws=…`` or ``?seed=…`` every board is simulated
    too (issue 13 §1) and each tranche row gains its probability columns.
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
    results = calculate_upload(files, calculator, simulation=simulation_block(query)).boards
    body = render(results, mime, query["table"])
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
    """An uploaded file, or the same content sent as a plain form field (``curl -F metrics=<file``).

    An optional part sent empty is as if not sent: the docs page (Swagger UI) sends every part of the
    form, empty ones too. An empty ``metrics`` is still "the file is empty": it is required.
    """
    upload = request.files.get(key)
    if upload is not None:
        data = upload.read()
    else:
        text = request.form.get(key)
        data = text.encode("utf-8") if text is not None else None
    if data is not None and not data.strip() and key != "metrics":
        return None
    return data


def _too_large(limit: int):
    return problem(413, "Content Too Large",
                   f"The upload is larger than the limit of {limit / 1024 / 1024:g} MB; split the boards "
                   "over several uploads.")

