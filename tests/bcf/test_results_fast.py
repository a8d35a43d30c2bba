"""The cheaper results, sentences and money of fast-bcf answer exactly what the code before it answered
(``determination_before``, a verbatim copy): every field of every ``Determination``, compared by ``repr``
(so a Decimal's exponent, a float's last bit and every character of every explanation count), over
generated plans of every count block, bare values, missing actuals, histories and conditions evidence,
under the four combinations of payment_mode and unassessable_metric_share, and the hand-worked scenarios.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bcf.assessment import assess_many, subjects
from bcf.determination import determine_many
from bcf.errors import InvalidInput
from bcf.money import exact_decimal
from bcf.tranches import below
from bcf.validation import check_plan
from tests.bcf import determination_before as before
from tests.bcf.conftest import plan_from_json, rule_set_with
from tests.bcf.test_determine_many import plans
from tests.bcf.test_properties import requests
from tests.bcf.test_scenarios import SCENARIOS, load

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
MODES = [(mode, share) for mode in ("pro_rata", "all_or_nothing") for share in ("held_back", "redistribute")]


@pytest.fixture(scope="module")
def rule_sets(tmp_path_factory):
    return {
        (mode, share): rule_set_with(
            tmp_path_factory.mktemp(f"{mode}-{share}"), payment_mode=mode, unassessable_metric_share=share
        )
        for mode, share in MODES
    }


pools = st.one_of(
    st.integers(0, 10**11).map(lambda pennies: Decimal(pennies) / 100),
    st.sampled_from([Decimal("0.00"), Decimal("0.01"), Decimal("0.05"), Decimal("999999.99"), Decimal("7")]),
)


def same_as_before(plans_, rule_set, catalogue, pools_, sound=assume) -> None:
    for plan in plans_:
        sound(not check_plan(plan, rule_set, catalogue))
    now = determine_many(plans_, rule_set, catalogue, pools_)
    then = before.determine_many(plans_, rule_set, catalogue, pools_)
    assert [repr(d) for d in now] == [repr(d) for d in then]
    # setting ambitions: the same assessment without actuals
    subjects_ = [subjects(plan, rule_set, catalogue) for plan in plans_]
    now_a = assess_many(subjects_, rule_set, catalogue, with_actuals=False)
    then_a = before.assess_many(subjects_, rule_set, catalogue, with_actuals=False)
    assert repr([([a.result for a in r], w) for r, w in now_a]) == repr(
        [([a.result for a in r], w) for r, w in then_a])
    assert [[(a.achievement_text, a.unrounded_achievement) for a in r] for r, _ in now_a] == [
        [(a.achievement_text, a.unrounded_achievement) for a in r] for r, _ in then_a]


@SETTINGS
@given(batch=st.lists(st.tuples(plans(), pools), min_size=1, max_size=4), mode=st.sampled_from(MODES))
def test_batches_of_every_count_block_as_before(rule_sets, catalogue, batch, mode):
    same_as_before([p for p, _ in batch], rule_sets[mode], catalogue, [pool for _, pool in batch])


@SETTINGS
@given(request=requests(), mode=st.sampled_from(MODES))
@example(request=({"metrics": [], "conditions": None}, Decimal("0.01")), mode=MODES[1])
def test_bare_values_and_conditions_as_before(rule_sets, catalogue, request, mode):
    raw, pool = request
    raw = {"hwb_code": "E06000001", **raw}
    same_as_before([plan_from_json(raw)], rule_sets[mode], catalogue, [pool])


def test_the_scenarios_as_before(rule_set, catalogue):
    scenarios = [load(path) for path in SCENARIOS]
    batch = [(plan_from_json(s["request"]), Decimal(s["p4p_pool"])) for s in scenarios
             if not s.get("rule_set_changes")]
    assert len(batch) >= 5
    same_as_before([p for p, _ in batch], rule_set, catalogue, [pool for _, pool in batch], sound=check)


def check(sound: bool) -> None:
    assert sound



def outcome(determine, plan, rule_set, catalogue):
    try:
        return repr(determine([plan], rule_set, catalogue, [Decimal("1000.00")]))
    except InvalidInput as error:
        return error.problems


@pytest.mark.parametrize("baseline, plan, actual", [
    ({"value": 0.0}, 5e-324, {"value": 1e300}),  # achievement overflows
    ({"value": 1e-300}, 2e-300, {"value": 1e308}),
    ({"numerator": 1e12, "denominator": 1e-300}, 5.0, {"numerator": 1, "denominator": 100}),  # a rate
    ({"numerator": 10, "denominator": 100}, 5.0, {"numerator": 1e12, "denominator": 1e-300}),
    ({"value": 5.0}, 4.0, {"value": 3.0}),  # all finite
])
def test_figures_no_float_can_hold_are_refused_as_before(rule_set, catalogue, baseline, plan, actual):
    raw = {"hwb_code": "E06000001", "metrics": [
        {"metric": "delayed_transfers", "periods": {"april-2015": {
            "baseline": baseline, "plan": plan, "actual": actual}}},
        {"metric": "residential_admissions", "periods": {"october-2015": {
            "baseline": {"value": 5.0}, "plan": 4.0, "actual": {"value": 4.5}}}},
    ], "conditions": None}
    plan_ = plan_from_json(raw)
    now = outcome(determine_many, plan_, rule_set, catalogue)
    assert now == outcome(before.determine_many, plan_, rule_set, catalogue)
    assert isinstance(now, list) == (plan != 4.0)  # the extreme plans are refused


thresholds = st.one_of(
    st.decimals(0, 1, places=2), st.decimals(0, 1, places=6), st.decimals(0, 1),
    st.sampled_from([Decimal("0.7"), Decimal("0"), Decimal("1"), Decimal("0.70000000000000000001"),
                     Decimal("0.69999999999999999999"), Decimal("1E-400"), Decimal("0.1")]),
)


@settings(max_examples=3000, deadline=None)
@given(thresholds, st.data())
def test_below_the_threshold_is_decided_as_written_out(threshold, data):
    near = float(threshold)
    achievement = data.draw(st.one_of(
        st.floats(allow_nan=False),
        st.floats(-2, 2),
        st.integers(-60, 60).map(lambda k: near + k * 2.0**-52 * max(abs(near), 1e-300)),
        st.integers(-3000, 3000).map(lambda k: round(near + k * 1e-9, 9)),
        st.integers(-2000, 2000).map(lambda k: round(near * (1 + k * 1e-9), 6)),
    ))
    assert below(achievement, threshold, near) == (exact_decimal(achievement) < threshold)
