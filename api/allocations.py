"""Pooled-fund allocations: the stateless calculator and the stored reference table (issue 5, api.md).

``POST /api/v1/allocations/calculate`` takes the inputs as JSON or as CSV files (multipart) and answers
the per-board table as JSON, CSV or XLSX by ``Accept``. ``GET /api/v1/allocations[/{code}]`` serve the
table loaded with ``flask --app wsgi bcf load-allocations FILE…``; the same table gives a calculation
its default ``p4p_pool`` (:class:`calculator.AllocationStore`). The logic is
:func:`bcf.allocations.calculate_allocations`; these views only parse, call it and render.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import marshmallow as ma
from flask import Response, current_app, request
from flask.views import MethodView
from openpyxl import Workbook
from openpyxl.styles import Font

from api.errors import PROBLEM, ProblemSchema
from api.parsing import Blueprint
from bcf import allocation_files, allocation_table
from bcf.allocation_files import INPUT_NAMES, AllocationInputs, Table
from bcf.allocation_table import AllocationNotFound
from bcf.allocations import Allocations, calculate_allocations
from bcf.errors import InvalidInput, UnknownBoard
from bcf.rules import RuleSet, get_rule_set
from calculator.fields import BoundedList, MoneyField

blp = Blueprint("allocations", __name__, url_prefix="/api/v1/allocations",
                description="Pooled-fund allocations: each board's minimum fund by component and its "
                            "performance pool, with the source of every figure")

LOAD_COMMAND = "flask --app wsgi bcf load-allocations FILE…"
CSV, XLSX, JSON = "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", \
    "application/json"
MAX_ROWS = 100_000  # 211 CCGs × 152 boards is 32,072 rows: the largest sensible split table, thrice over


# --- schemas -----------------------------------------------------------------------------------------


class FigureSchema(ma.Schema):
    amount = MoneyField(allow_none=True, metadata={"description": "pounds; null when the inputs lack it"})
    source = ma.fields.String(allow_none=True, metadata={"enum": ["published", "derived", "user_supplied"]})
    explanation = ma.fields.String()


class TrancheFigureSchema(FigureSchema):
    tranche = ma.fields.String(metadata={"example": "april-2015/conditions"})
    share = ma.fields.Decimal(as_string=False, allow_none=True)

    class Meta:
        ordered = True
        fields = ("tranche", "share", "amount", "source", "explanation")

    @ma.post_dump
    def share_as_number(self, data: dict, **kwargs: Any) -> dict:
        if data.get("share") is not None:
            data["share"] = float(data["share"])
        return data


class BoardAllocationSchema(ma.Schema):
    hwb_code = ma.fields.String(metadata={"example": "E06000001"})
    hwb_name = ma.fields.String(metadata={"example": "Hartlepool"})
    source = ma.fields.String(metadata={
        "enum": ["published", "illustrative"],
        "description": "published: the minimum fund and pool both come from the board's allocation letter"})
    components = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(FigureSchema))
    ccg_contribution = ma.fields.Nested(FigureSchema)
    minimum_fund = ma.fields.Nested(FigureSchema)
    p4p_pool = ma.fields.Nested(FigureSchema)
    tranches = ma.fields.List(ma.fields.Nested(TrancheFigureSchema))


class AllocationWarningSchema(ma.Schema):
    code = ma.fields.String(metadata={"example": "national-total-mismatch"})
    message = ma.fields.String()
    hwb_code = ma.fields.String(allow_none=True)
    figure = ma.fields.String(allow_none=True)
    difference = MoneyField(allow_none=True, metadata={"minimum": None})


class AllocationsSchema(ma.Schema):
    rule_set = ma.fields.String(metadata={"example": "bcf-2015-16"})
    boards = ma.fields.List(ma.fields.Nested(BoardAllocationSchema))
    totals = ma.fields.Dict(keys=ma.fields.String(), values=MoneyField())
    warnings = ma.fields.List(ma.fields.Nested(AllocationWarningSchema))


_row = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(allow_none=True))


class AllocationRequestSchema(ma.Schema):
    """The four input tables as lists of rows (JSON). Cells are checked by the domain, naming
    ``ccg_to_hwb[3].share`` and the like. As multipart, send them as CSV files of the same names."""

    rule_set = ma.fields.String(metadata={"example": "bcf-2015-16"})
    ccg_amounts = BoundedList(_row, max_length=MAX_ROWS, metadata={
        "description": "ccg_code (or hwb_code for per-board amounts) and CCG-held component amounts"})
    ccg_to_hwb = BoundedList(_row, max_length=MAX_ROWS, metadata={
        "description": "ccg_code, hwb_code, share (each CCG's shares add up to 1)"})
    council_grants = BoundedList(_row, max_length=MAX_ROWS, metadata={
        "description": "council_code (the board's code), dfg, social_care_capital_grant"})
    published = BoundedList(_row, max_length=MAX_ROWS, metadata={
        "description": "hwb_code and any published figures (ccg_contribution, dfg, "
                       "social_care_capital_grant, minimum_fund, p4p_amount, components); they override "
                       "derived ones"})


def _loaded() -> Allocations:
    table = current_app.extensions["allocations"].table()
    if table is None:
        raise AllocationNotFound("No allocation table is loaded. An operator loads one with "
                                 f"`{LOAD_COMMAND}` (per-CCG amounts with a CCG→board split, council "
                                 "grants, or a published per-board table); POST "
                                 "/api/v1/allocations/calculate works without one.")
    return table


# --- rendering ---------------------------------------------------------------------------------------


def _render(allocations: Allocations, rule_set: RuleSet, filename: str) -> Any:
    """JSON (the schema), CSV or XLSX, as the client's Accept header prefers."""
    best = request.accept_mimetypes.best_match([JSON, CSV, XLSX], default=JSON)
    if best == CSV:
        return Response(allocation_table.to_csv_text(allocations, rule_set), mimetype=CSV, headers={
            "Content-Disposition": f'attachment; filename="{filename}.csv"'})
    if best == XLSX:
        return Response(_xlsx(allocations, rule_set), mimetype=XLSX, headers={
            "Content-Disposition": f'attachment; filename="{filename}.xlsx"'})
    return allocations


def _xlsx(allocations: Allocations, rule_set: RuleSet) -> bytes:
    """The table as a workbook: header row, frozen panes, money as numbers formatted in pounds."""
    book = Workbook()
    sheet = book.active
    sheet.title = "allocations"
    columns = allocation_table.columns(rule_set)
    money = set(allocation_table.figure_names(rule_set))
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in allocation_table.rows(allocations, rule_set):
        sheet.append([row[c] for c in columns])
    for index, column in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        if column in money:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = '"£"#,##0.00'
            sheet.column_dimensions[letter].width = 18
        elif column.endswith("_explanation"):
            sheet.column_dimensions[letter].width = 60
    sheet.freeze_panes = "C2"  # header row and the board's code and name stay in view
    notes = book.create_sheet("warnings")
    notes.append(["code", "message", "hwb_code", "figure", "difference"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for warning in allocations.warnings:
        notes.append([warning.code, warning.message, warning.hwb_code, warning.figure, warning.difference])
        notes.cell(row=notes.max_row, column=5).number_format = '"£"#,##0.00'
    notes.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- views -------------------------------------------------------------------------------------------


def _inputs_from_request(body: dict[str, Any]) -> tuple[AllocationInputs, str | None]:
    if request.files:
        unknown = [name for name in request.files if name not in INPUT_NAMES]
        if unknown:
            raise InvalidInput("Unknown file fields.", problems=[
                {"location": name, "message": f"unknown file field; expected {', '.join(INPUT_NAMES)}"}
                for name in unknown])
        tables = {}
        for name in INPUT_NAMES:
            upload = request.files.get(name)
            content = upload.read() if upload is not None else b""
            if content.strip():  # an empty part is as if not sent: the docs page sends every part
                filename = Path(upload.filename or "").name or f"{name}.csv"
                tables[name] = Table.from_csv(filename, content)
        return AllocationInputs(**tables), request.form.get("rule_set") or None
    tables = {name: Table.from_records(name, body[name])
              for name in INPUT_NAMES if body.get(name) is not None}
    return AllocationInputs(**tables), body.get("rule_set")


_CSV_FILE = {"type": "string", "format": "binary"}
_MULTIPART = {"requestBody": {"content": {"multipart/form-data": {"schema": {
    "type": "object",
    "properties": {"rule_set": {"type": "string"}, **dict.fromkeys(INPUT_NAMES, _CSV_FILE)}}}}}}

_TABLE_FORMATS = {"responses": {"200": {"content": {  # the Accept header chooses
    JSON: {"schema": {"$ref": "#/components/schemas/Allocations"}},
    CSV: {"schema": {"type": "string"}},
    XLSX: {"schema": {"type": "string", "format": "binary"}}}}}}


@blp.route("/calculate")
class AllocationCalculation(MethodView):
    @blp.arguments(AllocationRequestSchema)
    @blp.doc(**_MULTIPART)  # the same four tables as CSV files
    @blp.response(200, AllocationsSchema, description="the per-board table; CSV or XLSX by Accept")
    @blp.doc(**_TABLE_FORMATS)
    @blp.alt_response(422, schema=ProblemSchema, content_type=PROBLEM, description="invalid input")
    def post(self, body):
        """Compute every board's minimum fund, performance pool and tranches from CCG and council funding

        Send JSON (the tables as lists of rows) or multipart/form-data with CSV files ``ccg_amounts``,
        ``ccg_to_hwb``, ``council_grants`` and ``published``. Every figure says where it came from
        (``published``, ``derived``, ``user_supplied``) and how; national totals that differ from the
        rule set's are warnings with the difference, never rescaled.
        ---
        Thin: the logic is bcf.allocations.calculate_allocations.
        """
        inputs, rule_set_id = _inputs_from_request(body)
        rule_set = get_rule_set(current_app.extensions["rule_sets"], rule_set_id)
        allocations = calculate_allocations(inputs, rule_set, current_app.extensions["boards"])
        return _render(allocations, rule_set, "allocations")


def _rule_set_of(allocations: Allocations) -> RuleSet:
    return current_app.extensions["rule_sets"][allocations.rule_set]


@blp.route("")
class AllocationList(MethodView):
    @blp.response(200, AllocationsSchema, description="the loaded table; CSV or XLSX by Accept")
    @blp.doc(**_TABLE_FORMATS)
    @blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM, description="no table is loaded")
    def get(self):
        """The loaded allocation table: every board's minimum fund by component and performance pool"""
        table = _loaded()
        return _render(table, _rule_set_of(table), "allocations")


@blp.route("/<board:code>")
class AllocationOne(MethodView):
    @blp.response(200, BoardAllocationSchema)
    @blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM,
                      description="no table is loaded, no such board, or the board is not in the table")
    def get(self, code):
        """One board's minimum fund by component, performance pool and tranches, with their sources"""
        if code not in current_app.extensions["boards"]:
            raise UnknownBoard(f"No Health and Wellbeing Board has the code {code[:20]!r}; "
                               "GET /api/v1/hwbs lists the 152 boards.")
        table = _loaded()
        board = table.board(code)
        if board is None:
            raise AllocationNotFound(f"The loaded allocation table has no row for board {code}; load a table "
                                     f"that includes it with `{LOAD_COMMAND}`.")
        return board


# --- the operator's command (api/cli.py: load-allocations) ---------------------------------------------


def calculate_files(paths: list[Path], rule_set_id: str | None = None, *,
                    national_minimum_fund: Decimal | None = None) -> tuple[Allocations, RuleSet]:
    """Calculate the table from CSV files (roles told by their columns), writing nothing.

    :raise InvalidInput: every problem in every file, each naming file, row and column.
    """
    rule_set = get_rule_set(current_app.extensions["rule_sets"], rule_set_id)
    tables = [Table.from_csv(Path(p).name, Path(p)) for p in paths]
    inputs = allocation_files.inputs_from_tables(tables, rule_set)
    allocations = calculate_allocations(inputs, rule_set, current_app.extensions["boards"],
                                        national_minimum_fund=national_minimum_fund)
    return allocations, rule_set


def store_table(allocations: Allocations, rule_set: RuleSet) -> Path:
    """Write the table and its warnings where the app's store reads them (each file atomically)."""
    store = current_app.extensions["allocations"]
    allocation_table.write_table(store.path, allocations, rule_set)
    return store.path
