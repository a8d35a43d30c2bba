"""The determination: from one board's plan to its April and October releases (work in progress)."""

from __future__ import annotations

from decimal import Decimal

from bcf.catalogue import Catalogue
from bcf.plan import Plan
from bcf.results import (  # noqa: F401  (re-exported: the API dumps these)
    AmbitionResult,
    Ambitions,
    ConditionResult,
    Determination,
    Estimate,
    LineResult,
    MetricResult,
    PlanWarning,
    Totals,
    TrancheResult,
)
from bcf.rules import RuleSet


def determine(plan: Plan, rule_set: RuleSet, catalogue: Catalogue, p4p_pool: Decimal) -> Determination:
    raise NotImplementedError("the determination logic is being written")


def assess_ambitions(plan: Plan, rule_set: RuleSet, catalogue: Catalogue, p4p_pool: Decimal) -> Ambitions:
    raise NotImplementedError("the ambitions logic is being written")
