"""The determination as a whole: plain values for the API to dump, and explanations that show the sums."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from bcf.determination import Determination, determine
from tests.bcf.conftest import ALL_MET, plan_from_json

PLAN = {
    "conditions": dict(ALL_MET, protect_social_care={"explanation": ""}),
    "metrics": [
        {
            "metric": "delayed_transfers",
            "periods": {
                "april-2015": {
                    "baseline": {"numerator": 900, "denominator": 100000},
                    "plan": 80,
                    "actual": {"numerator": 765, "denominator": 100000},
                    "history": [110.0, 105.0, 102.0],
                }
            },
        },
        {
            "metric": "avoidable_emergency_admissions",
            "periods": {"april-2015": {"baseline": {"value": 200}, "plan": 180, "actual": {"value": 170}}},
        },
    ],
}


def result(rule_set, catalogue) -> Determination:
    return determine(plan_from_json(PLAN), rule_set, catalogue, Decimal("1000000.00"))


def leaves(value):
    if dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from leaves(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


def test_every_leaf_is_a_plain_value_the_api_can_dump(rule_set, catalogue):
    kinds = {type(leaf) for leaf in leaves(result(rule_set, catalogue))}
    assert kinds <= {str, int, float, bool, Decimal, type(None)}, kinds


def test_money_is_decimal_to_the_penny(rule_set, catalogue):
    r = result(rule_set, catalogue)
    for tranche in r.tranches:
        for amount in (tranche.available, tranche.released, tranche.held_back):
            assert isinstance(amount, Decimal) and amount == amount.quantize(Decimal("0.01"))
    assert r.p4p_pool == Decimal("1000000.00")


def test_line_explanations_show_the_inputs_and_the_rule(rule_set, catalogue):
    r = result(rule_set, catalogue)
    lines = {(t.tranche, line.item): line for t in r.tranches for line in t.lines}
    dt = lines[("april-2015/metrics", "delayed_transfers")].explanation
    # B 900 ÷ 9 ÷ 100,000 × 100,000 = 100, A 85, T 80: the differences 15 and 20 need 2 decimals for 4
    # significant figures, so all three values are shown with 2
    assert (
        "achievement (B − A) ÷ (B − T) = (100.00 − 85.00) ÷ (100.00 − 80.00) = 15.00 ÷ 20.00 = 0.7500 "
        "(lower is better)" in dt
    )
    assert "pro-rata" in dt and "75% of £83,333.33 released (£62,500.00)" in dt
    assert "£20,833.33 held back" in dt
    assert "capped at 1" in lines[("april-2015/metrics", "avoidable_emergency_admissions")].explanation
    assert "remainder of £250,000.00 over 3 lines" in lines[("april-2015/metrics", "local")].explanation
    assert "not in the plan" in lines[("april-2015/metrics", "local")].explanation
    psc = lines[("april-2015/conditions", "protect_social_care")].explanation
    assert "explanation is empty" in psc and "held back" in psc
    metric = next(m for m in r.metrics if m.metric == "delayed_transfers")
    assert "900 ÷ 9 months ÷ 100,000 × 100,000 = 100.0" in metric.explanation
    assert "trend projection 97.67" in metric.explanation  # (110, 105, 102): mean 105.67 at x = 1, slope -4
    conditions_tranche = r.tranches[0]
    assert conditions_tranche.held_back_use == "pending_conditions"
    assert "25% of the pool £1,000,000.00 = £250,000.00" in conditions_tranche.explanation


def test_a_not_assured_plan_explains_why_nothing_is_released(rule_set, catalogue):
    plan = dict(PLAN, conditions=dict(ALL_MET, data_sharing={"open_apis": True}))
    r = determine(plan_from_json(plan), rule_set, catalogue, Decimal("1000000.00"))
    assert r.plan_assured is False
    line = r.tranches[1].lines[0]
    assert "the plan is not assured (data_sharing not met)" in line.explanation
    assert "pending assurance" in line.explanation
    data_sharing = next(c for c in r.conditions if c.condition == "data_sharing")
    assert data_sharing.access is True and data_sharing.status == "not_met"
    assert data_sharing.reasons[0].startswith("nhs_number_primary_identifier ")


def test_a_release_on_an_exact_half_penny_rounds_up(rule_set, catalogue):
    """(478.3 − 475.6) ÷ (478.3 − 474.7) = 2.7 ÷ 3.6 = 0.75 exactly; the local line is the last April
    metrics line, £250,000.00 − 2 × £83,333.33 = £83,333.34, and £83,333.34 × 0.75 = £62,500.005, which
    §8 rounds half up to £62,500.01. (In binary floats the ratio is 0.7499999999999921 → £62,500.00.)"""
    plan = plan_from_json({
        "conditions": ALL_MET,
        "metrics": [{"metric": "local", "local_metric": "PHOF-2.24i", "periods": {"april-2015": {
            "baseline": {"value": 478.3}, "plan": 474.7, "actual": {"value": 475.6}}}}],
    })
    result = determine(plan, rule_set, catalogue, Decimal("1000000.00"))
    april = next(t for t in result.tranches if t.tranche == "april-2015/metrics")
    local = april.lines[-1]
    assert local.item == "local" and local.available == Decimal("83333.34")
    assert local.payable_fraction == 0.75
    assert local.released == Decimal("62500.01")
    assert local.held_back == Decimal("20833.33")


def test_tranches_that_round_past_the_pool_carry_a_warning_with_the_difference(rule_set, catalogue):
    """£999,999.99: 25% → £249,999.9975 → £250,000.00 (twice), 50% → £499,999.995 → £500,000.00;
    together £1,000,000.00, a penny more than the pool. §8 is kept; the penny is shown."""
    result = determine(plan_from_json({"metrics": []}), rule_set, catalogue, Decimal("999999.99"))
    assert [t.available for t in result.tranches] == [Decimal("250000.00"), Decimal("250000.00"),
                                                      Decimal("500000.00")]
    assert result.totals.available == Decimal("1000000.00")
    warning = next(w for w in result.warnings if w.code == "tranche_rounding")
    assert "£1,000,000.00, £0.01 more than the pool £999,999.99" in warning.message


def test_tranches_that_add_up_to_the_pool_carry_no_rounding_warning(rule_set, catalogue):
    result = determine(plan_from_json({"metrics": []}), rule_set, catalogue, Decimal("1000000.00"))
    assert not [w for w in result.warnings if w.code == "tranche_rounding"]


def test_a_plan_worse_than_its_baseline_is_not_called_within_the_interval(rule_set, catalogue):
    """Baseline 3,100 ÷ 9 ÷ 72,000 × 100,000 = 478.4 (lower is better); a plan of 600 is no
    improvement at all, so the warning must not say it lies within the interval."""
    plan = plan_from_json({"metrics": [{"metric": "delayed_transfers", "periods": {"april-2015": {
        "baseline": {"numerator": 3100, "denominator": 72000}, "plan": 600}}}]})
    result = determine(plan, rule_set, catalogue, Decimal("1000000.00"))
    codes = {w.code: w.message for w in result.warnings}
    assert "ambition_not_an_improvement" in codes
    assert "within" not in codes["ambition_not_significant"]
    assert "does not go beyond 461.7" in codes["ambition_not_significant"]
