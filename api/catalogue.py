"""The metric catalogue (spec metrics.md as data): national metrics, the local menu, statistic types."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView

from api.parsing import Blueprint

blp = Blueprint("metrics", __name__, url_prefix="/api/v1/metrics",
                description="The metric catalogue and the local metric menu")


class StatisticTypeSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"example": "rate"})
    multiplier = ma.fields.Integer(required=True, metadata={"example": 100000})
    ci = ma.fields.String(metadata={"description": "how the confidence interval is made"})
    change_test = ma.fields.String(metadata={"description": "how a change from baseline is tested"})


class MetricInfoSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"example": "delayed_transfers"})
    name = ma.fields.String(required=True)
    type = ma.fields.String(required=True, metadata={"description": "rate | proportion | dsr | score | "
                                                                    "as_defined (by the plan)"})
    allowed_types = ma.fields.List(ma.fields.String())
    polarity = ma.fields.String(required=True, metadata={"description": "lower | higher | as_defined"})
    unit = ma.fields.String()
    monthly_average = ma.fields.Boolean()
    source = ma.fields.String()
    framework = ma.fields.String()


class LocalMetricSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"example": "local"})
    name = ma.fields.String()
    alternative_required_fields = ma.fields.List(ma.fields.String())
    criteria = ma.fields.List(ma.fields.String())


class CatalogueSchema(ma.Schema):
    statistic_types = ma.fields.List(ma.fields.Nested(StatisticTypeSchema))
    national_metrics = ma.fields.List(ma.fields.Nested(MetricInfoSchema))
    local_metric = ma.fields.Nested(LocalMetricSchema)
    local_menu = ma.fields.List(ma.fields.Nested(MetricInfoSchema))


@blp.route("")
class Metrics(MethodView):
    @blp.response(200, CatalogueSchema)
    def get(self):
        """The national metrics, the local metric menu and how each statistic type is computed"""
        return current_app.extensions["catalogue"].to_dict()
