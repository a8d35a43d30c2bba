"""The calculator's request: api.md's plan JSON, validated and loaded into :mod:`bcf.plan` dataclasses.

Every schema's ``@post_load`` returns a frozen :mod:`bcf.plan` dataclass: no raw dict crosses into
:mod:`bcf`. JSON bodies keep marshmallow's default of rejecting unknown keys, so a misspelt field in a
finance return fails loudly instead of being dropped (style §3). What a schema cannot see (an unknown
metric, a period the rule set does not pay, a block of the wrong kind for the metric's statistic type)
is :func:`bcf.validation.check_plan`'s job; the two sets of problems are reported together.
"""

from __future__ import annotations

import re
from typing import Any

import marshmallow as ma
from marshmallow import ValidationError, fields, post_load, validate

from bcf import plan as p
from calculator.fields import MAX_MAGNITUDE, BoundedList, CountBlock, KeyedMap, MoneyField, Number

TEXT = validate.Length(min=1, max=500)
CODE = validate.Length(min=1, max=64)
# An ONS code as the 152 boards have them (E06000001): a board not in the list may still be calculated
# with its own p4p_pool, but only under a code of that form
HWB_CODE = validate.Regexp(r"E[0-9]{8}\Z", error="Must be a board's ONS code: E and 8 digits, as E06000001.")


def _non_negative(**kwargs: Any) -> Number:
    return Number(minimum=0, **kwargs)


def _positive(**kwargs: Any) -> Number:
    return Number(minimum=0, exclusive_minimum=True, **kwargs)


# --- count blocks (api.md: "A count block is ...") ---------------------------------------------------


class CountsSchema(ma.Schema):
    """Rate or proportion: events (or successes) over population (or cohort)."""

    numerator = _non_negative(required=True, metadata={"example": 3100})
    denominator = _positive(required=True, metadata={"example": 72000})

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.Counts:
        return p.Counts(**data)


class ScoreSchema(ma.Schema):
    """A mean score with its standard deviation and number of respondents."""

    mean = Number(required=True, metadata={"example": 18.9})
    sd = _non_negative(required=True, metadata={"example": 3.1})
    n = Number(minimum=2, required=True, metadata={
        "example": 412, "description": "respondents; at least 2 (the interval uses t with n − 1 df)"})

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.Score:
        return p.Score(**data)


class BandSchema(ma.Schema):
    """One age band of a directly standardised rate."""

    events = _non_negative(required=True)
    population = _positive(required=True)
    standard_population = _positive(required=True)

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.Band:
        return p.Band(**data)


class StandardisedSchema(ma.Schema):
    """A directly standardised rate's inputs: one entry per age band."""

    bands = BoundedList(fields.Nested(BandSchema), min_length=1, max_length=100, required=True)

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.Standardised:
        return p.Standardised(tuple(data["bands"]))


class ValueSchema(ma.Schema):
    """A bare value, used as it stands: significance is then ``not_assessable``."""

    value = Number(required=True, metadata={"example": 478.4})

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.BareValue:
        return p.BareValue(**data)


COUNT_BLOCKS = (
    ("counts", frozenset({"numerator", "denominator"}), CountsSchema),
    ("score", frozenset({"mean", "sd", "n"}), ScoreSchema),
    ("bands", frozenset({"bands"}), StandardisedSchema),
    ("value", frozenset({"value"}), ValueSchema),
)


def count_block(**kwargs: Any) -> CountBlock:
    return CountBlock(COUNT_BLOCKS, **kwargs)


# --- monthly series for Making Data Count XmR charts (issue 13 §2; bcf/spc.py) -------------------------

MONTH = re.compile(r"((?:19|20)[0-9]{2})-(0[1-9]|1[0-2])\Z")  # ASCII digits only; 1900-2099
MONTHS_MAX = 240  # twenty years of months: far more than any sitrep history a plan draws on


class MonthlyValueSchema(ma.Schema):
    """One month of a series: ``value`` in the metric's unit for that month alone."""

    month = fields.String(required=True, validate=validate.Regexp(
        MONTH, error="Must be a month as YYYY-MM, as 2014-04."), metadata={"example": "2014-04"})
    value = Number(required=True, metadata={"example": 41.2})

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.MonthlyValue:
        return p.MonthlyValue(**data)


def _month_number(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def _month_text(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


class MonthlySeries(BoundedList):
    """A monthly series: at least two months (one moving range), each month once and none missing.

    Months may come in any order and are sorted, oldest first; a month sent twice is named at each later
    entry, and a missing month between the first and the last is named, since a moving range across a
    gap would compare months that are not neighbours.
    """

    def __init__(self, **kwargs: Any):
        super().__init__(fields.Nested(MonthlyValueSchema), min_length=2, max_length=MONTHS_MAX, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:
        loaded = super()._deserialize(value, attr, data, **kwargs)
        first_at: dict[str, int] = {}
        twice = {}
        for index, item in enumerate(loaded):
            if item.month in first_at:
                also = f"also monthly[{first_at[item.month]}]"
                twice[index] = {"month": [f"{item.month} is given twice ({also})."]}
            first_at.setdefault(item.month, index)
        if twice:
            raise ValidationError(twice)
        ordered = tuple(sorted(loaded, key=lambda item: item.month))
        numbers = [_month_number(item.month) for item in ordered]
        missing = sorted(set(range(numbers[0], numbers[-1] + 1)) - set(numbers))
        if missing:
            shown = ", ".join(_month_text(m) for m in missing[:12]) + (" …" if len(missing) > 12 else "")
            raise ValidationError(f"Months must follow one another with none missing: {len(missing)} "
                                  f"missing between {ordered[0].month} and {ordered[-1].month} ({shown}).")
        return ordered


def monthly_series() -> MonthlySeries:
    return MonthlySeries(load_default=None, allow_none=True, metadata={
        "description": "optional, delayed_transfers, avoidable_emergency_admissions and "
                       "non_elective_admissions (catalogue monthly_series): the metric's monthly series "
                       "for an XmR chart (answer spc), each value in the metric's unit for that one month "
                       "(delayed transfers: delayed days in the month per 100,000 18+; non-elective "
                       "admissions: admissions in the month); months YYYY-MM, each once, none missing, "
                       "any order (sorted oldest first)",
        "example": [{"month": "2014-01", "value": 41.2}, {"month": "2014-02", "value": 39.8}]})


class SpcOptionsSchema(ma.Schema):
    """How the XmR charts of the monthly series are drawn."""

    screen_moving_ranges = fields.Boolean(load_default=True, metadata={
        "description": "leave moving ranges above 3.267 × their mean out of the mean moving range before "
                       "the limits are set (default true, as NHSRplotthedots); false reproduces the NHS "
                       "Making Data Count Excel tool"})

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.SpcOptions:
        return p.SpcOptions(**data)


# --- metrics -----------------------------------------------------------------------------------------


class PeriodPlanSchema(ma.Schema):
    """One metric in one payment period: baseline, planned value (the ambition) and, later, actual."""

    baseline = count_block(required=True)
    plan = Number(required=True, metadata={"description": "the level of ambition, in the metric's unit",
                                           "example": 450.0})
    actual = count_block(load_default=None, allow_none=True, metadata={
        "description": "absent or null until outturn: the line is then pending"})
    history = BoundedList(Number(), max_length=100, load_default=None, allow_none=True, metadata={
        "description": "earlier values for the same kind of period, oldest first, evenly spaced, "
                       "ending with the period before the plan period"})

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.PeriodPlan:
        history = data.get("history")  # a list, None, or (salvaged, calculator/salvage.py) UNREAD
        return p.PeriodPlan(baseline=data["baseline"], plan=data["plan"], actual=data.get("actual"),
                            history=tuple(history) if isinstance(history, list) else history)


class MetricDefinitionSchema(ma.Schema):
    """A plan-defined metric: ``patient_experience``, or a local alternative to the menu."""

    name = fields.String(validate=TEXT)
    type = fields.String(validate=validate.OneOf(["rate", "proportion", "dsr", "score"]))
    polarity = fields.String(validate=validate.OneOf(["lower", "higher"]))
    unit = fields.String(validate=TEXT)
    source = fields.String(validate=TEXT)
    jhws_link = fields.String(validate=validate.Length(min=1, max=2000), metadata={
        "description": "how the metric links to the Joint Health and Wellbeing Strategy"})

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.MetricDefinition:
        return p.MetricDefinition(**data)


class MetricPlanSchema(ma.Schema):
    """One metric of the plan, with its periods keyed by payment period id (``april-2015``, …)."""

    metric = fields.String(required=True, validate=CODE, metadata={"example": "delayed_transfers"})
    local_metric = fields.String(load_default=None, allow_none=True, validate=CODE,
                                 metadata={"example": "PHOF-2.24i"})
    definition = fields.Nested(MetricDefinitionSchema, load_default=None, allow_none=True)
    periods = KeyedMap(fields.Nested(PeriodPlanSchema), max_entries=10, required=True)
    monthly = monthly_series()

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.MetricPlan:
        return p.MetricPlan(**data)


# --- conditions evidence (rules-2015-16.md §3) -------------------------------------------------------


class PlansJointlyAgreedSchema(ma.Schema):
    hwb_signed_off = fields.Boolean()
    councils_signed_off = fields.Boolean()
    ccgs_signed_off = fields.Boolean()
    providers_engaged = fields.Boolean()

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.PlansJointlyAgreed:
        return p.PlansJointlyAgreed(**data)


class ProtectSocialCareSchema(ma.Schema):
    explanation = fields.String(validate=validate.Length(max=10_000), metadata={
        "description": "the local definition of protecting social care services"})

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.ProtectSocialCare:
        return p.ProtectSocialCare(**data)


class SevenDayServicesSchema(ma.Schema):
    confirmed = fields.Boolean()
    explanation = fields.String(validate=validate.Length(max=10_000), metadata={
        "description": "required when confirmed is false (else the input is invalid, "
                       "bcf.validation.check_plan): why seven-day services are not in place"})

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.SevenDayServices:
        return p.SevenDayServices(**data)


def planned_date() -> fields.Date:
    """A date as ISO 8601 writes it; the message says so (a finance return may say 30/09/2015)."""
    return fields.Date(error_messages={"invalid": "Not a valid date: use YYYY-MM-DD, as 2015-09-30."})


class DataSharingSchema(ma.Schema):
    nhs_number_primary_identifier = fields.Boolean()
    nhs_number_primary_identifier_planned_date = planned_date()
    open_apis = fields.Boolean()
    open_apis_planned_date = planned_date()
    ig_caldicott2 = fields.Boolean()
    ig_caldicott2_planned_date = planned_date()

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.DataSharing:
        return p.DataSharing(**data)


class JointAssessmentSchema(ma.Schema):
    accountable_professional = fields.Boolean()
    case_managed_proportion = Number(minimum=0, maximum=1, metadata={"example": 0.04})

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.JointAssessment:
        return p.JointAssessment(**data)


class AcuteSectorImpactSchema(ma.Schema):
    providers_assessed = BoundedList(fields.String(validate=TEXT), max_length=1000)
    mental_health_not_reduced = fields.Boolean()

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.AcuteSectorImpact:
        if "providers_assessed" in data:
            data = {**data, "providers_assessed": tuple(data["providers_assessed"])}
        return p.AcuteSectorImpact(**data)


class ConditionsSchema(ma.Schema):
    """Evidence per condition; a condition left out is ``not_assessed``."""

    plans_jointly_agreed = fields.Nested(PlansJointlyAgreedSchema, allow_none=True)
    protect_social_care = fields.Nested(ProtectSocialCareSchema, allow_none=True)
    seven_day_services = fields.Nested(SevenDayServicesSchema, allow_none=True)
    data_sharing = fields.Nested(DataSharingSchema, allow_none=True)
    joint_assessment = fields.Nested(JointAssessmentSchema, allow_none=True)
    acute_sector_impact = fields.Nested(AcuteSectorImpactSchema, allow_none=True)

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.Conditions:
        return p.Conditions(**data)


# --- the whole request -------------------------------------------------------------------------------


class PlanSchema(ma.Schema):
    """One board's plan with whatever actuals have arrived (api.md ``POST /api/v1/calculations``), as
    its schema reads it; :class:`calculator.service.CalculationRequestSchema` checks it too."""

    hwb_code = fields.String(required=True, validate=HWB_CODE,
                             metadata={"example": "E06000001"})
    rule_set = fields.String(load_default=None, allow_none=True, validate=CODE, metadata={
        "description": "a rule set id (GET /api/v1/rule-sets); the current one when absent",
        "example": "bcf-2015-16"})
    p4p_pool = MoneyField(load_default=None, allow_none=True, metadata={
        "description": "the board's performance pool in pounds; when absent, the pool from the loaded "
                       "allocation table", "example": 1000000.00})
    conditions = fields.Nested(ConditionsSchema, load_default=None, allow_none=True, metadata={
        "description": "absent: metrics only (conditions tranche not assessed, access not checked)"})
    metrics = BoundedList(fields.Nested(MetricPlanSchema), max_length=50, load_default=list)
    spc = fields.Nested(SpcOptionsSchema, load_default=None, allow_none=True, metadata={
        "description": "options of the XmR charts of the metrics that send monthly; default screening on"})

    @post_load
    def make(self, data: dict, **kwargs: Any) -> p.Plan:
        return p.Plan(hwb_code=data["hwb_code"], metrics=tuple(data["metrics"]),
                      conditions=data["conditions"], rule_set=data["rule_set"], p4p_pool=data["p4p_pool"],
                      spc=data["spc"] or p.SpcOptions())


__all__ = ["MAX_MAGNITUDE", "MetricPlanSchema", "PlanSchema"]
