"""The calculator's responses: :mod:`bcf.results` dataclasses dumped with api.md's field names.

The dataclass attribute names ARE the response names, so these schemas only say how each value is
written: money as a JSON number to the penny (:class:`~calculator.fields.MoneyField`), rates, achievements and
p-values as unrounded floats, ``None`` as null ("pending" or "not applicable").
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, post_dump

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
    share = fields.Float(metadata={"example": 0.25})
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


# --- Making Data Count XmR charts (issue 13 §2; bcf/spc.py) -------------------------------------------


class SpcPointSchema(ma.Schema):
    month = fields.String(required=True, metadata={"example": "2014-04"})
    value = fields.Float(required=True, metadata={
        "description": "as sent, in the metric's unit for the month"})
    moving_range = fields.Float(allow_none=True, metadata={
        "description": "|value − the previous month's value|; null for the first month"})
    screened = fields.Boolean(metadata={
        "description": "the moving range was above 3.267 × their mean and left out of the mean moving range"})
    type = fields.String(metadata={
        "description": "common_cause | special_cause_improvement | special_cause_concern (by polarity)"})
    rule = fields.String(allow_none=True, metadata={
        "description": "the first special-cause rule that flags the month, in priority order: "
                       "outside_limits (beyond a process limit) | trend (6 rises or 6 falls in a row, a tie "
                       "breaks it) | two_of_three (2 of 3 months beyond two thirds of the way to a limit, "
                       "same side) | shift (7 months in a row on one side of the mean); null: none"})


class SpcAssuranceSchema(ma.Schema):
    period = fields.String(required=True, metadata={"example": "april-2015"})
    plan = fields.Float(metadata={"description": "the period's planned value, in the metric's unit"})
    target = fields.Float(metadata={
        "description": "the plan on the series' monthly scale: the plan itself for an average per month, "
                       "else the plan ÷ the period's months"})
    assurance = fields.String(metadata={
        "description": "consistent_pass (already met: both limits on the good side) | consistent_fail "
                       "(beyond the limits: will fail without a change in the system) | inconsistent "
                       "(inside the limits: will sometimes hit and sometimes miss)"})
    explanation = fields.String()


class SpcChartSchema(ma.Schema):
    """The XmR chart of one metric's monthly series (NHS England Making Data Count)."""

    metric = fields.String(required=True, metadata={"example": "delayed_transfers"})
    polarity = fields.String(metadata={"description": "lower | higher (is better), from the catalogue"})
    unit = fields.String(metadata={"description": "the metric's unit, for one month"})
    first_month = fields.String(metadata={"example": "2013-04"})
    last_month = fields.String(metadata={"example": "2014-12"})
    screen_moving_ranges = fields.Boolean(metadata={"description": "the request's spc option used"})
    screened_moving_ranges = fields.Integer(metadata={"description": "moving ranges screening left out"})
    trial_limits = fields.Boolean(metadata={
        "description": "fewer than 13 months: the limits are trial limits, to be set again"})
    mean = fields.Float(metadata={"description": "the centre line: the mean of the months"})
    mean_moving_range = fields.Float()
    upper_limit = fields.Float(metadata={"description": "mean + 2.66 × mean moving range"})
    lower_limit = fields.Float(metadata={"description": "mean − 2.66 × mean moving range"})
    upper_two_sigma = fields.Float(metadata={"description": "two thirds of the way to the upper limit"})
    lower_two_sigma = fields.Float()
    icon = fields.String(metadata={
        "description": "the last month's variation icon: common_cause | improvement_high | improvement_low "
                       "| concern_high | concern_low"})
    points = fields.List(fields.Nested(SpcPointSchema), metadata={
        "description": "one per month, oldest first"})
    assurance = fields.List(fields.Nested(SpcAssuranceSchema), metadata={
        "description": "per period of the plan: can the process meet its planned value?"})
    explanation = fields.String()


def spc_charts_field() -> fields.List:
    return fields.List(fields.Nested(SpcChartSchema), metadata={
        "description": "only when a metric sends monthly: the XmR chart of each such metric's series"})


class LeavesOutNoSpc:
    """A plan without monthly series answers exactly as before series existed: no ``spc`` member."""

    @post_dump
    def leave_out_empty_spc(self, data: dict, **kwargs) -> dict:
        if not data.get("spc"):
            data.pop("spc", None)
        return data


class DeterminationSchema(LeavesOutNoSpc, ma.Schema):
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
    spc = spc_charts_field()


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


class AmbitionsSchema(LeavesOutNoSpc, ma.Schema):
    """Setting ambitions (api.md ``POST /api/v1/ambitions`` response)."""

    hwb_code = fields.String(required=True)
    rule_set = fields.String(required=True)
    p4p_pool = MoneyField(required=True)
    metrics = fields.List(fields.Nested(AmbitionResultSchema))
    warnings = fields.List(fields.Nested(WarningSchema))
    spc = spc_charts_field()
