"""Metric assessment (rules §4, §5, §7) checked against the published formulas, computed here
independently of metrics/ (Byar's, Wilson, Dobson, t; scipy's binomtest and Welch test for the p-values)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from scipy import stats

from bcf.determination import assess_ambitions, determine
from tests.bcf.conftest import ALL_MET, plan_from_json, rule_set_with

Z = stats.norm.ppf(0.975)
POOL = Decimal("1000000.00")


def run(rule_set, catalogue, metrics, conditions=ALL_MET):
    return determine(
        plan_from_json({"metrics": metrics, "conditions": conditions}), rule_set, catalogue, POOL
    )


def one(result, metric, period):
    (found,) = [m for m in result.metrics if (m.metric, m.period) == (metric, period)]
    return found


def byars(o):
    lower = o * (1 - 1 / (9 * o) - Z / (3 * math.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + Z / (3 * math.sqrt(o + 1))) ** 3
    return lower, upper


def wilson(x, n):
    p = x / n
    centre, spread = 2 * x + Z**2, Z * math.sqrt(Z**2 + 4 * x * (1 - p))
    return (centre - spread) / (2 * (n + Z**2)), (centre + spread) / (2 * (n + Z**2))


API_EXAMPLE = {
    "metric": "delayed_transfers",
    "periods": {
        "april-2015": {
            "baseline": {"numerator": 3100, "denominator": 72000},
            "plan": 450.0,
            "actual": {"numerator": 2950, "denominator": 72400},
        },
        "october-2015": {
            "baseline": {"numerator": 2100, "denominator": 72400},
            "plan": 460.0,
            "actual": {"numerator": 1990, "denominator": 72600},
            "history": [510.2, 495.0, 480.3],
        },
    },
}


def test_a_monthly_average_rate_with_byars_interval_and_exact_change_test(rule_set, catalogue):
    m = one(run(rule_set, catalogue, [API_EXAMPLE]), "delayed_transfers", "april-2015")
    scale = 100000 / 9 / 72000  # value = numerator / months / denominator x 100,000
    assert m.baseline.value == pytest.approx(3100 * scale, rel=1e-12)  # 478.395...
    lower, upper = byars(3100)
    assert (m.baseline.ci_lower, m.baseline.ci_upper) == pytest.approx(
        (lower * scale, upper * scale), rel=1e-9
    )
    assert m.actual.value == pytest.approx(2950 * 100000 / 9 / 72400, rel=1e-12)
    assert m.months == 9 and m.type == "rate" and m.polarity == "lower" and m.significance == "assessed"
    # lower is better: the minimum significant ambition is the lower bound, and 450 is beyond it
    assert m.minimum_significant_ambition == m.baseline.ci_lower and m.ambition_significant is True
    b, a = 3100 * scale, 2950 * 100000 / 9 / 72400
    assert m.achievement == round((b - a) / (b - 450.0), 6)
    assert m.payable_fraction == pytest.approx((b - a) / (b - 450.0), rel=1e-12)
    # exact conditional test: O2 of O1 + O2 with p = E2 / (E1 + E2), E = denominator x months
    expected = stats.binomtest(2950, 3100 + 2950, 72400 * 9 / (72000 * 9 + 72400 * 9)).pvalue
    assert m.change_p_value == pytest.approx(expected, rel=1e-9)
    assert m.change_significant is bool(expected < 0.05) is True
    assert m.trend_projection is None and m.ambition_beyond_trend is None  # no history
    for text in ("3,100 ÷ 9 months ÷ 72,000 × 100,000 = 478.4", "(B − A) ÷ (B − T)", "lower is better"):
        assert text in m.explanation


def test_the_trend_is_an_ols_line_projected_one_period_on(rule_set, catalogue):
    m = one(run(rule_set, catalogue, [API_EXAMPLE]), "delayed_transfers", "october-2015")
    # through (0, 510.2), (1, 495.0), (2, 480.3): slope (480.3 - 510.2) / 2 = -14.95, mean 495.1667 at x = 1
    projection = (510.2 + 495.0 + 480.3) / 3 + 2 * -14.95
    assert m.trend_projection == pytest.approx(projection, rel=1e-12)  # 465.27
    assert m.ambition_beyond_trend is True  # plan 460 is lower (better) than 465.27
    assert m.months == 6


def test_fewer_than_three_history_values_give_no_trend(rule_set, catalogue):
    metric = {
        "metric": "reablement",
        "periods": {
            "october-2015": {
                "baseline": {"value": 80},
                "plan": 85,
                "actual": {"value": 84},
                "history": [78.0, 79.0],
            }
        },
    }
    m = one(run(rule_set, catalogue, [metric]), "reablement", "october-2015")
    assert m.trend_projection is None and m.ambition_beyond_trend is None


def test_a_proportion_uses_wilson_and_the_pooled_z_test(rule_set, catalogue):
    metric = {
        "metric": "reablement",
        "periods": {
            "october-2015": {
                "baseline": {"numerator": 230, "denominator": 280},
                "plan": 88.0,
                "actual": {"numerator": 250, "denominator": 285},
                "history": [80.0, 81.0, 82.0],
            }
        },
    }
    m = one(run(rule_set, catalogue, [metric]), "reablement", "october-2015")
    lower, upper = wilson(230, 280)
    assert (m.baseline.value, m.baseline.ci_lower, m.baseline.ci_upper) == pytest.approx(
        (230 / 280 * 100, lower * 100, upper * 100), rel=1e-9
    )
    # higher is better: the minimum significant ambition is the upper bound
    assert m.minimum_significant_ambition == pytest.approx(upper * 100, rel=1e-9)
    assert m.ambition_significant is bool(upper * 100 < 88.0) is True
    p1, p2, pooled = 230 / 280, 250 / 285, 480 / 565
    z = (p2 - p1) / math.sqrt(pooled * (1 - pooled) * (1 / 280 + 1 / 285))
    assert m.change_p_value == pytest.approx(2 * (1 - stats.norm.cdf(abs(z))), rel=1e-9)
    assert m.trend_projection == pytest.approx(83.0) and m.ambition_beyond_trend is True
    b, a = 230 / 280 * 100, 250 / 285 * 100
    assert m.achievement == round((a - b) / (88.0 - b), 6)


def test_a_score_uses_t_and_welch(rule_set, catalogue):
    metric = {
        "metric": "local",
        "local_metric": "ASCOF-1A",
        "periods": {
            "april-2015": {
                "baseline": {"mean": 18.4, "sd": 3.1, "n": 120},
                "plan": 18.6,
                "actual": {"mean": 19.0, "sd": 2.9, "n": 130},
            }
        },
    }
    m = one(run(rule_set, catalogue, [metric]), "local", "april-2015")
    half = stats.t.ppf(0.975, 119) * 3.1 / math.sqrt(120)
    assert (m.baseline.ci_lower, m.baseline.ci_upper) == pytest.approx((18.4 - half, 18.4 + half), rel=1e-9)
    assert m.ambition_significant is False  # 18.6 is inside 18.4 ± 0.56
    welch = stats.ttest_ind_from_stats(18.4, 3.1, 120, 19.0, 2.9, 130, equal_var=False).pvalue
    assert m.change_p_value == pytest.approx(welch, rel=1e-9)
    assert m.achievement == pytest.approx((19.0 - 18.4) / (18.6 - 18.4), abs=1e-6)
    assert m.local_metric == "ASCOF-1A" and m.type == "score"


BANDS = [(120, 40000, 35000), (310, 30000, 30000), (700, 20000, 20000), (900, 9000, 15000)]


def dsr_by_hand(bands, months):
    weight = sum(w for _, _, w in bands)
    value = sum(w * o / n for o, n, w in bands) / weight * 100000
    variance = sum(w**2 * o / n**2 for o, n, w in bands) / weight**2 * 100000**2
    return value / months, variance / months**2


def test_avoidable_admissions_as_a_dsr_per_month(rule_set, catalogue):
    actual = [(o - 40, n, w) for o, n, w in BANDS]
    metric = {
        "metric": "avoidable_emergency_admissions",
        "periods": {
            "october-2015": {
                "baseline": {
                    "bands": [{"events": o, "population": n, "standard_population": w} for o, n, w in BANDS]
                },
                "plan": 1500.0,
                "actual": {
                    "bands": [{"events": o, "population": n, "standard_population": w} for o, n, w in actual]
                },
            }
        },
    }
    m = one(run(rule_set, catalogue, [metric]), "avoidable_emergency_admissions", "october-2015")
    d1, v1 = dsr_by_hand(BANDS, 6)
    d2, v2 = dsr_by_hand(actual, 6)
    assert m.type == "dsr" and m.months == 6
    assert m.baseline.value == pytest.approx(d1, rel=1e-12)
    # Dobson: DSR + sqrt(var / O) x (O_limit - O), O the total events, limits by Byar's
    events = sum(o for o, _, _ in BANDS)
    low, high = byars(events)
    spread = math.sqrt(v1 / events)
    assert (m.baseline.ci_lower, m.baseline.ci_upper) == pytest.approx(
        (d1 + spread * (low - events), d1 + spread * (high - events)), rel=1e-9
    )
    z = (d2 - d1) / math.sqrt(v1 + v2)
    assert m.change_p_value == pytest.approx(2 * (1 - stats.norm.cdf(abs(z))), rel=1e-6)


def test_a_bare_value_is_used_as_it_stands_but_significance_is_not_assessable(rule_set, catalogue):
    metric = {
        "metric": "delayed_transfers",
        "periods": {
            "april-2015": {
                "baseline": {"value": 478.4},
                "plan": 450.0,
                "actual": {"numerator": 2950, "denominator": 72400},
            }
        },
    }
    m = one(run(rule_set, catalogue, [metric]), "delayed_transfers", "april-2015")
    assert m.significance == "not_assessable"
    assert m.baseline.ci_lower is None and m.minimum_significant_ambition is None
    assert m.ambition_significant is None and m.change_p_value is None and m.change_significant is None
    assert m.actual.ci_lower is not None  # the actual's counts still give its interval
    assert m.achievement == round((478.4 - m.actual.value) / (478.4 - 450.0), 6)
    assert not [
        w for w in run(rule_set, catalogue, [metric]).warnings if w.code == "ambition_not_significant"
    ]


def test_achievement_is_reported_to_6_dp_but_paid_on_the_unrounded_value(rule_set, catalogue, tmp_path):
    # (3 - 0.000001) / (3 - 0) = 0.99999966..., reported as 1.0 (6 dp); pro-rata pays 0.99999966...
    metric = {
        "metric": "delayed_transfers",
        "periods": {"april-2015": {"baseline": {"value": 3}, "plan": 0, "actual": {"value": 0.000001}}},
    }
    m = one(run(rule_set, catalogue, [metric]), "delayed_transfers", "april-2015")
    assert m.achievement == 1.0
    assert m.payable_fraction == pytest.approx(2.999999 / 3, rel=1e-15) and m.payable_fraction < 1
    # all-or-nothing on the unrounded value: nothing is paid although 1.000000 is reported
    rules = rule_set_with(tmp_path, payment_mode="all_or_nothing")
    result = run(rules, catalogue, [metric])
    assert one(result, "delayed_transfers", "april-2015").payable_fraction == 0.0
    line = result.tranches[1].lines[0]
    assert (line.item, line.released) == ("delayed_transfers", Decimal("0.00"))


@pytest.mark.parametrize(
    ("polarity_metric", "baseline", "plan", "actual", "achievement"),
    [
        ("delayed_transfers", 100, 80, 110, -0.5),  # worse than baseline: negative, reported unclipped
        ("delayed_transfers", 100, 80, 60, 2.0),
        ("delayed_transfers", 100, 100, 100, 1.0),  # not an improvement, actual as good as plan
        ("delayed_transfers", 100, 100, 100.5, 0.0),
        ("reablement", 80, 85, 90, 2.0),
        ("reablement", 80, 85, 75, -1.0),
        ("reablement", 80, 75, 76, 1.0),  # plan worse than baseline (higher is better), actual at least plan
        ("reablement", 80, 75, 74, 0.0),
    ],
)
def test_achievement_both_polarities_unclipped(
    rule_set, catalogue, polarity_metric, baseline, plan, actual, achievement
):
    period = "april-2015" if polarity_metric == "delayed_transfers" else "october-2015"
    metric = {
        "metric": polarity_metric,
        "periods": {period: {"baseline": {"value": baseline}, "plan": plan, "actual": {"value": actual}}},
    }
    result = run(rule_set, catalogue, [metric])
    m = one(result, polarity_metric, period)
    assert m.achievement == achievement
    assert m.payable_fraction == min(max(achievement, 0.0), 1.0)
    improvement = (plan < baseline) if polarity_metric == "delayed_transfers" else (plan > baseline)
    assert any(w.code == "ambition_not_an_improvement" for w in result.warnings) is (not improvement)


def test_small_numbers_and_an_incomplete_local_alternative_are_warned(rule_set, catalogue):
    metric = {
        "metric": "local",
        "definition": {"name": "Falls", "type": "proportion", "polarity": "lower"},
        "periods": {
            "april-2015": {
                "baseline": {"numerator": 20, "denominator": 80},
                "plan": 10.0,
                "actual": {"numerator": 15, "denominator": 85},
            }
        },
    }
    result = run(rule_set, catalogue, [metric])
    codes = {(w.code, w.metric, w.period) for w in result.warnings}
    assert ("small_numbers", "local", "april-2015") in codes
    assert ("local_alternative_incomplete", "local", None) in codes
    (incomplete,) = [w for w in result.warnings if w.code == "local_alternative_incomplete"]
    assert "unit, source, jhws_link" in incomplete.message
    m = one(result, "local", "april-2015")
    assert (m.name, m.type, m.polarity) == ("Falls", "proportion", "lower")


def test_results_come_in_a_fixed_order_whatever_the_request_order(rule_set, catalogue):
    metrics = [
        {
            "metric": "local",
            "local_metric": "NHSOF-2.1",
            "periods": {"april-2015": {"baseline": {"value": 60}, "plan": 70, "actual": {"value": 65}}},
        },
        API_EXAMPLE,
        {"metric": "reablement", "periods": {"october-2015": {"baseline": {"value": 80}, "plan": 85}}},
    ]
    forward = run(rule_set, catalogue, metrics)
    backward = run(rule_set, catalogue, list(reversed(metrics)))
    assert forward == backward
    assert [(m.metric, m.period) for m in forward.metrics] == [
        ("delayed_transfers", "april-2015"),
        ("local", "april-2015"),
        ("reablement", "october-2015"),
        ("delayed_transfers", "october-2015"),
    ]


def test_ambitions_report_significance_trend_and_what_each_line_is_worth(rule_set, catalogue, tmp_path):
    metrics = [
        API_EXAMPLE,
        {
            "metric": "reablement",
            "periods": {"october-2015": {"baseline": {"numerator": 230, "denominator": 280}, "plan": 83.0}},
        },
    ]
    plan = plan_from_json({"metrics": metrics})
    ambitions = assess_ambitions(plan, rule_set, catalogue, POOL)
    found = {(a.metric, a.period): a for a in ambitions.metrics}
    assert set(found) == {
        ("delayed_transfers", "april-2015"),
        ("delayed_transfers", "october-2015"),
        ("reablement", "october-2015"),
    }
    dt = found[("delayed_transfers", "october-2015")]
    assert dt.ambition_significant is True and dt.ambition_beyond_trend is True
    # each line of a metrics tranche: April 250,000.00 / 3, October 500,000.00 / 6 (held_back mode)
    assert found[("delayed_transfers", "april-2015")].share == Decimal("83333.33")
    assert dt.share == Decimal("83333.33")
    assert "£83,333.33" in dt.explanation
    reablement = found[("reablement", "october-2015")]
    assert reablement.ambition_significant is False  # 83 is inside the Wilson interval 77.3 to 85.8
    assert ("ambition_not_significant", "reablement", "october-2015") in {
        (w.code, w.metric, w.period) for w in ambitions.warnings
    }
    # redistribute: the two October metrics in the plan share the £500,000.00
    redistributed = assess_ambitions(
        plan, rule_set_with(tmp_path, unassessable_metric_share="redistribute"), catalogue, POOL
    )
    assert {(a.metric, a.period): a.share for a in redistributed.metrics} == {
        ("delayed_transfers", "april-2015"): Decimal("250000.00"),
        ("delayed_transfers", "october-2015"): Decimal("250000.00"),
        ("reablement", "october-2015"): Decimal("250000.00"),
    }
