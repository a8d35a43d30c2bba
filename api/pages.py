"""The pages a person reads: the index (``/``, ``/api/v1``) and a page per board (``/reports/boards/…``).

Plain Flask views rendering Jinja templates (``api/templates``), not part of the OpenAPI document: the
API answers machines, these answer people. A board page shows the same stored determination that
``GET /api/v1/hwbs/{code}/determinations/current`` answers, with the same roles.
"""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from api import database
from api.auth import Unauthorized
from api.board_compare import rule_set_comparison
from api.board_report import board_report
from api.board_spc import spc_sections
from api.national_page import render_national
from api.page_errors import error_page
from api.signin import page_actor, signed_in
from bcf.recovery import current_determination
from storage import determinations, workflow

blp = Blueprint("pages", __name__)

#: the CSV templates api/spreadsheets.py serves, with what each holds
TEMPLATES = (
    ("metrics", "Each metric's baseline, plan and actual counts, one row per board, metric and period."),
    ("conditions", "The evidence for the national conditions, one row per board."),
    ("pools", "Each board's payment-for-performance pool (leave a board out to use the allocation table)."),
)


@blp.get("/")
def index():
    """The front page: what the service does and where everything is."""
    return _index_page()


@blp.get("/api/v1")
def api_index():
    """The API's root: the same index for a browser, its links as JSON for a client that asks for JSON."""
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return jsonify(_links())
    return _index_page()


def _links() -> dict[str, str]:
    return {
        "docs": url_for("api-docs.openapi_swagger_ui"),
        "openapi": url_for("api-docs.openapi_json"),
        "national_report": "/reports/national",
        "national_report_data": "/api/v1/reports/national",
        "board_reports": "/reports/boards/{code}",
        "hwbs": "/api/v1/hwbs",
        **{f"template_{name}": url_for("spreadsheets.template", name=name) for name, _ in TEMPLATES},
    }


def _index_page():
    try:
        actor = page_actor()
    except Unauthorized:
        actor = None  # a bad header on the open index: shown as not signed in
    boards = sorted(current_app.extensions["boards"].values(), key=lambda b: b.name)
    if actor is not None and actor.role == "hwb":
        boards = [b for b in boards if b.code == actor.hwb_code]
    return render_template("index.html", links=_links(), boards=boards, templates=TEMPLATES, actor=actor)


@blp.get("/reports/boards/<board:code>")
@signed_in("hwb", "assurance")
def board(code: str):
    """One board's latest determination explained line by line (200 saying so when there is none)."""
    session = database.session()
    found = current_app.extensions["boards"][code]
    row = determinations.latest(session, code)
    if row is None:
        return render_template("board.html", board=found, report=None)
    stored = determinations.describe(row)
    plans = workflow.list_for(session, code)
    stored["result"] = current_determination(row.result, {plan.payment: plan.state for plan in plans})
    stored["recovery_plans"] = {plan.payment: plan.state for plan in plans}
    rule_set = current_app.extensions["rule_sets"].get(row.rule_set)
    report = board_report(stored, found, current_app.extensions["catalogue"],
                          threshold=float(rule_set.threshold) if rule_set else 0.7,
                          rule_set_name=rule_set.name if rule_set else row.rule_set)
    report["spc"] = spc_sections(stored["result"], found.name, current_app.extensions["catalogue"])
    report["comparison"] = rule_set_comparison(current_app.extensions["calculator"], row.request,
                                               row.rule_set)
    return render_template("board.html", board=found, report=report)


@blp.get("/reports/national")
@signed_in("hwb", "assurance", "admin")
def national():
    """The national report as a page, over the stored determinations: for assurance panels and admins.
    An ``hwb`` token is answered 404, as the API answers it: a board does not learn of the others."""
    from api.reports import ReportQueryArgsSchema, report_of, stored_inputs

    if page_actor().role == "hwb":
        abort(404)
    query = {key: value for key, value in request.args.items() if value != ""}  # the form's "every tranche"
    try:
        args = ReportQueryArgsSchema().load(query)
    except ma.ValidationError as error:
        # marshmallow's messages are sentences ("Must be one of: … area_team."): one full stop at the end
        problems = "; ".join(f"{field}: {' '.join(map(str, messages)).rstrip('.')}"
                             for field, messages in error.normalized_messages().items())
        abort(400, f"The report cannot be shown: {problems}.")
    return render_national(report_of(stored_inputs(database.session()), args))


@blp.errorhandler(HTTPException)
def _page_error(error: HTTPException):
    """A page's errors as a page (the API's stay problem+json)."""
    return error_page(error.code or 500, error.name, error.description)


@blp.errorhandler(Unauthorized)
def _page_unauthorized(error: Unauthorized):
    challenge = 'Bearer realm="bcf"' + (', error="invalid_token"' if error.invalid else "")
    return error_page(401, "Unauthorized", error.detail, {"WWW-Authenticate": challenge})
