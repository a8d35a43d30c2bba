"""A board's stored plan: ``PUT|GET /api/v1/hwbs/{code}/plan``, every PUT a new version.

The body is the api.md calculation request without actuals and without ``hwb_code`` (the path says
which board). GET answers the body as stored with ``ETag: "N"``; PUT after the first needs
``If-Match: "N"`` (428 without, 412 when someone else wrote since).
"""

from __future__ import annotations

from flask.views import MethodView

from api import database
from api.auth import actor, protected
from api.calculations import CalculationRequestSchema
from api.parsing import Blueprint, json_body
from api.stored_inputs import check_plan_body
from api.versioning import (
    VersionInfoSchema,
    VersionQuerySchema,
    document_docs,
    document_response,
    if_match,
    version_info,
)
from storage import documents
from storage.errors import NotFound

STORED_PLAN = {"$ref": "#/components/schemas/StoredPlan"}
blp = Blueprint("plans", __name__, url_prefix="/api/v1/hwbs", description="A board's stored plan, versioned.")


@blp.record_once
def _document_body(state) -> None:
    """The stored plan's body in OpenAPI: the calculator's request without ``hwb_code`` (the path has it)."""
    state.app.extensions["bcf_api"].spec.components.schema(
        "StoredPlan", schema=CalculationRequestSchema(exclude=("hwb_code",)))


def _plan(code: str, version: int | None):
    session = database.session()
    row = documents.latest(session, code) if version is None else documents.get(session, code, version)
    if row is None:
        raise NotFound(f"No plan version {version} for {code}." if version
                       else f"No plan is stored for {code}.")
    return row


@blp.route("/<code>/plan")
class Plan(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.arguments(VersionQuerySchema, location="query")
    @blp.doc(**document_docs(STORED_PLAN))
    def get(self, query, code):
        """Read the board's plan (the current version, or ?version=N)"""
        return document_response(_plan(code, query.get("version")))

    @protected(blp, "hwb")
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": STORED_PLAN}}},
             **document_docs(STORED_PLAN, writes=True))
    def put(self, code):
        """Store a new version of the board's plan

        The body is the api.md calculation request without ``actual`` blocks and without ``hwb_code``.
        Answers 201 for the first version, 200 after; ``If-Match`` is required once a plan exists."""
        body = check_plan_body(code, json_body())
        row, first = documents.put(database.session(), actor(), code, body, if_match=if_match())
        return document_response(row, 201 if first else 200)


@blp.route("/<code>/plan/versions")
class PlanVersions(MethodView):
    @protected(blp, "hwb", "assurance")
    @blp.response(200, VersionInfoSchema(many=True))
    def get(self, code):
        """List the versions of the board's plan, oldest first"""
        return [version_info(row) for row in documents.history(database.session(), code)]
