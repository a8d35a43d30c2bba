"""The calculator's responses: :mod:`bcf.results` dataclasses dumped with api.md's field names.

The dataclass attribute names ARE the response names, so these schemas only say how each value is
written: money as a JSON number to the penny (:class:`~calculator.fields.MoneyField`), rates, achievements and
p-values as unrounded floats, ``None`` as null ("pending" or "not applicable").
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from calculator.fields import MoneyField

PENDING_NULL = "null while pending (no actual yet)"


class EstimateSchema(ma.Schema):
    """A value with its confidence interval (``confidence_level`` of the rule set)."""

    value = fields.Float(required=True, metadata={"example": 478.4})
    ci_lower = fields.Float(allow_none=True, metadata={"example": 461.8})
    ci_upper = fields.Float(allow_none=True, metadata={"example": 495.5})
    method = fields.String(allow_none=True, metadata={
        "description": "byars, exact, wilson, dobson or t; null without counts"})


class ConditionResultSchema(ma.Schema):
    condition = fields.String(required=True, metadata={"example": "protect_social_care"})
    status = fields.String(required=True, metadata={"description": "met | not_met | not_assessed"})
    access = fields.Boolean(required=True, metadata={"description": "a condition of access"})
    tranche = fields.String(allow_none=True, metadata={"example": "april-2015/conditions"})
    reasons = fields.List(fields.String(), metadata={"description": "why not met, each naming its field"})
    explanation = fields.String()


class MetricResultSchema(ma.Schema):
    metric = fields.String(required=True, metadata={"example": "delayed_transfers"})
    period = fields.String(required=True, metadata={"example": "april-2015"})
    tranche = fields.String(allow_none=True)
    local_metric = fields.String(allow_none=True)
    name = fields.String()
    type = fields.String(metadata={"description": "rate | proportion | dsr | score"})
    polarity = fields.String(metadata={"description": "lower | higher (is better)"})
    unit = fields.String(allow_none=True)
    months = fields.Integer()
    status = fields.String(metadata={"description": "determined | pending"})
    baseline = fields.Nested(EstimateSchema)
    plan = fields.Float()
    actual = fields.Nested(EstimateSchema, allow_none=True)
    achievement = fields.Float(allow_none=True, metadata={
        "description": "unclipped, 6 decimal places; " + PENDING_NULL, "example": 0.9045})
    payable_fraction = fields.Float(allow_none=True, metadata={"example": 0.9045})
    significance = fields.String(metadata={"description": "assessed | not_assessable"})
    minimum_significant_ambition = fields.Float(allow_none=True)
    ambition_significant = fields.Boolean(allow_none=True)
    change_p_value = fields.Float(allow_none=True)
    change_significant = fields.Boolean(allow_none=True)
    trend_projection = fields.Float(allow_none=True)
    ambition_beyond_trend = fields.Boolean(allow_none=True)
    explanation = fields.String()


class LineSchema(ma.Schema):
    item = fields.String(required=True, metadata={"example": "delayed_transfers"})
    status = fields.String(metadata={"description": "determined | pending | not_assessed | unassessable"})
    available = MoneyField(required=True, metadata={"example": 83333.33})
    released = MoneyField(allow_none=True, metadata={"description": PENDING_NULL, "example": 75375.00})
    held_back = MoneyField(allow_none=True, metadata={"example": 7958.33})
    payable_fraction = fields.Float(allow_none=True)
    explanation = fields.String()


class TrancheSchema(ma.Schema):
    tranche = fields.String(required=True, metadata={"example": "april-2015/metrics"})
    payment = fields.String(metadata={"example": "april-2015"})
    kind = fields.String(metadata={"description": "conditions | metrics"})
    share = fields.Float(allow_none=True, metadata={
        "example": 0.25, "description": "null: a tranche that is no share of the pool (bcf-2015-16-revised "
                                         "prices each quarter from its planned reduction)"})
    status = fields.String(metadata={"description": "determined | pending | not_assessed"})
    available = MoneyField(required=True)
    released = MoneyField(allow_none=True, metadata={"description": PENDING_NULL})
    held_back = MoneyField(allow_none=True)
    held_back_use = fields.String(allow_none=True, metadata={
        "description": "none | contingency_plan | recovery_plan | nhs_england_direction | "
                       "pending_conditions | pending_assurance | nhs_out_of_hospital_services "
                       "(bcf-2015-16-revised)"})
    recovery_plan_required = fields.Boolean(allow_none=True)
    lines = fields.List(fields.Nested(LineSchema))
    explanation = fields.String()


class TotalsSchema(ma.Schema):
    available = MoneyField(required=True)
    released = MoneyField(allow_none=True)
    held_back = MoneyField(allow_none=True)


class WarningSchema(ma.Schema):
    code = fields.String(required=True, metadata={"example": "ambition_not_significant"})
    metric = fields.String(allow_none=True)
    period = fields.String(allow_none=True)
    message = fields.String(required=True)


class DeterminationSchema(ma.Schema):
    """One board's determination (api.md ``POST /api/v1/calculations`` response)."""

    hwb_code = fields.String(required=True)
    rule_set = fields.String(required=True)
    p4p_pool = MoneyField(required=True)
    plan_assured = fields.Boolean(allow_none=True, metadata={
        "description": "null when conditions were not sent (access not checked)"})
    conditions = fields.List(fields.Nested(ConditionResultSchema))
    metrics = fields.List(fields.Nested(MetricResultSchema))
    tranches = fields.List(fields.Nested(TrancheSchema))
    totals = fields.Nested(TotalsSchema)
    recovery_plan_required = fields.Boolean(allow_none=True)
    warnings = fields.List(fields.Nested(WarningSchema))


class AmbitionResultSchema(ma.Schema):
    metric = fields.String(required=True)
    period = fields.String(required=True)
    tranche = fields.String(allow_none=True)
    local_metric = fields.String(allow_none=True)
    name = fields.String()
    type = fields.String()
    polarity = fields.String()
    unit = fields.String(allow_none=True)
    months = fields.Integer()
    baseline = fields.Nested(EstimateSchema)
    plan = fields.Float()
    significance = fields.String()
    minimum_significant_ambition = fields.Float(allow_none=True)
    ambition_significant = fields.Boolean(allow_none=True)
    trend_projection = fields.Float(allow_none=True)
    ambition_beyond_trend = fields.Boolean(allow_none=True)
    share = MoneyField(allow_none=True, metadata={
        "description": "what this metric's line of its tranche is worth; null if no tranche pays it"})
    explanation = fields.String()


class AmbitionsSchema(ma.Schema):
    """Setting ambitions (api.md ``POST /api/v1/ambitions`` response)."""

    hwb_code = fields.String(required=True)
    rule_set = fields.String(required=True)
    p4p_pool = MoneyField(required=True)
    metrics = fields.List(fields.Nested(AmbitionResultSchema))
    warnings = fields.List(fields.Nested(WarningSchema))
