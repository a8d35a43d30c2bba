"""``GET /api/v1/audit`` (assurance, admin): who changed what and when, newest first, paginated."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api import database
from api.auth import protected
from api.parsing import Blueprint, Moment
from storage import audit
from storage.models import iso

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="The append-only audit trail.")


class AuditQuerySchema(ma.Schema):
    board = ma.fields.String(metadata={"description": "A board code."})
    actor = ma.fields.String(metadata={"description": "A token id, or a token name exactly."})
    # 'from' is a Python keyword: the attribute is since, the query parameter is from
    since = Moment(data_key="from", metadata={"description": "at or after: a time with its offset "
                                              "(2026-12-02T10:00:00Z), or a date (from its start, UTC)"})
    until = Moment(data_key="to", end_of_day=True, metadata={
        "description": "before: a time with its offset (2026-12-02T10:00:00Z), or a date (to its end, UTC)"})
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))
    page_size = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=500))


class AuditEntrySchema(ma.Schema):
    id = ma.fields.Integer()
    at = ma.fields.String()
    actor = ma.fields.Dict()
    action = ma.fields.String()
    hwb_code = ma.fields.String(allow_none=True)
    resource = ma.fields.String()
    version = ma.fields.Integer(allow_none=True)
    diff = ma.fields.List(ma.fields.Dict())


class AuditPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AuditEntrySchema))
    page = ma.fields.Integer()
    page_size = ma.fields.Integer()
    total = ma.fields.Integer()


@blp.route("")
class Audit(MethodView):
    @protected(blp, "assurance", "admin")
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditPageSchema)
    def get(self, query):
        """Audit entries, newest first, by board, actor and time range"""
        rows, total = audit.search(database.session(), hwb_code=query.get("board"), actor=query.get("actor"),
                                   since=query.get("since"), until=query.get("until"), page=query["page"],
                                   page_size=query["page_size"])
        items = [{"id": r.id, "at": iso(r.at), "actor": {"token_id": r.actor_token_id, "name": r.actor_name},
                  "action": r.action, "hwb_code": r.hwb_code, "resource": r.resource, "version": r.version,
                  "diff": r.diff} for r in rows]
        return {"items": items, "page": query["page"], "page_size": query["page_size"], "total": total}
