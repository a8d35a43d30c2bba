"""Token management (admin): ``POST|GET /api/v1/tokens``, ``DELETE /api/v1/tokens/{id}`` revokes.

The secret is in the POST answer only; the database keeps its SHA-256. Revoked tokens stay listed,
because audit rows name them. An assurance token may hold a ``party`` (``nhs_england`` or
``peer_reviewer``): whose agreement to a recovery plan it records. ``expires`` (optional) is a date, a UTC
time or a duration (``90d``); an expired token is 401. An admin cannot revoke its own token while it is the
last live admin token (409).
"""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView

from api import database
from api.auth import actor, protected
from api.parsing import Blueprint
from bcf.errors import InvalidInput
from storage import tokens
from storage.models import PARTIES, ROLES

blp = Blueprint("tokens", __name__, url_prefix="/api/v1/tokens", description="Bearer tokens (admin only).")


def _printable_name(name: str) -> None:
    problem = tokens.name_problem(name)
    if problem:
        raise ma.ValidationError(problem[0].upper() + problem[1:] + ".")


class TokenSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=200), _printable_name])
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))
    hwb_code = ma.fields.String(allow_none=True, metadata={"description": "The board, for role hwb only."})
    party = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(PARTIES),
                             metadata={"description": "For role assurance only: whose agreement to a "
                                                      "recovery plan the token records."})
    expires = ma.fields.String(load_only=True, allow_none=True,
                               metadata={"description": "Optional: when it stops working: "
                                                        f"{tokens.EXPIRES_HELP}.", "example": "2027-03-31"})
    created_at = ma.fields.String(dump_only=True)
    expires_at = ma.fields.String(dump_only=True, allow_none=True)
    revoked_at = ma.fields.String(dump_only=True, allow_none=True)


class NewTokenSchema(TokenSchema):
    token = ma.fields.String(dump_only=True, metadata={"description": "The secret: shown this once only."})


@blp.route("")
class Tokens(MethodView):
    @protected(blp, "admin")
    @blp.response(200, TokenSchema(many=True))
    def get(self):
        """List tokens (never their secrets)"""
        return [tokens.describe(t) for t in tokens.list_all(database.session())]

    @protected(blp, "admin")
    @blp.arguments(TokenSchema)
    @blp.response(201, NewTokenSchema)
    def post(self, data):
        """Create a token; the answer holds its secret, which cannot be shown again"""
        code = data.get("hwb_code")
        if code and code not in current_app.extensions["boards"]:
            raise InvalidInput("Unknown board.", [{"location": "hwb_code", "message": f"No board {code}."}])
        expires_at = None
        if data.get("expires"):
            try:
                expires_at = tokens.parse_expiry(data["expires"])
            except ValueError as error:
                raise InvalidInput(str(error), [{"location": "expires", "message": str(error)}]) from None
        try:
            token, secret = tokens.create(database.session(), actor(), name=data["name"], role=data["role"],
                                          hwb_code=code, party=data.get("party"), expires_at=expires_at)
        except ValueError as error:
            location = "party" if "party" in str(error) else "hwb_code"
            raise InvalidInput(str(error), [{"location": location, "message": str(error)}]) from None
        return {**tokens.describe(token), "token": secret}


@blp.route("/<id:token_id>")
class Token(MethodView):
    @protected(blp, "admin")
    @blp.response(200, TokenSchema)
    def delete(self, token_id):
        """Revoke a token: it stops working at once and stays listed"""
        return tokens.describe(tokens.revoke(database.session(), actor(), token_id))
