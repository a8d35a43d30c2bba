"""The six national conditions (rules-2015-16.md §3): met, not met (why, naming the field), not assessed.

Each rule reads only the evidence fields the spec names. Evidence not sent at all for a condition makes it
``not_assessed`` (its share held back pending the evidence); a field missing within sent evidence is a
reason for ``not_met``. Conditions of access (``access_conditions``) decide whether the plan is assured:
one not met, or not assessed, leaves the plan not assured (§6 "Precisely").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bcf.plan import Conditions
from bcf.results import MET, NOT_ASSESSED, NOT_MET, ConditionResult
from bcf.rules import KNOWN_CONDITIONS, RuleSet


def _true(evidence: Any, field: str, what: str) -> list[str]:
    value = getattr(evidence, field)
    if value is True:
        return []
    if value is None:
        return [f"{field} was not given: {what} must be confirmed"]
    return [f"{field} is false: {what} is required"]


def plans_jointly_agreed(evidence: Any) -> list[str]:
    """Signed off by the HWB, its councils and all its CCGs, with providers engaged (guidance para 35)."""
    return (
        _true(evidence, "hwb_signed_off", "sign-off by the Health and Wellbeing Board")
        + _true(evidence, "councils_signed_off", "sign-off by the councils")
        + _true(evidence, "ccgs_signed_off", "sign-off by all the CCGs")
        + _true(evidence, "providers_engaged", "engagement of providers")
    )


def protect_social_care(evidence: Any) -> list[str]:
    """Protection of social care services (not spending): a local definition of protection is required."""
    if evidence.explanation is None or not evidence.explanation.strip():
        return ["explanation is empty: the plan must say what protecting social care services means locally"]
    return []


def seven_day_services(evidence: Any) -> list[str]:
    """Seven-day services to support discharge; if not confirmed, why not (check_plan insists on it)."""
    if evidence.confirmed is True:
        return []
    if evidence.confirmed is None:
        return ["confirmed was not given: seven-day services must be confirmed"]
    return [
        f"confirmed is false: seven-day services are not in place ({(evidence.explanation or '').strip()})"
    ]


DATA_SHARING_ITEMS = (
    ("nhs_number_primary_identifier", "the NHS number as the primary identifier"),
    ("open_apis", "open APIs"),
    ("ig_caldicott2", "information governance in line with Caldicott 2"),
)


def data_sharing(evidence: Any) -> list[str]:
    """Each of three items confirmed, or a date given by which it is planned ("if not, when they plan to")."""
    reasons = []
    for field, what in DATA_SHARING_ITEMS:
        if getattr(evidence, field) is not True and getattr(evidence, f"{field}_planned_date") is None:
            reasons.append(f"{field} is not confirmed and no {field}_planned_date was given for {what}")
    return reasons


def joint_assessment(evidence: Any) -> list[str]:
    """An accountable lead professional for integrated packages, and the proportion case-managed."""
    reasons = _true(evidence, "accountable_professional", "an accountable lead professional")
    if evidence.case_managed_proportion is None:
        reasons.append(
            "case_managed_proportion was not given: the proportion of people case-managed is required"
        )
    return reasons


def acute_sector_impact(evidence: Any) -> list[str]:
    """At least one provider agrees the acute-sector impact, and mental health services are not reduced."""
    reasons = []
    if not evidence.providers_assessed:
        reasons.append("providers_assessed is empty: at least one provider must have assessed the impact")
    reasons += _true(evidence, "mental_health_not_reduced", "that mental health services are not reduced")
    return reasons


RULES: dict[str, Callable[[Any], list[str]]] = {
    "plans_jointly_agreed": plans_jointly_agreed,
    "protect_social_care": protect_social_care,
    "seven_day_services": seven_day_services,
    "data_sharing": data_sharing,
    "joint_assessment": joint_assessment,
    "acute_sector_impact": acute_sector_impact,
}
assert tuple(RULES) == KNOWN_CONDITIONS  # the rule-set loader accepts exactly the conditions coded here


def assess_conditions(
    conditions: Conditions | None, rule_set: RuleSet
) -> tuple[tuple[ConditionResult, ...], bool | None]:
    """Judge every condition the rule set names; say whether the plan is assured.

    :return: the condition results (in the order of §3) and ``plan_assured``: None when no conditions
        evidence was sent at all (access not checked), else whether every access condition is met.
    """
    tranche_of, access_conditions = rule_set.condition_tranches, rule_set.access_conditions
    results = []
    for condition in rule_set.conditions:
        access = condition in access_conditions
        evidence = None if conditions is None else getattr(conditions, condition)
        if evidence is None:
            status, reasons = NOT_ASSESSED, ()
            why = (
                "no conditions evidence was sent"
                if conditions is None
                else f"no evidence was sent for {condition}"
            )
            explanation = f"{condition}: not assessed, {why}" + (
                "; as a condition of access it leaves the plan not assured" if access and conditions else ""
            )
        else:
            reasons = tuple(RULES[condition](evidence))
            status = NOT_MET if reasons else MET
            explanation = (
                f"{condition}: not met because " + "; ".join(reasons)
                if reasons
                else f"{condition}: met, the evidence fields satisfy rules §3"
            )
        results.append(
            ConditionResult(condition, status, access, tranche_of.get(condition), reasons, explanation)
        )
    if conditions is None:
        return tuple(results), None
    assured = all(result.status == MET for result in results if result.access)
    return tuple(results), assured
