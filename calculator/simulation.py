"""The simulation block of a request and of its answer (issue 13 §1), in classes of its own.

A request may carry ``"simulation": {"draws": 10000, "seed": 42}`` (both optional; ``{}`` asks for the
defaults); without the block nothing is simulated and the answer has no ``simulation`` member, so
answers to existing requests are unchanged. A seed not sent is chosen at random and echoed, so any
answer can be reproduced to the penny.
"""

from __future__ import annotations

import secrets
from typing import Any

import marshmallow as ma
from marshmallow import fields, post_load, validate

from bcf.simulation import DEFAULT_DRAWS, MAX_DRAWS, SimulationSettings
from calculator.fields import MoneyField

#: the largest integer a JSON client working in doubles (JavaScript) reads exactly
MAX_SEED = 2**53 - 1


class SimulationRequestSchema(ma.Schema):
    """How many outturns to draw, and the seed."""

    draws = fields.Integer(load_default=DEFAULT_DRAWS, strict=True,
                           validate=validate.Range(min=1, max=MAX_DRAWS), metadata={
                               "description": f"outturns drawn per metric line (1 to {MAX_DRAWS:,})",
                               "example": DEFAULT_DRAWS})
    seed = fields.Integer(load_default=None, allow_none=True, strict=True,
                          validate=validate.Range(min=0, max=MAX_SEED), metadata={
                              "description": "makes the draws reproducible; chosen at random (and "
                                             "echoed) when absent", "example": 42})

    @post_load
    def make(self, data: dict, **kwargs: Any) -> SimulationSettings:
        seed = data["seed"] if data["seed"] is not None else secrets.randbelow(MAX_SEED + 1)
        return SimulationSettings(data["draws"], seed)


class SimulationQueryArgsSchema(ma.Schema):
    """``?draws=…&seed=…`` on a spreadsheet upload: either asks every board for its odds (issue 13 §1);
    the results gain the probability columns. A seed not sent is chosen once for the upload."""

    draws = fields.Integer(validate=validate.Range(min=1, max=MAX_DRAWS), metadata={
        "description": f"outturns drawn per metric line (1 to {MAX_DRAWS:,}); asks for the probability "
                       "columns"})
    seed = fields.Integer(validate=validate.Range(min=0, max=MAX_SEED), metadata={
        "description": "makes the draws reproducible (each board is drawn with it, as POST "
                       "/api/v1/calculations with this seed draws it); asks for the probability columns"})


def simulation_block(query: dict) -> dict | None:
    """The simulation block every board's request gets from a query loaded by
    :class:`SimulationQueryArgsSchema` (or a schema with its fields), or None when neither was sent."""
    if "draws" not in query and "seed" not in query:
        return None
    return {"draws": query.get("draws", DEFAULT_DRAWS),
            "seed": query["seed"] if "seed" in query else secrets.randbelow(MAX_SEED + 1)}


class OmittedWhenNone(fields.Nested):
    """A nested block left out of the answer (not written as null) when there is none: an answer to a
    request without ``simulation`` is what it was before the block existed."""

    def _serialize(self, nested_obj: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if nested_obj is None:
            return ma.missing
        return super()._serialize(nested_obj, attr, obj, **kwargs)


def _odds_fields(prefix: str) -> dict[str, fields.Field]:
    """The odds of a line, tranche or whole plan, read from ``prefix`` (``"odds."``) of the object."""

    def probability(name: str, what: str) -> fields.Float:
        return fields.Float(attribute=prefix + name, allow_none=True, metadata={
            "description": f"share of draws in which {what}; null where no metric line is simulated",
            "minimum": 0, "maximum": 1})

    def pounds(name: str, what: str) -> MoneyField:
        return MoneyField(attribute=prefix + name, metadata={"description": what})

    return {
        "p_at_least_70": probability("p_at_least_70", "every simulated line's reported (6 dp) "
                                     "achievement is at least the threshold (70%)"),
        "p_at_least_100": probability("p_at_least_100", "every simulated line's reported achievement "
                                      "is at least 1 (100%)"),
        "p_recovery_plan": probability("p_recovery_plan", "a recovery plan is required (rules §6); 0 "
                                       "where the rules never require one"),
        "expected_release": pounds("expected_release", "mean release over the draws, rounded half up to "
                                   "the penny"),
        "release_p5": pounds("release_p5", "5th percentile of the draws' releases (the smallest release "
                             "at least 5% of draws do not exceed)"),
        "release_p95": pounds("release_p95", "95th percentile of the draws' releases"),
    }


SimulatedLineSchema = ma.Schema.from_dict({
    "item": fields.String(required=True, metadata={"example": "delayed_transfers"}),
    "simulated": fields.Boolean(metadata={
        "description": "false for a condition or an unassessable line: its release does not vary"}),
    **_odds_fields("odds."),
    "explanation": fields.String(metadata={"description": "how the line's outturns were drawn"}),
}, name="SimulatedLineSchema")

SimulatedTrancheSchema = ma.Schema.from_dict({
    "tranche": fields.String(required=True, metadata={"example": "april-2015/metrics"}),
    **_odds_fields("odds."),
    "lines": fields.List(fields.Nested(SimulatedLineSchema)),
}, name="SimulatedTrancheSchema")

WholePlanSchema = ma.Schema.from_dict(_odds_fields(""), name="WholePlanSchema")


class ScenarioSchema(ma.Schema):
    tranches = fields.List(fields.Nested(SimulatedTrancheSchema))
    whole_plan = fields.Nested(WholePlanSchema)


class SimulationSchema(ma.Schema):
    """The probability of reaching 70% (issue 13 §1): per line, tranche and whole plan, under the
    planned values, and "what if" under the baselines."""

    draws = fields.Integer(required=True, metadata={"example": DEFAULT_DRAWS})
    seed = fields.Integer(required=True, metadata={"description": "the request's, or the one chosen",
                                                   "example": 42})
    tranches = fields.List(fields.Nested(SimulatedTrancheSchema), attribute="plan.tranches", metadata={
        "description": "under the planned values"})
    whole_plan = fields.Nested(WholePlanSchema, attribute="plan.whole_plan")
    baseline = fields.Nested(ScenarioSchema, metadata={
        "description": "what if: the same with every metric's true value at its baseline"})
    explanation = fields.String()


def simulation_field() -> OmittedWhenNone:
    return OmittedWhenNone(SimulationSchema, metadata={
        "description": "only when the request has a simulation block: the odds of the releases"})
