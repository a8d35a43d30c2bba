"""Token management (admin): ``POST|GET /api/v1/tokens``, ``DELETE /api/v1/tokens/{id}`` revokes.

The secret is in the POST answer only; the database keeps its SHA-256. Revoked tokens stay listed,
because audit rows name them.
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
from storage.models import ROLES

blp = Blueprint("tokens", __name__, url_prefix="/api/v1/tokens", description="Bearer tokens (admin only).")


class TokenSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))
    hwb_code = ma.fields.String(allow_none=True, metadata={"description": "The board, for role hwb only."})
    created_at = ma.fields.String(dump_only=True)
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
        try:
            token, secret = tokens.create(database.session(), actor(), name=data["name"], role=data["role"],
                                          hwb_code=code)
        except ValueError as error:
            raise InvalidInput(str(error), [{"location": "hwb_code", "message": str(error)}]) from None
        return {**tokens.describe(token), "token": secret}


@blp.route("/<id:token_id>")
class Token(MethodView):
    @protected(blp, "admin")
    @blp.response(200, TokenSchema)
    def delete(self, token_id):
        """Revoke a token: it stops working at once and stays listed"""
        return tokens.describe(tokens.revoke(database.session(), actor(), token_id))
