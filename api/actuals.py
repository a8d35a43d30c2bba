"""A board's outturn per payment period: ``PUT|GET /api/v1/hwbs/{code}/actuals/{period}``, versioned.

The body maps each of the stored plan's metric ids (``delayed_transfers``, ``local``, …) to its actual
count block for that period, e.g. ``{"delayed_transfers": {"numerator": 2950, "denominator": 72400}}``.
Same versioning as the plan: ``ETag``, ``If-Match``, ``?version=N``.
"""

from __future__ import annotations

from flask import abort
from flask.views import MethodView

from api import database
from api.auth import actor, protected
from api.parsing import Blueprint, json_body
from api.stored_inputs import check_actuals_body, periods
from api.versioning import (
    VersionInfoSchema,
    VersionQuerySchema,
    document_docs,
    document_response,
    if_match,
    version_info,
)
from storage import documents
from storage.errors import Conflict, NotFound

ACTUALS = {"type": "object", "minProperties": 1, "additionalProperties": {"type": "object"},
           "description": "Metric id → actual count block (api.md), e.g. "
                          '{"delayed_transfers": {"numerator": 2950, "denominator": 72400}}. A metric '
                          "with a monthly series (delayed_transfers, avoidable_emergency_admissions, "
                          "non_elective_admissions) may add the period's outturn months to its block, "
                          '"monthly": [{"month": "2015-01", "value": 40.1}, …] (or send them alone): '
                          "they join the plan's monthly series in a determination's XmR chart (spc)"}
blp = Blueprint("actuals", __name__, url_prefix="/api/v1/hwbs",
                description="A board's actuals (outturn) per payment period, versioned.")


def _known(period: str) -> None:
    if period not in periods():
        abort(404, f"No payment period {period!r}; known: {', '.join(sorted(periods()))}.")


@blp.route("/<code>/actuals/<period>")
class Actuals(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.arguments(VersionQuerySchema, location="query")
    @blp.doc(**document_docs(ACTUALS))
    def get(self, query, code, period):
        """Read the board's actuals for a period (the current version, or ?version=N)"""
        _known(period)
        session, version = database.session(), query.get("version")
        row = documents.latest(session, code, period) if version is None else \
            documents.get(session, code, version, period)
        if row is None:
            raise NotFound(f"No {period} actuals{f' version {version}' if version else ''} for {code}.")
        return document_response(row)

    @protected(blp, "hwb")
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": ACTUALS}}},
             **document_docs(ACTUALS, writes=True))
    def put(self, code, period):
        """Store a new version of the board's actuals for a period

        Keys are the stored plan's metric ids; values are actual count blocks as in api.md."""
        _known(period)
        session = database.session()
        plan = documents.latest(session, code)
        if plan is None:
            raise Conflict(f"Store the plan first (PUT /api/v1/hwbs/{code}/plan): "
                           "actuals are checked against it.")
        body = check_actuals_body(code, period, json_body(), plan.body)
        row, first = documents.put(session, actor(), code, body, if_match=if_match(), period=period)
        return document_response(row, 201 if first else 200)


@blp.route("/<code>/actuals/<period>/versions")
class ActualsVersions(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.response(200, VersionInfoSchema(many=True))
    def get(self, code, period):
        """List the versions of the board's actuals for a period, oldest first"""
        _known(period)
        return [version_info(row) for row in documents.history(database.session(), code, period)]
