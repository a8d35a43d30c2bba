"""The July 2014 revised scheme (rule set bcf-2015-16-revised, issue 13 §3): pots, pro-rata release,
monitored-only metrics, the warnings; and the loader's checks of the new parameters. Pounds by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from bcf.determination import assess_ambitions, determine
from bcf.errors import ReferenceDataError
from bcf.rules import load_rule_set
from bcf.validation import check_plan
from tests.bcf.conftest import ALL_MET, RULES_DIR, plan_from_json

POOL = Decimal("1000000.00")
REVISED_FILE = RULES_DIR / "bcf-2015-16-revised.yaml"


def nea(**quarters):
    return {"metric": "non_elective_admissions", "periods": {
        q.replace("_", "-"): {"baseline": {"value": b}, "plan": t,
                              **({"actual": {"value": a}} if a is not None else {})}
        for q, (b, t, a) in quarters.items()}}


def run(revised, catalogue, *metrics, conditions=ALL_MET):
    plan = plan_from_json({"conditions": conditions, "metrics": list(metrics)})
    return determine(plan, revised, catalogue, POOL)


def test_the_revised_rule_set_is_a_second_rule_set_not_the_current(rule_sets, revised):
    assert rule_sets["bcf-2015-16"].current and not revised.current
    assert [t.id for t in revised.tranches] == [
        "q4-2014-15/non_elective_admissions", "q1-2015-16/non_elective_admissions",
        "q2-2015-16/non_elective_admissions", "q3-2015-16/non_elective_admissions"]
    assert all(t.share is None and t.pot == "planned_reduction_x_average_nea_cost"
               and t.held_back_use == "nhs_out_of_hospital_services" for t in revised.tranches)
    assert revised.average_nea_cost == Decimal("1490") and revised.average_nea_cost_unverified
    assert revised.minimum_reduction == Decimal("0.035")
    q4 = revised.period("q4-2014-15", "non_elective_admissions")
    assert (q4.start, q4.end, q4.baseline_start, q4.baseline_end) == (
        "2015-01", "2015-03", "2014-01", "2014-03")
    assert "average_nea_cost" not in rule_sets["bcf-2015-16"].to_dict()  # the old document is unchanged
    assert revised.to_dict()["average_nea_cost_unverified"] is True


@pytest.mark.parametrize(("actual", "released", "held"), [
    # pot (5,000 − 4,800) × 1,490 = 298,000.00; released 298,000 × (5,000 − A) ÷ 200, clamped to 0–1
    (4800, "298000.00", "0.00"),      # the plan met: all of it
    (4900, "149000.00", "149000.00"),  # half the planned reduction: half the pot
    (4950, "74500.00", "223500.00"),   # a quarter
    (4700, "298000.00", "0.00"),      # beyond the plan: capped at the pot
    (5100, "0.00", "298000.00"),      # more admissions than the baseline: nothing
])
def test_the_pot_is_released_pro_rata_to_the_reduction_achieved(revised, catalogue, actual, released, held):
    result = run(revised, catalogue, nea(q4_2014_15=(5000, 4800, actual)))
    q4 = result.tranches[0]
    assert (q4.available, q4.released, q4.held_back) == (
        Decimal("298000.00"), Decimal(released), Decimal(held))
    assert q4.held_back_use == ("none" if held == "0.00" else "nhs_out_of_hospital_services")
    assert q4.recovery_plan_required is False and result.recovery_plan_required is False
    assert "planned reduction 200" in q4.explanation and "£1,490.00 (unverified)" in q4.explanation


def test_a_plan_that_is_no_reduction_puts_nothing_at_stake(revised, catalogue):
    result = run(revised, catalogue, nea(q4_2014_15=(5000, 5000, 4900)))
    assert result.tranches[0].available == 0
    assert "ambition_not_an_improvement" in {w.code for w in result.warnings}


def test_the_count_has_a_poisson_interval_and_a_change_test(revised, catalogue):
    result = run(revised, catalogue, nea(q4_2014_15=(5000, 4800, 4850)))
    [m] = result.metrics
    assert (m.type, m.significance, m.baseline.method) == ("count", "assessed", "byars")
    assert m.baseline.ci_lower < 5000 < m.baseline.ci_upper and m.change_p_value is not None


def test_a_count_must_be_whole_and_sent_as_a_value(revised, catalogue):
    plan = plan_from_json({"metrics": [nea(q4_2014_15=(5000.5, 4800, None))]})
    assert {p["location"] for p in check_plan(plan, revised, catalogue)} == {
        "metrics[0].periods.q4-2014-15.baseline.value"}
    counts = {"metric": "non_elective_admissions", "periods": {"q4-2014-15": {
        "baseline": {"numerator": 5000, "denominator": 100000}, "plan": 4800}}}
    [problem] = check_plan(plan_from_json({"metrics": [counts]}), revised, catalogue)
    assert "{value}" in problem["message"]


def test_the_other_metrics_are_monitored_only(revised, catalogue):
    monitored = {"metric": "delayed_transfers", "periods": {"april-2015": {
        "baseline": {"numerator": 900, "denominator": 100000}, "plan": 80,
        "actual": {"numerator": 765, "denominator": 100000}}}}
    result = run(revised, catalogue, nea(q4_2014_15=(5000, 4800, 4800)), monitored)
    dt = next(m for m in result.metrics if m.metric == "delayed_transfers")
    assert (dt.tranche, dt.achievement) == (None, 0.75)  # assessed and reported
    assert "monitored only" in dt.explanation
    # no money for the monitored metric
    assert all(line.item == "non_elective_admissions" for t in result.tranches for line in t.lines)
    assert result.totals.available == Decimal("298000.00")


def test_every_answer_says_the_average_cost_is_unverified(revised, catalogue):
    result = run(revised, catalogue, nea(q4_2014_15=(5000, 4800, None)))
    warning = next(w for w in result.warnings if w.code == "average_nea_cost_unverified")
    assert "£1,490.00" in warning.message
    ambitions = assess_ambitions(plan_from_json({"metrics": [nea(q4_2014_15=(5000, 4800, None))]}),
                                 revised, catalogue, POOL)
    assert "average_nea_cost_unverified" in {w.code for w in ambitions.warnings}
    assert ambitions.metrics[0].share == Decimal("298000.00")  # its line is worth its pot


@pytest.mark.parametrize(("plans", "warned"), [
    ((4825, 4441), True),    # (175 + 159) ÷ 9,600 = 3.479% < 3.5%
    ((4825, 4439), False),   # (175 + 161) ÷ 9,600 = 3.5% exactly: not below
    ((4700, 4500), False),
])
def test_a_planned_reduction_below_the_minimum_is_warned_of(revised, catalogue, plans, warned):
    quarters = nea(q4_2014_15=(5000, plans[0], None), q1_2015_16=(4600, plans[1], None))
    result = run(revised, catalogue, quarters)
    codes = [w for w in result.warnings if w.code == "reduction_below_minimum"]
    assert bool(codes) is warned
    if warned:
        assert "3.479%" in codes[0].message and "3.5%" in codes[0].message


def test_a_fund_larger_than_the_pool_is_warned_of(revised, catalogue):
    plan = plan_from_json({"metrics": [nea(q4_2014_15=(50000, 49000, None))]})  # 1,000 × 1,490 = 1,490,000
    result = determine(plan, revised, catalogue, POOL)
    assert "performance_fund_exceeds_pool" in {w.code for w in result.warnings}
    assert "tranche_rounding" not in {w.code for w in result.warnings}


def test_the_existing_rule_set_does_not_measure_non_elective_admissions(rule_set, catalogue):
    plan = plan_from_json({"metrics": [nea(q4_2014_15=(5000, 4800, None))]})
    [problem] = check_plan(plan, rule_set, catalogue)
    assert "does not measure non_elective_admissions in any period" in problem["message"]


def _write(tmp_path, change):
    data = yaml.safe_load(REVISED_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(("change", "complaint"), [
    (lambda d: d.pop("average_nea_cost"), "average_nea_cost: missing"),
    (lambda d: d["average_nea_cost"].update(unverified="yes"),
     "average_nea_cost.unverified: must be true or false"),
    (lambda d: d["tranches"][0]["pot"].update(value="guess"), "tranches[0].pot.value: must be one of"),
    (lambda d: d["tranches"][0].update(share={"description": "x", "reference": "y", "value": "0.25"}),
     "not both"),
    (lambda d: d["tranches"][0]["lines"]["value"].append("delayed_transfers"), "has one line"),
    (lambda d: d["monitored_metrics"]["value"].append("non_elective_admissions"), "paid by a tranche"),
    (lambda d: d["periods"]["value"]["q4-2014-15"]["non_elective_admissions"].update(baseline_end="2014-05"),
     "is not 3 months long"),
])
def test_the_revised_parameters_are_checked(tmp_path, change, complaint):
    with pytest.raises(ReferenceDataError) as caught:
        load_rule_set(_write(tmp_path, change))
    assert complaint in str(caught.value)
