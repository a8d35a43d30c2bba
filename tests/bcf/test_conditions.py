"""Each national condition rule (rules-2015-16.md §3), and how access conditions decide assurance."""

from __future__ import annotations

import pytest

from bcf.conditions import assess_conditions
from tests.bcf.conftest import ALL_MET, conditions_from_json


def judge(rule_set, **changes):
    evidence = {k: dict(v) for k, v in ALL_MET.items()}
    for name, value in changes.items():
        if value is None:
            evidence.pop(name)
        else:
            evidence[name] = value
    results, assured = assess_conditions(conditions_from_json(evidence), rule_set)
    return {r.condition: r for r in results}, assured


def test_all_evidence_in_order_means_all_met_and_assured(rule_set):
    results, assured = judge(rule_set)
    assert assured is True
    assert list(results) == [
        "plans_jointly_agreed",
        "protect_social_care",
        "seven_day_services",
        "data_sharing",
        "joint_assessment",
        "acute_sector_impact",
    ]
    assert all(r.status == "met" and r.reasons == () for r in results.values())
    assert {c for c, r in results.items() if r.access} == {"plans_jointly_agreed", "data_sharing"}
    assert results["protect_social_care"].tranche == "april-2015/conditions"
    assert results["data_sharing"].tranche is None


# (condition, evidence, the field each reason must name)
NOT_MET = [
    (
        "plans_jointly_agreed",
        {
            "hwb_signed_off": True,
            "councils_signed_off": False,
            "ccgs_signed_off": True,
            "providers_engaged": True,
        },
        ["councils_signed_off"],
    ),
    (
        "plans_jointly_agreed",
        {"hwb_signed_off": True, "councils_signed_off": True, "ccgs_signed_off": False},
        ["ccgs_signed_off", "providers_engaged"],
    ),
    ("protect_social_care", {"explanation": ""}, ["explanation"]),
    ("protect_social_care", {}, ["explanation"]),
    (
        "seven_day_services",
        {"confirmed": False, "explanation": "No weekend discharge team until 2016"},
        ["confirmed"],
    ),
    ("seven_day_services", {}, ["confirmed"]),
    (
        "data_sharing",
        {"nhs_number_primary_identifier": True, "open_apis": False, "ig_caldicott2": True},
        ["open_apis"],
    ),
    ("data_sharing", {"open_apis": True}, ["nhs_number_primary_identifier", "ig_caldicott2"]),
    (
        "joint_assessment",
        {"accountable_professional": False, "case_managed_proportion": 0.1},
        ["accountable_professional"],
    ),
    ("joint_assessment", {"accountable_professional": True}, ["case_managed_proportion"]),
    (
        "acute_sector_impact",
        {"providers_assessed": [], "mental_health_not_reduced": True},
        ["providers_assessed"],
    ),
    (
        "acute_sector_impact",
        {"providers_assessed": ["Trust A"], "mental_health_not_reduced": False},
        ["mental_health_not_reduced"],
    ),
]


@pytest.mark.parametrize(
    ("condition", "evidence", "fields"), NOT_MET, ids=[f"{c}-{'-'.join(f)}" for c, _, f in NOT_MET]
)
def test_an_unmet_condition_says_why_naming_each_field(rule_set, condition, evidence, fields):
    results, _ = judge(rule_set, **{condition: evidence})
    result = results[condition]
    assert result.status == "not_met"
    assert len(result.reasons) == len(fields)
    for reason, field in zip(result.reasons, fields, strict=True):
        assert reason.startswith(field + " ")
    assert all(r.status == "met" for c, r in results.items() if c != condition)


@pytest.mark.parametrize(
    "evidence",
    [
        {
            "nhs_number_primary_identifier": False,
            "nhs_number_primary_identifier_planned_date": "2015-06-30",
            "open_apis": True,
            "ig_caldicott2": False,
            "ig_caldicott2_planned_date": "2015-09-30",
        },
        {
            "nhs_number_primary_identifier": True,
            "open_apis_planned_date": "2015-03-31",
            "ig_caldicott2": True,
        },
    ],
)
def test_data_sharing_accepts_a_planned_date_instead_of_confirmation(rule_set, evidence):
    results, assured = judge(rule_set, data_sharing=evidence)
    assert results["data_sharing"].status == "met" and assured is True


def test_seven_day_services_not_confirmed_with_its_explanation_is_not_met_and_quotes_it(rule_set):
    results, _ = judge(rule_set, seven_day_services={"confirmed": False, "explanation": "Staff consultation"})
    assert results["seven_day_services"].status == "not_met"
    assert "Staff consultation" in results["seven_day_services"].reasons[0]


@pytest.mark.parametrize("access", ["plans_jointly_agreed", "data_sharing"])
def test_an_access_condition_not_met_or_not_assessed_leaves_the_plan_not_assured(rule_set, access):
    _, assured = judge(rule_set, **{access: {}})  # evidence sent, fields missing -> not met
    assert assured is False
    results, assured = judge(rule_set, **{access: None})  # no evidence -> not assessed
    assert results[access].status == "not_assessed" and assured is False


def test_a_tranche_condition_not_met_does_not_affect_assurance(rule_set):
    results, assured = judge(rule_set, protect_social_care=None, joint_assessment={})
    assert results["protect_social_care"].status == "not_assessed"
    assert results["joint_assessment"].status == "not_met"
    assert assured is True


def test_no_conditions_at_all_means_access_not_checked(rule_set):
    results, assured = assess_conditions(None, rule_set)
    assert assured is None
    assert [r.status for r in results] == ["not_assessed"] * 6
