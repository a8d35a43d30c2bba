"""The national report (issue 12): ``GET|POST /api/v1/reports/national``, for assurance panels.

GET reads the latest stored determination of each board (its held-back money's use brought up to
date from the recovery-plan workflow, as ``…/determinations/current`` reports it); POST determines an
uploaded batch (the multipart files of ``POST /api/v1/calculations/csv``, read and calculated by the
same code) without storing anything. Both answer the report of :func:`reports.build_report` in the
format the ``Accept`` header asks for: JSON (the schema below), CSV (one table, ``?table=``) or an XLSX
workbook (a sheet per table). Assurance and admin tokens only; an ``hwb`` token is answered 404, as
for any path it may not see.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import Response, abort, current_app, request
from flask.views import MethodView

from api import database
from api.auth import actor, protected
from api.calculations import calculator
from api.errors import PROBLEM, ProblemSchema, problem
from api.parsing import Blueprint
from api.spreadsheets import UPLOAD_DOC, read_upload, upload_limit
from bcf.recovery import current_determination
from calculator.fields import MoneyField
from reports import GROUPINGS, BoardInput, build_report, tranche_ids
from reports.national import BANDS
from sheets.batch import calculate_upload
from sheets.report_writing import DEFAULT_TABLE, TABLES, render_report
from sheets.writing import CSV_MIME, JSON_MIME, XLSX_MIME
from storage import report_inputs
from storage.models import iso

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                description="The national picture for assurance panels: every board's determination, "
                            "summed by region, NHS region or area team and nationally")


# --- query and answer schemas ------------------------------------------------------------------------


class ReportQueryArgsSchema(ma.Schema):
    grouping = ma.fields.String(load_default="national", validate=ma.validate.OneOf(GROUPINGS), metadata={
        "description": "the groups of boards (reference_data/boards.csv); national: the country as one"})
    tranche = ma.fields.String(metadata={
        "description": "only this tranche's money, recovery plans, metrics and funnels (a rule set's "
                       "tranche id)", "example": "october-2015/metrics"})
    table = ma.fields.String(load_default=DEFAULT_TABLE, validate=ma.validate.OneOf(TABLES), metadata={
        "description": "CSV only: which table (a workbook holds them all, a sheet each)"})

    @ma.validates("tranche")
    def known_tranche(self, value: str, **kwargs: Any) -> None:
        known = tranche_ids(current_app.extensions["rule_sets"])
        if value not in known:
            raise ma.ValidationError(f"Must be one of: {', '.join(known)}.")


_money = functools.partial(MoneyField, allow_none=True)


class ReportTrancheSchema(ma.Schema):
    tranche = ma.fields.String(metadata={"example": "april-2015/metrics"})
    boards = ma.fields.Integer(metadata={"description": "boards whose determination has this tranche"})
    available = _money()
    released = _money()
    held_back = _money()
    pending = _money(metadata={"description": "available money of tranches still waiting for outturn"})
    boards_recovery_plan_required = ma.fields.Integer()


#: per metric and period, a count of boards per band (reports.national.BANDS, in that order)
AchievementCountsSchema = ma.Schema.from_dict({
    "metric": ma.fields.String(metadata={"example": "delayed_transfers"}),
    "period": ma.fields.String(metadata={"example": "april-2015"}),
    **{band: ma.fields.Integer() for band in BANDS}}, name="ReportAchievementCounts")

class ReportGroupSchema(ma.Schema):
    """A group of boards (or the nation): counts of its boards and the sums of their money."""

    group = ma.fields.String(metadata={"example": "North East"})
    boards = ma.fields.Integer()
    boards_with_plan = ma.fields.Integer()
    boards_determined = ma.fields.Integer()
    boards_without_determination = ma.fields.Integer()
    boards_assured = ma.fields.Integer()
    boards_not_assured = ma.fields.Integer()
    boards_assurance_not_assessed = ma.fields.Integer(metadata={"description": "plan_assured null"})
    boards_recovery_plan_required = ma.fields.Integer()
    available = _money()
    released = _money()
    held_back = _money()
    pending = _money()
    tranches = ma.fields.List(ma.fields.Nested(ReportTrancheSchema))
    held_back_by_use = ma.fields.Dict(keys=ma.fields.String(), values=MoneyField(), metadata={
        "description": "held_back_use → pounds (the uses of held_back_uses)"})
    achievement = ma.fields.List(ma.fields.Nested(AchievementCountsSchema), metadata={
        "description": "per metric and period, the number of boards in each band"})


class ReportBoardTrancheSchema(ma.Schema):
    tranche = ma.fields.String()
    status = ma.fields.String(allow_none=True, metadata={"enum": ["determined", "pending", "not_assessed"]})
    available = _money()
    released = _money()
    held_back = _money()
    pending = _money()
    held_back_use = ma.fields.String(allow_none=True)
    recovery_plan_required = ma.fields.Boolean(allow_none=True)


class ReportBoardAchievementSchema(ma.Schema):
    metric = ma.fields.String()
    period = ma.fields.String()
    achievement = ma.fields.Float(allow_none=True)
    band = ma.fields.String(metadata={"enum": list(BANDS)})


class ReportBoardSchema(ma.Schema):
    hwb_code = ma.fields.String(metadata={"example": "E06000001"})
    hwb_name = ma.fields.String(allow_none=True)
    region = ma.fields.String(allow_none=True)
    nhs_region = ma.fields.String(allow_none=True)
    area_team = ma.fields.String(allow_none=True)
    group = ma.fields.String()
    status = ma.fields.String(metadata={"enum": ["determined", "no_determination"]})
    has_plan = ma.fields.Boolean()
    determination_id = ma.fields.Integer(allow_none=True)
    determined_at = ma.fields.String(allow_none=True)
    rule_set = ma.fields.String(allow_none=True)
    plan_assured = ma.fields.Boolean(allow_none=True)
    recovery_plan_required = ma.fields.Boolean(allow_none=True)
    available = _money()
    released = _money()
    held_back = _money()
    pending = _money()
    tranches = ma.fields.List(ma.fields.Nested(ReportBoardTrancheSchema))
    held_back_by_use = ma.fields.Dict(keys=ma.fields.String(), values=MoneyField())
    achievement = ma.fields.List(ma.fields.Nested(ReportBoardAchievementSchema))


_column = functools.partial(ma.fields.List, ma.fields.Float(allow_none=True))


class FunnelLimitsSchema(ma.Schema):
    at = _column(metadata={"description": "x: denominators or events, as the funnel's axis says"})
    lower_95 = _column()
    upper_95 = _column()
    lower_998 = _column()
    upper_998 = _column()


class FunnelPointSchema(ma.Schema):
    hwb_code = ma.fields.String()
    hwb_name = ma.fields.String(allow_none=True)
    value = ma.fields.Float(metadata={"description": "the board's actual, in the metric's unit"})
    events = ma.fields.Float()
    denominator = ma.fields.Float()
    significance = ma.fields.String(allow_none=True, metadata={"description": "PHE's label"})


class FunnelLeftOutSchema(ma.Schema):
    hwb_code = ma.fields.String()
    reason = ma.fields.String()


class FunnelSchema(ma.Schema):
    """One metric and period's funnel plot (reports/funnels.py describes it for whoever draws it)."""

    metric = ma.fields.String()
    local_metric = ma.fields.String(allow_none=True)
    period = ma.fields.String()
    name = ma.fields.String(allow_none=True)
    statistic = ma.fields.String(metadata={"enum": ["proportion", "rate", "dsr"]})
    polarity = ma.fields.String(allow_none=True)
    unit = ma.fields.String(allow_none=True)
    axis = ma.fields.String(metadata={"enum": ["denominator", "events"]})
    average = ma.fields.Float(allow_none=True)
    limits = ma.fields.Nested(FunnelLimitsSchema, allow_none=True)
    points = ma.fields.List(ma.fields.Nested(FunnelPointSchema))
    left_out = ma.fields.List(ma.fields.Nested(FunnelLeftOutSchema))
    note = ma.fields.String(allow_none=True)


class ReportMetricPeriodSchema(ma.Schema):
    metric = ma.fields.String()
    period = ma.fields.String()


class NationalReportSchema(ma.Schema):
    grouping = ma.fields.String(metadata={"enum": list(GROUPINGS)})
    tranche = ma.fields.String(allow_none=True)
    tranches = ma.fields.List(ma.fields.String(), metadata={"description": "the tranche columns"})
    held_back_uses = ma.fields.List(ma.fields.String())
    achievement_pairs = ma.fields.List(ma.fields.Nested(ReportMetricPeriodSchema))
    national = ma.fields.Nested(ReportGroupSchema)
    groups = ma.fields.List(ma.fields.Nested(ReportGroupSchema))
    boards = ma.fields.List(ma.fields.Nested(ReportBoardSchema), metadata={
        "description": "every board of the reference, those without a determination included"})
    funnels = ma.fields.List(ma.fields.Nested(FunnelSchema))


# --- formats -----------------------------------------------------------------------------------------

Renderer = Callable[[dict[str, Any], dict[str, Any]], Any]


def _download(report: dict[str, Any], args: dict[str, Any], mime: str, suffix: str) -> Response:
    name = f"bcf-national-{report['grouping']}" + (f"-{args['table']}" if mime == CSV_MIME else "")
    content_type = f"{mime}; charset=utf-8" if mime == CSV_MIME else mime
    return Response(render_report(report, mime, args["table"]), content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{suffix}"'})


def _page(report: dict[str, Any], args: dict[str, Any]) -> Response:
    """The national page itself (api/national_page.py), read in a browser as ``/reports/national`` is,
    its styles and script fetched from ``/static`` (api/security.py's policy is on every answer)."""
    from api.national_page import render_national

    return Response(render_national(report), content_type="text/html; charset=utf-8")


#: media type → renderer; the first is the default (no Accept, or */*)
RENDERERS: dict[str, Renderer] = {
    JSON_MIME: lambda report, args: report,  # dumped by NationalReportSchema (@blp.response)
    CSV_MIME: lambda report, args: _download(report, args, CSV_MIME, "csv"),
    XLSX_MIME: lambda report, args: _download(report, args, XLSX_MIME, "xlsx"),
    "text/html": _page,
}


def _renderer() -> Renderer:
    offered = list(RENDERERS)
    mime = request.accept_mimetypes.best_match(offered, default=offered[0] if not request.accept_mimetypes
                                               else None)
    if mime is None:
        abort(problem(406, "Not Acceptable", f"The national report is available as {', '.join(offered)}."))
    return RENDERERS[mime]


def _panels_only(view: Callable) -> Callable:
    """An ``hwb`` token is 404 here, as on another board's path: a board does not learn of the others."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if actor().role == "hwb":
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def stored_inputs(session, progress: Callable | None = None) -> dict[str, BoardInput]:
    """Every board's latest stored determination as it stands now (held-back use from the workflow,
    :func:`bcf.recovery.current_determination`), and the boards with a plan but no determination.

    :param progress: wraps the loop over the determinations (the command's progress bar).
    """
    latest = report_inputs.latest_determinations(session)
    planned = report_inputs.boards_with_plan(session)
    states = report_inputs.recovery_states(session)
    wrap = progress or (lambda items: items)
    inputs = {code: BoardInput(current_determination(row.result, states.get(code, {})), row.request,
                               has_plan=code in planned, determination_id=row.id,
                               determined_at=iso(row.created_at))
              for code, row in wrap(list(latest.items()))}
    inputs.update((code, BoardInput(None, has_plan=True)) for code in planned - set(latest))
    return inputs


def upload_inputs(files: dict[str, bytes | None], calc, progress=None) -> dict[str, BoardInput]:
    """An uploaded batch, determined by the calculator (nothing stored): the boards in it have a plan."""
    results = calculate_upload(files, calc, progress=progress).boards
    return {r.request.hwb_code: BoardInput(r.determination, r.request.payload, has_plan=True)
            for r in results}


def report_of(inputs: dict[str, BoardInput], args: dict[str, Any]) -> dict[str, Any]:
    return build_report(inputs, current_app.extensions["boards"], current_app.extensions["rule_sets"],
                        current_app.extensions["catalogue"], grouping=args["grouping"],
                        tranche=args.get("tranche"))


_FORMATS = {"responses": {"200": {"content": {
    JSON_MIME: {"schema": {"$ref": "#/components/schemas/NationalReport"}},
    CSV_MIME: {"schema": {"type": "string"}},
    XLSX_MIME: {"schema": {"type": "string", "format": "binary"}},
    "text/html": {"schema": {"type": "string"}}}}}}


@blp.route("/national")
class NationalReport(MethodView):
    @protected(blp, "hwb", "assurance", "admin")
    @_panels_only
    @blp.arguments(ReportQueryArgsSchema, location="query")
    @blp.response(200, NationalReportSchema, description="the report; CSV (one table) or XLSX by Accept")
    @blp.doc(**_FORMATS)
    @blp.alt_response(406, schema=ProblemSchema, content_type=PROBLEM, description="an unknown format")
    def get(self, args):
        """The national report over the latest stored determination of each board

        Per group (``grouping``: region, nhs_region, area_team, or national) and nationally: boards,
        boards with a plan, assured, needing a recovery plan; available, released, held back and
        pending money per tranche and in total; held-back money by use; per metric and period how many
        boards achieved 100% or more of their ambition, the threshold to 100%, below it, pending,
        unassessable, or have no determination. Every board has a row, determined or not. ``funnels``:
        each board's outturn against the national average. ``Accept``: application/json (default),
        text/csv (the table of ``table``), or the XLSX type (every table, a sheet each).
        """
        render = _renderer()
        return render(report_of(stored_inputs(database.session()), args), args)

    @protected(blp, "hwb", "assurance", "admin")
    @_panels_only
    @blp.arguments(ReportQueryArgsSchema, location="query")
    @blp.doc(requestBody=UPLOAD_DOC["requestBody"])
    @blp.response(200, NationalReportSchema, description="the report; CSV (one table) or XLSX by Accept")
    @blp.doc(**_FORMATS)
    @blp.alt_response(422, schema=ProblemSchema, content_type=PROBLEM, description="every problem of the "
                      "upload, by file, row and column; nothing was computed")
    @blp.alt_response(406, schema=ProblemSchema, content_type=PROBLEM, description="an unknown format")
    @blp.alt_response(413, schema=ProblemSchema, content_type=PROBLEM, description="over the size limit")
    def post(self, args):
        """The national report over an uploaded batch (the files of POST /api/v1/calculations/csv)

        Multipart fields ``metrics`` (required), ``conditions`` and ``pools``: each board is determined
        as ``POST /api/v1/calculations/csv`` determines it, nothing is stored, and the report is that of
        ``GET``, boards not in the upload appearing as ``no_determination``.
        """
        limit = upload_limit()
        render = _renderer()
        inputs = upload_inputs(read_upload(limit), calculator)
        return render(report_of(inputs, args), args)
