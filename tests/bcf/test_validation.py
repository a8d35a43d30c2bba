"""check_plan: the cross-reference problems a schema cannot see, all at once, with JSON-path locations."""

from __future__ import annotations

from decimal import Decimal

import pytest

import bcf.determination
from bcf.determination import determine
from bcf.errors import InvalidInput
from bcf.plan import (
    UNREAD,
    Band,
    Conditions,
    Counts,
    JointAssessment,
    MetricPlan,
    PeriodPlan,
    Plan,
    Standardised,
)
from bcf.validation import CheckedPlan, check_plan, checked_plan
from tests.bcf.conftest import ALL_MET, plan_from_json, rule_set_with

GOOD_DT = {
    "baseline": {"numerator": 900, "denominator": 100000},
    "plan": 80,
    "actual": {"numerator": 765, "denominator": 100000},
}


def problems(rule_set, catalogue, metrics, conditions=None):
    plan = plan_from_json({"metrics": metrics, "conditions": conditions})
    return {(p["location"], p["message"]) for p in check_plan(plan, rule_set, catalogue)}


def locations(rule_set, catalogue, metrics, conditions=None):
    return {loc for loc, _ in problems(rule_set, catalogue, metrics, conditions)}


def test_a_good_plan_has_no_problems(rule_set, catalogue):
    assert (
        problems(
            rule_set,
            catalogue,
            [{"metric": "delayed_transfers", "periods": {"april-2015": GOOD_DT}}],
            ALL_MET,
        )
        == set()
    )


@pytest.mark.parametrize(
    ("metrics", "where", "says"),
    [
        (
            [{"metric": "falls", "periods": {"april-2015": GOOD_DT}}],
            "metrics[0].metric",
            "unknown metric 'falls'",
        ),
        (
            [
                {"metric": "delayed_transfers", "periods": {"april-2015": GOOD_DT}},
                {"metric": "delayed_transfers", "periods": {"october-2015": GOOD_DT}},
            ],
            "metrics[1].metric",
            "given twice (also metrics[0])",
        ),
        (
            [{"metric": "residential_admissions", "periods": {"april-2015": GOOD_DT}}],
            "metrics[0].periods.april-2015",
            "measures residential_admissions for october-2015 only",
        ),
        (
            [{"metric": "local", "local_metric": "NHSOF-9.9", "periods": {}}],
            "metrics[0].local_metric",
            "not in the local menu",
        ),
        ([{"metric": "local", "periods": {}}], "metrics[0]", "needs local_metric"),
        (
            [
                {
                    "metric": "local",
                    "local_metric": "NHSOF-2.1",
                    "definition": {"type": "rate", "polarity": "lower"},
                    "periods": {},
                }
            ],
            "metrics[0].definition",
            "not both",
        ),
        (
            [{"metric": "reablement", "local_metric": "NHSOF-2.1", "periods": {}}],
            "metrics[0].local_metric",
            "only the local metric",
        ),
        (
            [
                {
                    "metric": "reablement",
                    "definition": {"name": "x", "type": "rate", "polarity": "lower"},
                    "periods": {},
                }
            ],
            "metrics[0].definition",
            "defined by the catalogue",
        ),
        (
            [{"metric": "patient_experience", "periods": {}}],
            "metrics[0].definition",
            "a definition with name",
        ),
        (
            [
                {
                    "metric": "patient_experience",
                    "definition": {"name": "x", "type": "ratio", "polarity": "higher"},
                    "periods": {},
                }
            ],
            "metrics[0].definition.type",
            "must be one of rate, proportion, dsr, score",
        ),
        (
            [{"metric": "patient_experience", "definition": {"name": "x", "type": "score"}, "periods": {}}],
            "metrics[0].definition.polarity",
            "is required",
        ),
        (
            [{"metric": "local", "definition": {"name": "Falls", "polarity": "lower"}, "periods": {}}],
            "metrics[0].definition.type",
            "is required",
        ),
        ([{"metric": "reablement", "periods": {}}], "metrics[0].periods", "at least one period"),
    ],
)
def test_metric_cross_references(rule_set, catalogue, metrics, where, says):
    found = problems(rule_set, catalogue, metrics)
    assert any(loc == where and says in message for loc, message in found), found


P = "metrics[0].periods.april-2015"


@pytest.mark.parametrize(
    ("metric", "period", "where", "says"),
    [
        (
            "delayed_transfers",
            {
                "baseline": {"bands": [{"events": 50, "population": 1000, "standard_population": 1}]},
                "plan": 80,
            },
            f"{P}.baseline",
            "cannot give delayed_transfers (rate)",
        ),
        (
            "delayed_transfers",
            {"baseline": {"mean": 1, "sd": 1, "n": 10}, "plan": 80},
            f"{P}.baseline",
            "mean/sd/n",
        ),
        (
            "avoidable_emergency_admissions",
            {
                "baseline": {"numerator": 900, "denominator": 100000},
                "plan": 80,
                "actual": {"bands": [{"events": 50, "population": 1000, "standard_population": 1}]},
            },
            f"{P}.actual",
            "same statistic type",
        ),
        (
            "avoidable_emergency_admissions",
            {
                "baseline": {"bands": [{"events": 5, "population": 1000, "standard_population": 1}]},
                "plan": 80,
            },
            f"{P}.baseline.bands",
            "at least 10 events",
        ),
        (
            "avoidable_emergency_admissions",
            {"baseline": {"bands": []}, "plan": 80},
            f"{P}.baseline.bands",
            "at least one age band",
        ),
        (
            "avoidable_emergency_admissions",
            {
                "baseline": {"bands": [{"events": 50, "population": 1000, "standard_population": 0}]},
                "plan": 80,
            },
            f"{P}.baseline.bands",
            "cannot be all zero",
        ),
        (
            "delayed_transfers",
            {"baseline": {"numerator": -1, "denominator": 100000}, "plan": 80},
            f"{P}.baseline.numerator",
            "at least 0",
        ),
        (
            "delayed_transfers",
            {"baseline": {"numerator": 900.5, "denominator": 100000}, "plan": 80},
            f"{P}.baseline.numerator",
            "whole number",
        ),
        (
            "delayed_transfers",
            {"baseline": {"numerator": 900, "denominator": 0}, "plan": 80},
            f"{P}.baseline.denominator",
            "greater than zero",
        ),
        (
            "delayed_transfers",
            {"baseline": {"numerator": float("nan"), "denominator": 10}, "plan": 80},
            f"{P}.baseline.numerator",
            "finite",
        ),
        (
            "delayed_transfers",
            {"baseline": {"numerator": 1e308, "denominator": 1e308}, "plan": 80},
            f"{P}.baseline.numerator",
            "at most",
        ),
        ("delayed_transfers", {"baseline": {"value": 100}, "plan": float("inf")}, f"{P}.plan", "finite"),
        ("delayed_transfers", {"baseline": {"value": 100}, "plan": -5}, f"{P}.plan", "at least 0"),
        (
            "delayed_transfers",
            {"baseline": {"value": 100}, "plan": 80, "history": [1, float("nan"), 3]},
            f"{P}.history[1]",
            "finite",
        ),
    ],
)
def test_count_blocks_fit_the_statistic_type(rule_set, catalogue, metric, period, where, says):
    found = problems(rule_set, catalogue, [{"metric": metric, "periods": {"april-2015": period}}])
    assert any(loc == where and says in message for loc, message in found), found


@pytest.mark.parametrize(
    ("block", "where", "says"),
    [
        ({"numerator": 1200, "denominator": 1000}, "baseline.numerator", "cannot exceed its denominator"),
        ({"numerator": 10, "denominator": 100.5}, "baseline.denominator", "whole number"),
        ({"value": 120}, "baseline.value", "at most 100"),
    ],
)
def test_proportions_are_checked_as_proportions(rule_set, catalogue, block, where, says):
    metric = {
        "metric": "local",
        "local_metric": "NHSOF-2.1",
        "periods": {"april-2015": {"baseline": block, "plan": 70}},
    }
    found = problems(rule_set, catalogue, [metric])
    assert any(loc == f"{P}.{where}" and says in message for loc, message in found), found


def test_scores_need_sd_and_at_least_two_respondents(rule_set, catalogue):
    metric = {
        "metric": "local",
        "local_metric": "ASCOF-1A",
        "periods": {"april-2015": {"baseline": {"mean": 18.1, "sd": -1, "n": 1}, "plan": 19}},
    }
    assert locations(rule_set, catalogue, [metric]) == {f"{P}.baseline.sd", f"{P}.baseline.n"}


def test_seven_day_services_false_without_explanation_is_invalid_input(rule_set, catalogue):
    conditions = dict(ALL_MET, seven_day_services={"confirmed": False})
    assert problems(rule_set, catalogue, [], conditions) == {
        (
            "conditions.seven_day_services.explanation",
            "when confirmed is false, an explanation of why not is required",
        )
    }
    conditions = dict(ALL_MET, seven_day_services={"confirmed": False, "explanation": "  "})
    assert locations(rule_set, catalogue, [], conditions) == {"conditions.seven_day_services.explanation"}


def test_case_managed_proportion_is_between_0_and_1(rule_set, catalogue):
    conditions = dict(
        ALL_MET, joint_assessment={"accountable_professional": True, "case_managed_proportion": 4}
    )
    assert locations(rule_set, catalogue, [], conditions) == {
        "conditions.joint_assessment.case_managed_proportion"
    }


def test_every_problem_is_reported_at_once(rule_set, catalogue):
    metrics = [
        {"metric": "falls", "periods": {}},
        {
            "metric": "delayed_transfers",
            "periods": {"april-2015": {"baseline": {"numerator": -3, "denominator": 0}, "plan": 80}},
        },
        {"metric": "patient_experience", "periods": {"october-2015": GOOD_DT}},
    ]
    conditions = dict(ALL_MET, seven_day_services={"confirmed": False})
    assert locations(rule_set, catalogue, metrics, conditions) == {
        "metrics[0].metric",
        "metrics[1].periods.april-2015.baseline.numerator",
        "metrics[1].periods.april-2015.baseline.denominator",
        "metrics[2].definition",
        "conditions.seven_day_services.explanation",
    }


def test_values_that_were_not_read_are_passed_over_and_the_rest_checked(rule_set, catalogue):
    """UNREAD: its reader reported it; check_plan neither reports it again nor checks what needs it."""
    april = PeriodPlan(baseline=UNREAD, plan=-3, actual=Counts(2.5, UNREAD), history=(UNREAD, -1.0))
    # one band unread: the totals (fewer than 10 events here) are unknown, the other bands still checked
    bands = Standardised((Band(UNREAD, 1000, 500), Band(2, 0, 500)))
    october = PeriodPlan(baseline=bands, plan=UNREAD, actual=UNREAD, history=UNREAD)
    plan = Plan("E06000001", (
        MetricPlan("delayed_transfers", {"april-2015": april}),
        MetricPlan("avoidable_emergency_admissions", {"october-2015": october}),
    ), Conditions(joint_assessment=JointAssessment(True, UNREAD)))
    found = {(p["location"], p["message"]) for p in check_plan(plan, rule_set, catalogue)}
    assert found == {
        (f"{P}.plan", "must be at least 0"),
        (f"{P}.actual.numerator", "must be a whole number (a count)"),
        (f"{P}.history[1]", "must be at least 0"),
        ("metrics[1].periods.october-2015.baseline.bands[1].population", "must be greater than zero"),
    }


def test_determine_refuses_a_plan_with_problems(rule_set, catalogue):
    plan = plan_from_json({"metrics": [{"metric": "falls", "periods": {}}]})
    with pytest.raises(InvalidInput) as caught:
        determine(plan, rule_set, catalogue, Decimal("1000"))
    assert caught.value.problems == [
        {"location": "metrics[0].metric", "message": caught.value.problems[0]["message"]}
    ]
    with pytest.raises(InvalidInput) as caught:
        determine(plan_from_json({"metrics": []}), rule_set, catalogue, Decimal("-1"))
    assert caught.value.problems[0]["location"] == "p4p_pool"


def test_a_checked_plan_is_made_only_by_checking(rule_set, catalogue):
    good = plan_from_json({"metrics": [{"metric": "delayed_transfers", "periods": {"april-2015": GOOD_DT}}]})
    sound, found = checked_plan(good, rule_set, catalogue)
    assert found == [] and sound.plan is good
    bad = plan_from_json({"metrics": [{"metric": "falls", "periods": {}}]})
    assert checked_plan(bad, rule_set, catalogue) == (None, check_plan(bad, rule_set, catalogue))
    with pytest.raises(TypeError):
        CheckedPlan(bad, rule_set, catalogue, object())


def test_determine_trusts_a_checked_plan_only_for_its_own_rule_set_and_catalogue(
    rule_set, catalogue, tmp_path, monkeypatch
):
    plan = plan_from_json({"metrics": [{"metric": "delayed_transfers", "periods": {"april-2015": GOOD_DT}}],
                           "conditions": ALL_MET})
    sound, _ = checked_plan(plan, rule_set, catalogue)
    calls = []
    monkeypatch.setattr(bcf.determination, "check_plan", lambda *args: calls.append(args) or [])
    pool = Decimal("1000000.00")
    assert determine(sound, rule_set, catalogue, pool) == determine(plan, rule_set, catalogue, pool)
    assert len(calls) == 1  # the bare plan only
    same_content = rule_set_with(tmp_path)  # equal parameters, but not the rule set it was checked with
    determine(sound, same_content, catalogue, pool)
    assert len(calls) == 2 and calls[-1][0] is plan and calls[-1][1] is same_content
    with pytest.raises(InvalidInput):  # the pool is checked whatever the plan
        determine(sound, rule_set, catalogue, Decimal("-1"))
