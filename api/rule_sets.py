"""Rule sets: every parameter of the scheme as data (reference_data/rules/), read once at start-up."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from werkzeug.exceptions import NotFound

from api.errors import PROBLEM, ProblemSchema
from api.parsing import Blueprint
from bcf.errors import UnknownRuleSet
from bcf.rules import get_rule_set
from calculator.fields import MoneyField

blp = Blueprint("rule_sets", __name__, url_prefix="/api/v1/rule-sets",
                description="The scheme's parameters, as data")


class RoundingSchema(ma.Schema):
    quantum = ma.fields.Float(metadata={"example": 0.01})
    mode = ma.fields.String(metadata={"example": "ROUND_HALF_UP"})


class FundComponentSchema(ma.Schema):
    id = ma.fields.String(required=True)
    name = ma.fields.String()
    national_amount = MoneyField()
    allocated_by = ma.fields.String()
    held_by = ma.fields.String()


class TrancheRuleSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"example": "april-2015/metrics"})
    payment = ma.fields.String(metadata={"example": "april-2015"})
    kind = ma.fields.String(metadata={"description": "conditions | metrics"})
    share = ma.fields.Float(allow_none=True, metadata={
        "example": 0.25, "description": "null for a tranche priced from a pot"})
    pot = ma.fields.String(metadata={
        "description": "only in a tranche priced from a pot (bcf-2015-16-revised): "
                       "planned_reduction_x_average_nea_cost"})
    held_back_use = ma.fields.String(metadata={
        "description": "only in a tranche whose unearned money has a use of its own: "
                       "nhs_out_of_hospital_services"})
    lines_parameter = ma.fields.String(metadata={"example": "april_metrics"})
    lines = ma.fields.List(ma.fields.String())


class PeriodRuleSchema(ma.Schema):
    months = ma.fields.Integer(metadata={"example": 9})
    start = ma.fields.String(allow_none=True, metadata={"example": "2014-04"})
    end = ma.fields.String(allow_none=True, metadata={"example": "2014-12"})
    as_defined_in_plan = ma.fields.Boolean()
    baseline_start = ma.fields.String(metadata={
        "description": "only where the rule set names the baseline period (the same quarter a year earlier)",
        "example": "2014-01"})
    baseline_end = ma.fields.String(metadata={"example": "2014-03"})


class RuleSetSummarySchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"example": "bcf-2015-16"})
    name = ma.fields.String()
    current = ma.fields.Boolean(metadata={"description": "the rule set a request gets when it names none"})
    reference = ma.fields.String(allow_none=True)


class RuleSetSchema(RuleSetSummarySchema):
    rounding = ma.fields.Nested(RoundingSchema)
    fund_components = ma.fields.List(ma.fields.Nested(FundComponentSchema))
    p4p_national_total = MoneyField()
    p4p_basis = ma.fields.String()
    tranches = ma.fields.List(ma.fields.Nested(TrancheRuleSchema))
    april_conditions = ma.fields.List(ma.fields.String())
    april_metrics = ma.fields.List(ma.fields.String())
    october_metrics = ma.fields.List(ma.fields.String())
    unassessable_metric_share = ma.fields.String(metadata={"description": "held_back | redistribute"})
    access_conditions = ma.fields.List(ma.fields.String())
    payment_mode = ma.fields.String(metadata={"description": "pro_rata | all_or_nothing"})
    threshold = ma.fields.Float(metadata={"example": 0.7})
    confidence_level = ma.fields.Float(metadata={"example": 0.95})
    small_numbers_min_denominator = ma.fields.Integer()
    periods = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Nested(PeriodRuleSchema)), metadata={
        "description": "per payment period id, per metric: the measurement period"})
    # the July 2014 revised scheme's parameters: present only in a rule set that has them
    average_nea_cost = MoneyField(metadata={
        "description": "pounds per non-elective admission: pot = planned reduction × this"})
    average_nea_cost_reference = ma.fields.String()
    average_nea_cost_unverified = ma.fields.Boolean(metadata={
        "description": "true: the figure could not be checked against its source (every answer warns)"})
    minimum_reduction = ma.fields.Float(metadata={
        "description": "the national minimum planned reduction (below it, a warning)", "example": 0.035})
    monitored_metrics = ma.fields.List(ma.fields.String(), metadata={
        "description": "assessed and reported, paid by no tranche"})


@blp.route("")
class RuleSets(MethodView):
    @blp.response(200, RuleSetSummarySchema(many=True))
    def get(self):
        """List the known rule sets; the current one is used when a request names none"""
        return [rule_set.to_dict() for rule_set in current_app.extensions["rule_sets"].values()]


@blp.route("/<string:rule_set_id>")
class RuleSet(MethodView):
    @blp.response(200, RuleSetSchema)
    @blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM, description="no such rule set")
    def get(self, rule_set_id):
        """Every parameter of one rule set"""
        try:
            return get_rule_set(current_app.extensions["rule_sets"], rule_set_id).to_dict()
        except UnknownRuleSet as error:  # a path that names nothing is a 404, not invalid input
            raise NotFound(error.message) from None
