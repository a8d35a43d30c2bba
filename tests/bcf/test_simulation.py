"""bcf.simulation: each draw priced by the determination's rules, and the odds over many draws.

The pounds of a draw are checked against :func:`bcf.determination.determine` itself, given that draw as
the actual: the simulation must never be a second, slightly different set of rules.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bcf.determination import determine
from bcf.plan import BareValue, Counts, MetricPlan, PeriodPlan, Plan, Score
from bcf.simulation import SimulationSettings, draw_outturns, price, simulate, without_actuals
from tests.bcf.conftest import ALL_MET, plan_from_json

POOL = Decimal("1000000.00")

REQUEST = {
    "hwb_code": "E06000001",
    "conditions": ALL_MET,
    "metrics": [
        {"metric": "delayed_transfers", "periods": {
            "april-2015": {"baseline": {"numerator": 3100, "denominator": 72000}, "plan": 450.0,
                           "actual": {"numerator": 2950, "denominator": 72000}},
            "october-2015": {"baseline": {"numerator": 2100, "denominator": 72400}, "plan": 460.0,
                             "actual": {"numerator": 1990, "denominator": 72400}}}},
        {"metric": "reablement", "periods": {
            "october-2015": {"baseline": {"numerator": 310, "denominator": 370}, "plan": 88.0,
                             "actual": {"numerator": 320, "denominator": 370}}}},
        {"metric": "patient_experience",
         "definition": {"name": "Satisfied with care", "type": "score", "polarity": "higher"},
         "periods": {"october-2015": {"baseline": {"mean": 18.9, "sd": 3.1, "n": 412}, "plan": 19.4,
                                      "actual": {"mean": 19.1, "sd": 3.0, "n": 400}}}},
    ],
}


@pytest.fixture()
def plan():
    return plan_from_json(copy.deepcopy(REQUEST))


def _released(determination):
    return ([line.released for tranche in determination.tranches for line in tranche.lines],
            [tranche.released for tranche in determination.tranches], determination.totals.released)


def _priced(scenario):
    return ([line.odds.expected_release for tranche in scenario.tranches for line in tranche.lines],
            [tranche.odds.expected_release for tranche in scenario.tranches],
            scenario.whole_plan.expected_release)


def test_one_draw_with_zero_variance_gives_the_determinations_pounds(plan, rule_set, catalogue):
    determination = determine(plan, rule_set, catalogue, POOL)
    actuals = {(m.metric, m.period): [m.actual.value] for m in determination.metrics}
    scenario = price(plan, determination, rule_set, catalogue, actuals)
    assert _priced(scenario) == _released(determination)
    # and the flags are the determination's: a recovery plan exactly where it needs one
    for odds, tranche in zip(scenario.tranches, determination.tranches, strict=True):
        assert odds.odds.p_recovery_plan == float(bool(tranche.recovery_plan_required))


def _with_actuals(plan: Plan, counts: dict[tuple[str, str], object]) -> Plan:
    metrics = []
    for metric in plan.metrics:
        periods = {period_id: replace(period, actual=counts[(metric.metric, period_id)])
                   for period_id, period in metric.periods.items()}
        metrics.append(replace(metric, periods=periods))
    return replace(plan, metrics=tuple(metrics))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 4000), min_size=2, max_size=2), st.integers(250, 370),
       st.floats(17.0, 21.0, allow_nan=False))
def test_any_draw_is_priced_as_the_determination_prices_that_actual(rule_set, catalogue, rates, successes,
                                                                     mean):
    """Draws of every kind, ties included (an outturn on the plan, on the baseline, on a half penny)."""
    plan = plan_from_json(copy.deepcopy(REQUEST))
    counts = {("delayed_transfers", "april-2015"): Counts(rates[0], 72000),
              ("delayed_transfers", "october-2015"): Counts(rates[1], 72400),
              ("reablement", "october-2015"): Counts(successes, 370),
              ("patient_experience", "october-2015"): Score(mean, 3.0, 400)}
    determination = determine(_with_actuals(plan, counts), rule_set, catalogue, POOL)
    template = determine(without_actuals(plan), rule_set, catalogue, POOL)
    actuals = {(m.metric, m.period): [m.actual.value] for m in determination.metrics}
    assert _priced(price(plan, template, rule_set, catalogue, actuals)) == _released(determination)


def test_ties_are_priced_exactly(plan, rule_set, catalogue):
    """An outturn exactly on the plan (achievement 1) and one at 0.75 of the way (2.7 ÷ 3.6), where a
    float ratio would round a half penny down."""
    template = determine(without_actuals(plan), rule_set, catalogue, POOL)
    results = {(m.metric, m.period): m for m in template.metrics}
    outturns = {}
    for key, m in results.items():
        b, t = m.baseline.value, m.plan
        outturns[key] = [t, b, b + 0.75 * (t - b), b + 0.7 * (t - b), b + 0.6999995 * (t - b)]
    scenario = price(plan, template, rule_set, catalogue, outturns)
    for j in range(5):
        one = {key: [values[j]] for key, values in outturns.items()}
        single = price(plan, template, rule_set, catalogue, one)
        counts = _with_actuals_as_values(plan, one)
        assert _priced(single) == _released(determine(counts, rule_set, catalogue, POOL))
    assert scenario.whole_plan.p_at_least_70 is not None


def _with_actuals_as_values(plan: Plan, values: dict[tuple[str, str], list[float]]) -> Plan:
    """Actuals sent as bare values (the value itself), which the determination takes as they stand."""
    from bcf.plan import BareValue

    return _with_actuals(plan, {key: BareValue(v[0]) for key, v in values.items()})


def test_seeded_draws_reproduce_to_the_penny_and_differ_by_seed(plan, rule_set, catalogue):
    determination = determine(plan, rule_set, catalogue, POOL)
    first = simulate(plan, determination, rule_set, catalogue, SimulationSettings(2000, 11))
    again = simulate(plan, determination, rule_set, catalogue, SimulationSettings(2000, 11))
    other = simulate(plan, determination, rule_set, catalogue, SimulationSettings(2000, 12))
    assert first == again
    assert first.plan != other.plan


def test_probabilities_are_shares_and_the_money_is_ordered(plan, rule_set, catalogue):
    determination = determine(plan, rule_set, catalogue, POOL)
    simulation = simulate(plan, determination, rule_set, catalogue, SimulationSettings(3000, 5))
    for scenario in (simulation.plan, simulation.baseline):
        everything = [scenario.whole_plan] + [t.odds for t in scenario.tranches] + [
            line.odds for t in scenario.tranches for line in t.lines]
        for odds in everything:
            for p in (odds.p_at_least_70, odds.p_at_least_100, odds.p_recovery_plan):
                assert p is None or 0.0 <= p <= 1.0
            assert odds.release_p5 <= odds.expected_release <= odds.release_p95
            if odds.p_at_least_70 is not None:
                assert odds.p_at_least_100 <= odds.p_at_least_70
    # no improvement at all: achievement about 0, a recovery plan nearly always
    assert simulation.baseline.whole_plan.p_recovery_plan > 0.9
    assert simulation.baseline.whole_plan.expected_release < simulation.plan.whole_plan.expected_release
    assert simulation.draws == 3000 and simulation.seed == 5


def _score_plan(target: float, baseline: float = 18.9) -> Plan:
    period = PeriodPlan(Score(baseline, 3.1, 412), target)
    return Plan("E06000001", (MetricPlan("patient_experience", {"october-2015": period},
                                         definition=_definition()),))


def _definition():
    from bcf.plan import MetricDefinition

    return MetricDefinition(name="Satisfied", type="score", polarity="higher")


@settings(max_examples=20, deadline=None)
@given(st.floats(18.95, 21.0), st.floats(0.01, 1.0), st.integers(0, 2**32))
def test_the_odds_of_70_percent_grow_with_the_ambition(rule_set, catalogue, target, step, seed):
    """A score's draws are the planned value plus the same normal errors for one seed, so a plan set
    further from the baseline reaches 70% of its (larger) improvement in at least as many draws."""
    odds = []
    for t in (target, target + step):
        plan = _score_plan(t)
        determination = determine(plan, rule_set, catalogue, POOL)
        odds.append(simulate(plan, determination, rule_set, catalogue, SimulationSettings(500, seed)))
    assert odds[1].plan.whole_plan.p_at_least_70 >= odds[0].plan.whole_plan.p_at_least_70
    for each in odds:
        assert 0.0 <= each.plan.whole_plan.p_at_least_70 <= 1.0


def test_the_odds_grow_with_the_ambition_for_poisson_counts(rule_set, catalogue):
    """Rates: P(≥ 70%) over a grid of plans, each with many draws (a sampling tolerance)."""
    plan = plan_from_json(copy.deepcopy(REQUEST))
    one = replace(plan, metrics=plan.metrics[:1])
    found = []
    for target in (470.0, 465.0, 455.0, 440.0, 420.0):
        periods = {k: replace(v, plan=target) for k, v in one.metrics[0].periods.items()}
        changed = replace(one, metrics=(replace(one.metrics[0], periods=periods),))
        determination = determine(changed, rule_set, catalogue, POOL)
        found.append(simulate(changed, determination, rule_set, catalogue,
                              SimulationSettings(20_000, 3)).plan.whole_plan.p_at_least_70)
    assert all(later >= earlier - 0.01 for earlier, later in zip(found, found[1:], strict=False))
    assert found[-1] > found[0] + 0.2


def test_a_plan_beyond_its_ambition_reaches_70_percent_almost_surely(rule_set, catalogue):
    """A baseline already better than the plan (no improvement asked): under the baseline the outturn
    is at least as good as the plan in every draw, whatever the number of draws."""
    plan = _score_plan(18.0, baseline=18.9)  # higher is better: 18.0 asks for less than 18.9
    determination = determine(plan, rule_set, catalogue, POOL)
    shares = [simulate(plan, determination, rule_set, catalogue, SimulationSettings(draws, 9)
                       ).baseline.whole_plan.p_at_least_70 for draws in (10, 1000, 20_000)]
    assert shares == [1.0, 1.0, 1.0]
    # under the plan itself the outturn is as likely below it as above
    centred = simulate(plan, determination, rule_set, catalogue, SimulationSettings(20_000, 9))
    assert abs(centred.plan.whole_plan.p_at_least_70 - 0.5) < 0.02


def test_an_unassured_plan_releases_nothing_in_any_draw(plan, rule_set, catalogue):
    conditions = replace(plan.conditions, plans_jointly_agreed=None)
    unassured = replace(plan, conditions=conditions)
    determination = determine(unassured, rule_set, catalogue, POOL)
    assert determination.plan_assured is False
    simulation = simulate(unassured, determination, rule_set, catalogue, SimulationSettings(500, 2))
    assert simulation.plan.whole_plan.release_p95 == Decimal("0.00")
    assert simulation.plan.whole_plan.p_recovery_plan is not None


def test_draws_are_bounded(plan, rule_set, catalogue):
    determination = determine(plan, rule_set, catalogue, POOL)
    with pytest.raises(ValueError, match="draws must be from 1 to 100,000"):
        simulate(plan, determination, rule_set, catalogue, SimulationSettings(100_001, 1))


def test_percentiles_are_draws_own_releases(plan, rule_set, catalogue):
    template = determine(without_actuals(plan), rule_set, catalogue, POOL)
    keys = [(m.metric, m.period) for m in template.metrics]
    rng = np.random.default_rng(0)
    outturns = {key: list(m.plan + rng.normal(0, 5, 40)) for key, m in
                zip(keys, template.metrics, strict=True)}
    scenario = price(plan, template, rule_set, catalogue, outturns)
    singles = [price(plan, template, rule_set, catalogue, {k: [v[j]] for k, v in outturns.items()})
               .whole_plan.expected_release for j in range(40)]
    ordered = sorted(singles)
    assert scenario.whole_plan.release_p5 == ordered[1]  # ⌈0.05 × 40⌉ = 2nd smallest
    assert scenario.whole_plan.release_p95 == ordered[37]  # ⌈0.95 × 40⌉ = 38th
    mean = sum(singles) / 40
    assert abs(scenario.whole_plan.expected_release - mean) <= Decimal("0.005")


def test_counts_priced_once_per_count_match_each_draw_priced_on_its_own(plan, rule_set, catalogue):
    """simulate() prices a count-drawn line once per distinct count; price() prices every draw: the
    odds are the same, to the penny, for the same draws."""
    determination = determine(plan, rule_set, catalogue, POOL)
    chosen = SimulationSettings(3000, 21)
    simulation = simulate(plan, determination, rule_set, catalogue, chosen)
    under_plan, under_baseline = draw_outturns(plan, determination, rule_set, catalogue, chosen)
    for scenario, outturns in ((simulation.plan, under_plan), (simulation.baseline, under_baseline)):
        each = price(plan, determination, rule_set, catalogue, outturns)
        assert each.whole_plan == scenario.whole_plan
        assert [t.odds for t in each.tranches] == [t.odds for t in scenario.tranches]
        assert [line.odds for t in each.tranches for line in t.lines] == [
            line.odds for t in scenario.tranches for line in t.lines]


@pytest.mark.parametrize("changes", [
    {"payment_mode": "all_or_nothing"},
    {"rounding": {"quantum": "0.01", "mode": "ROUND_DOWN"}},
    {"rounding": {"quantum": "1", "mode": "ROUND_HALF_EVEN"}},
    {"threshold": "0.75"},
    {"unassessable_metric_share": "redistribute"},
])
def test_other_rules_are_priced_as_the_determination_prices_them(tmp_path, catalogue, changes):
    """A rule set that pays all or nothing, rounds down or to the pound, or sets another threshold:
    every draw still gets the determination's pounds (the vectorised arithmetic follows the rule set)."""
    from tests.bcf.conftest import rule_set_with

    rules = rule_set_with(tmp_path, **changes)
    plan = plan_from_json(copy.deepcopy(REQUEST))
    template = determine(without_actuals(plan), rules, catalogue, POOL)
    rng = np.random.default_rng(17)
    outturns = {}
    for m in template.metrics:
        b, t = m.baseline.value, m.plan
        ties = [t, b, b + 0.75 * (t - b), b + 0.7 * (t - b), b + 0.5 * (t - b)]
        outturns[(m.metric, m.period)] = ties + list(t + (t - b) * rng.normal(0, 0.6, 25))
    scenario = price(plan, template, rules, catalogue, outturns)
    singles = []
    for j in range(30):
        actual = _with_actuals_as_values(plan, {key: [values[j]] for key, values in outturns.items()})
        determination = determine(actual, rules, catalogue, POOL)
        one = price(plan, template, rules, catalogue, {k: [v[j]] for k, v in outturns.items()})
        assert _priced(one) == _released(determination)
        assert one.whole_plan.p_recovery_plan == float(bool(determination.recovery_plan_required))
        singles.append(determination.totals.released)
    assert scenario.whole_plan.release_p95 == sorted(singles)[28]


def test_a_plan_with_no_metric_line_is_its_conditions(rule_set, catalogue):
    plan = replace(plan_from_json(copy.deepcopy(REQUEST)), metrics=())
    determination = determine(plan, rule_set, catalogue, POOL)
    simulation = simulate(plan, determination, rule_set, catalogue, SimulationSettings(50, 1))
    assert simulation.plan.whole_plan.p_at_least_70 is None
    assert simulation.plan.whole_plan.expected_release == sum(
        (t.released for t in determination.tranches if t.released is not None), Decimal(0))


def test_the_revised_schemes_pots_need_no_recovery_plan(revised, catalogue):
    plan = Plan("E06000001", (MetricPlan("non_elective_admissions", {
        quarter: PeriodPlan(BareValue(5000.0), 4800.0) for quarter in revised.periods
        if "non_elective_admissions" in revised.periods[quarter]}),))
    determination = determine(plan, revised, catalogue, POOL)
    simulation = simulate(plan, determination, revised, catalogue, SimulationSettings(2000, 4))
    assert simulation.plan.whole_plan.p_recovery_plan == 0.0
    assert simulation.baseline.whole_plan.p_at_least_70 < 0.05  # 5,000 again is no reduction at all
    assert "Poisson with mean 4,800" in simulation.explanation
