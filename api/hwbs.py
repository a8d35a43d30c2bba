"""The 152 Health and Wellbeing Boards of 2014 (read once at start-up; reference data)."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView

from api.errors import PROBLEM, ProblemSchema
from api.parsing import Blueprint
from bcf.errors import UnknownBoard

blp = Blueprint("hwbs", __name__, url_prefix="/api/v1/hwbs", description="Health and Wellbeing Boards")


class HwbSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "E06000001"})
    name = ma.fields.String(required=True, metadata={"example": "Hartlepool"})
    region = ma.fields.String(required=True, metadata={"example": "North East"})
    nhs_region = ma.fields.String(required=True, metadata={"example": "North of England"})
    area_team = ma.fields.String(required=True, metadata={"example": "Q45"})
    region_code = ma.fields.String(metadata={"example": "E12000001"})
    la_type = ma.fields.String(metadata={"description": "local authority type", "example": "UA"})


class HwbQueryArgsSchema(ma.Schema):
    """Filters; each matches exactly, ignoring case. Several filters all apply. A value no board has is
    refused, naming the values there are (a misspelt region is not "no boards")."""

    region = ma.fields.String(metadata={"example": "North East"})
    nhs_region = ma.fields.String(metadata={"example": "North of England"})
    area_team = ma.fields.String(metadata={"example": "Q45"})
    la_type = ma.fields.String(metadata={"example": "UA"})

    @ma.validates_schema
    def known_values(self, filters: dict[str, str], **kwargs: object) -> None:
        boards = current_app.extensions["boards"].values()
        problems = {}
        for key, value in filters.items():
            known = sorted({getattr(board, key) for board in boards})
            if value.casefold() not in {each.casefold() for each in known}:
                problems[key] = [f"No board has {key} {value[:40]!r}; the values are: {', '.join(known)}."]
        if problems:
            raise ma.ValidationError(problems)


@blp.route("")
class Hwbs(MethodView):
    @blp.arguments(HwbQueryArgsSchema, location="query")
    @blp.response(200, HwbSchema(many=True))
    def get(self, filters):
        """List the boards, optionally filtered by region, NHS region, area team or authority type"""
        wanted = {key: value.casefold() for key, value in filters.items()}
        return [board for board in current_app.extensions["boards"].values()
                if all(getattr(board, key).casefold() == value for key, value in wanted.items())]


@blp.route("/<string:code>")
class Hwb(MethodView):
    @blp.response(200, HwbSchema)
    @blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM, description="no such board")
    def get(self, code):
        """One board by its ONS code"""
        board = current_app.extensions["boards"].get(code)
        if board is None:
            raise UnknownBoard(f"No Health and Wellbeing Board has the code {code[:20]!r}; "
                               "GET /api/v1/hwbs lists the 152 boards.")
        return board
