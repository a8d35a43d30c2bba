"""Liveness: is the service up?"""

import marshmallow as ma
from flask.views import MethodView

from api.parsing import Blueprint

blp = Blueprint("health", __name__, url_prefix="/api/v1/health", description="Service liveness")


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ok"})


@blp.route("")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self):
        """Report that the service is up"""
        return {"status": "ok"}
