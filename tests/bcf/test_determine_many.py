"""``determine_many`` (the spreadsheet batch) gives each board exactly what ``determine`` gives it alone.

The batch sends every board's metric-periods to ``metrics/`` together, so a board's figures must not
depend on the boards it is computed with: equality of the whole frozen ``Determination`` (every Decimal,
float and explanation string) with the one-board answer, over generated batches covering every count
block (rate and proportion counts, DSR age bands, mean scores, bare values), missing actuals and
histories, and over the hand-worked scenarios all determined in one batch.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bcf.assessment import measure, subjects
from bcf.determination import determine, determine_many
from bcf.errors import InvalidInput
from bcf.validation import check_plan, checked_plan
from tests.bcf.conftest import ALL_MET, plan_from_json
from tests.bcf.test_scenarios import SCENARIOS, load

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

counts = st.integers(0, 6000)
values = st.floats(min_value=0.5, max_value=99, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def rate_block(draw):
    return {"numerator": draw(counts), "denominator": draw(st.integers(100, 500_000))}


@st.composite
def proportion_block(draw):
    denominator = draw(st.integers(1, 3000))
    return {"numerator": draw(st.integers(0, denominator)), "denominator": denominator}


@st.composite
def dsr_block(draw, bands):
    events = [draw(st.integers(0, 400)) for _ in range(bands)]
    events[0] += 10  # a DSR needs at least 10 events in all (validation refuses fewer)
    return {"bands": [{"events": e, "population": draw(st.integers(500, 90_000)),
                       "standard_population": draw(st.sampled_from([1000, 5500, 7000]))} for e in events]}


@st.composite
def score_block(draw):
    return {"mean": draw(st.floats(0, 24).map(lambda x: round(x, 2))),
            "sd": draw(st.floats(0, 6).map(lambda x: round(x, 2))), "n": draw(st.integers(2, 900))}


def blocks_for(kind):
    """A strategy of (baseline, actual) block pairs of one statistic type, or bare values."""
    if kind == "dsr":
        return st.integers(1, 4).flatmap(lambda bands: st.tuples(dsr_block(bands), dsr_block(bands)))
    counted = {"rate": rate_block, "proportion": proportion_block, "score": score_block}[kind]
    return st.one_of(st.tuples(counted(), counted()),
                     st.tuples(values.map(lambda v: {"value": v}), values.map(lambda v: {"value": v})))


# metric → (periods, statistic types it may be sent as, extra fields of its entry)
METRICS = {
    "delayed_transfers": (("april-2015", "october-2015"), ("rate",), {}),
    "avoidable_emergency_admissions": (("april-2015", "october-2015"), ("rate", "dsr"), {}),
    "residential_admissions": (("october-2015",), ("rate",), {}),
    "reablement": (("october-2015",), ("proportion",), {}),
    "patient_experience": (("october-2015",), ("proportion",), {"definition": {
        "name": "Involved in care", "type": "proportion", "polarity": "higher"}}),
}
LOCALS = {"NHSOF-2.1": ("proportion",), "ASCOF-1A": ("score",), "PHOF-2.24i": ("rate", "dsr")}


@st.composite
def period(draw, kind):
    baseline, actual = draw(blocks_for(kind))
    most = 100 if kind == "proportion" else 5000  # a proportion's plan is a percentage
    entry = {"baseline": baseline, "plan": draw(st.floats(0, most).map(lambda x: round(x, 2)))}
    if draw(st.integers(0, 4)):  # now and then the actual is not in yet
        entry["actual"] = actual
    if draw(st.booleans()):
        entry["history"] = draw(st.lists(values, min_size=0, max_size=5))
    return entry


@st.composite
def plans(draw):
    entries = []
    for metric, (periods, kinds, extra) in METRICS.items():
        chosen = draw(st.lists(st.sampled_from(periods), unique=True, max_size=len(periods)))
        if chosen:
            kind = draw(st.sampled_from(kinds))
            entries.append({"metric": metric, "periods": {p: draw(period(kind)) for p in chosen}, **extra})
    local = draw(st.sampled_from([None, *LOCALS]))
    chosen = draw(st.lists(st.sampled_from(("april-2015", "october-2015")), unique=True, max_size=2))
    if local is not None and chosen:
        kind = draw(st.sampled_from(LOCALS[local]))
        entries.append({"metric": "local", "local_metric": local,
                        "periods": {p: draw(period(kind)) for p in chosen}})
    entries = draw(st.permutations(entries))
    conditions = draw(st.one_of(st.none(), st.fixed_dictionaries(
        {}, optional={name: st.sampled_from([evidence, {}]) for name, evidence in ALL_MET.items()})))
    code = draw(st.sampled_from(["E06000001", "E08000021", "E09000033"]))
    return plan_from_json({"hwb_code": code, "metrics": entries, "conditions": conditions})


pools = st.integers(0, 10**11).map(lambda pennies: Decimal(pennies) / 100)


@SETTINGS
@given(batch=st.lists(st.tuples(plans(), pools), min_size=1, max_size=6))
def test_each_board_of_a_batch_is_determined_as_alone(rule_set, catalogue, batch):
    for plan, _ in batch:
        assume(not check_plan(plan, rule_set, catalogue))
    together = determine_many([p for p, _ in batch], rule_set, catalogue, [pool for _, pool in batch])
    alone = [determine(plan, rule_set, catalogue, pool) for plan, pool in batch]
    assert together == alone
    # as the upload sends them: plans already checked by the calculator's validation
    checked = [checked_plan(plan, rule_set, catalogue)[0] for plan, _ in batch]
    assert determine_many(checked, rule_set, catalogue, [pool for _, pool in batch]) == alone


@pytest.mark.parametrize("rule_set_id", ["bcf-2015-16", "bcf-2015-16-revised"])
def test_the_scenarios_determined_in_one_batch_are_each_as_alone(rule_sets, catalogue, rule_set_id):
    rule_set = rule_sets[rule_set_id]
    scenarios = [load(path) for path in SCENARIOS]
    batch = [(plan_from_json(s["request"]), Decimal(s["p4p_pool"])) for s in scenarios
             if not s.get("rule_set_changes")
             and (s["request"].get("rule_set") or "bcf-2015-16") == rule_set_id]
    assert len(batch) >= 3
    together = determine_many([p for p, _ in batch], rule_set, catalogue, [pool for _, pool in batch])
    assert together == [determine(plan, rule_set, catalogue, pool) for plan, pool in batch]
    assert [d.hwb_code for d in together] == [p.hwb_code for p, _ in batch]


def test_each_plan_is_handed_its_own_statistics(rule_set, catalogue):
    """``bcf.assessment.measure`` measures plans together and gives each plan the statistics of its own
    metric-periods, in its subjects' order, as if measured alone: also a plan sent twice."""
    plans = [plan_from_json(s["request"]) for s in map(load, SCENARIOS)
             if not s.get("rule_set_changes") and not s["request"].get("rule_set")]
    plans = [plan for plan in plans if not check_plan(plan, rule_set, catalogue)]
    each_metric_periods = [subjects(plan, rule_set, catalogue) for plan in plans]
    alone = [measure([metric_periods], rule_set, catalogue)[0] for metric_periods in each_metric_periods]
    assert measure(each_metric_periods, rule_set, catalogue) == alone
    first = each_metric_periods[0]
    assert measure([first, first], rule_set, catalogue) == [alone[0], alone[0]]
    assert [len(measured) for measured in alone] == [len(periods) for periods in each_metric_periods]
    without_actuals = measure(each_metric_periods, rule_set, catalogue, with_actuals=False)
    assert all(measured.actual is None and measured.change_p_value is None
               for plan in without_actuals for measured in plan)


def test_one_invalid_board_refuses_the_batch(rule_set, catalogue):
    good = plan_from_json({"hwb_code": "E06000001", "metrics": [{"metric": "delayed_transfers", "periods": {
        "april-2015": {"baseline": {"numerator": 3100, "denominator": 72000}, "plan": 440}}}]})
    bad = plan_from_json({"hwb_code": "E08000021", "metrics": [{"metric": "no_such_metric", "periods": {}}]})
    with pytest.raises(InvalidInput) as caught:
        determine_many([good, bad], rule_set, catalogue, [Decimal(1000), Decimal(1000)])
    assert caught.value.problems and "metrics[0]" in caught.value.problems[0]["location"]


def test_pools_must_match_plans(rule_set, catalogue):
    with pytest.raises(ValueError, match="2 plans but 1 pools"):
        determine_many([plan_from_json({"hwb_code": "E06000001", "metrics": []})] * 2, rule_set, catalogue,
                       [Decimal(1)])


def test_an_empty_batch_is_empty(rule_set, catalogue):
    assert determine_many([], rule_set, catalogue, []) == []
