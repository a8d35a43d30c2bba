"""Properties over generated plans (hypothesis): the money always adds up, to the penny, whatever the plan.

- each tranche's lines add up to the tranche; released + held back = available; 0 ≤ released ≤ available;
- the order of ``metrics`` in the request changes nothing;
- a better actual never releases less.
Run under all four combinations of payment_mode and unassessable_metric_share (second rule-set files).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bcf.determination import determine
from bcf.money import ZERO
from tests.bcf.conftest import ALL_MET, plan_from_json, rule_set_with

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PERIODS = {
    "residential_admissions": ("october-2015",),
    "reablement": ("october-2015",),
    "delayed_transfers": ("april-2015", "october-2015"),
    "avoidable_emergency_admissions": ("april-2015", "october-2015"),
    "patient_experience": ("october-2015",),
    "local": ("april-2015", "october-2015"),
}
HIGHER = {"reablement", "patient_experience", "local"}  # local here is NHSOF-2.1 (higher is better)


@pytest.fixture(scope="module")
def rule_sets(tmp_path_factory):
    found = {}
    for mode in ("pro_rata", "all_or_nothing"):
        for share in ("held_back", "redistribute"):
            found[(mode, share)] = rule_set_with(
                tmp_path_factory.mktemp(f"{mode}-{share}"), payment_mode=mode, unassessable_metric_share=share
            )
    return found


values = st.floats(min_value=1, max_value=99, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def period_plans(draw, metric):
    if metric in ("delayed_transfers", "residential_admissions") and draw(st.booleans()):
        denominator = draw(st.integers(100, 500_000))
        baseline = {"numerator": draw(st.integers(0, 5000)), "denominator": denominator}
        actual = {"numerator": draw(st.integers(0, 5000)), "denominator": denominator}
        plan = draw(st.floats(min_value=0, max_value=5000, allow_nan=False))
    elif metric == "local" and draw(st.booleans()):
        denominator = draw(st.integers(1, 3000))
        baseline = {"numerator": draw(st.integers(0, denominator)), "denominator": denominator}
        actual = {"numerator": draw(st.integers(0, denominator)), "denominator": denominator}
        plan = draw(values)
    else:
        baseline, actual, plan = {"value": draw(values)}, {"value": draw(values)}, draw(values)
    period = {"baseline": baseline, "plan": plan}
    if draw(st.integers(0, 5)):  # now and then the actual is not in yet
        period["actual"] = actual
    if draw(st.booleans()):
        period["history"] = draw(st.lists(values, min_size=0, max_size=5))
    return period


@st.composite
def requests(draw):
    metrics = []
    for metric, periods in PERIODS.items():
        chosen = draw(st.lists(st.sampled_from(periods), unique=True, max_size=len(periods)))
        if not chosen:
            continue
        entry = {"metric": metric, "periods": {p: draw(period_plans(metric)) for p in chosen}}
        if metric == "local":
            entry["local_metric"] = "NHSOF-2.1"
        if metric == "patient_experience":
            entry["definition"] = {"name": "Involved in care", "type": "proportion", "polarity": "higher"}
        metrics.append(entry)
    conditions = draw(
        st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {}, optional={name: st.sampled_from([evidence, {}]) for name, evidence in ALL_MET.items()}
            ),
        )
    )
    pool = Decimal(draw(st.integers(0, 10**11))) / 100
    return {"metrics": metrics, "conditions": conditions}, pool


modes = st.sampled_from(
    [
        ("pro_rata", "held_back"),
        ("pro_rata", "redistribute"),
        ("all_or_nothing", "held_back"),
        ("all_or_nothing", "redistribute"),
    ]
)


@SETTINGS
@given(request=requests(), mode=modes)
def test_the_money_adds_up_to_the_penny(rule_sets, catalogue, request, mode):
    raw, pool = request
    result = determine(plan_from_json(raw), rule_sets[mode], catalogue, pool)
    for tranche in result.tranches:
        assert sum((line.available for line in tranche.lines), ZERO) == tranche.available
        for line in tranche.lines:
            assert line.available >= 0
            if line.released is not None:
                assert line.released + line.held_back == line.available
                assert ZERO <= line.released <= line.available
        if tranche.released is None:
            assert tranche.status == "pending" and tranche.held_back is None
            assert any(line.released is None for line in tranche.lines)
        else:
            assert tranche.released == sum((line.released for line in tranche.lines), ZERO)
            assert tranche.held_back == sum((line.held_back for line in tranche.lines), ZERO)
            assert tranche.released + tranche.held_back == tranche.available
            assert ZERO <= tranche.released <= tranche.available
            assert (tranche.held_back_use == "none") is (
                tranche.held_back == 0 and result.plan_assured is not False
            )
    assert result.totals.available == sum((t.available for t in result.tranches), ZERO)
    assert abs(result.totals.available - pool) <= Decimal("0.02")  # three tranche roundings
    if result.totals.released is not None:
        assert result.totals.released + result.totals.held_back == result.totals.available
    if result.plan_assured is False:
        assert result.totals.released in (None, ZERO) or result.totals.released == ZERO
        assert all(t.released == ZERO for t in result.tranches)


@SETTINGS
@given(request=requests(), mode=modes, data=st.data())
def test_the_order_of_metrics_changes_nothing(rule_sets, catalogue, request, mode, data):
    raw, pool = request
    shuffled = dict(raw, metrics=data.draw(st.permutations(raw["metrics"])))
    rule_set = rule_sets[mode]
    assert determine(plan_from_json(shuffled), rule_set, catalogue, pool) == determine(
        plan_from_json(raw), rule_set, catalogue, pool
    )


def improved(period, metric, step):
    """The same period with a better actual (by ``step`` in value, or by count)."""
    actual = dict(period["actual"])
    if "value" in actual:
        # every metric here is a rate (at least 0) or a percentage (at most 100)
        if metric in HIGHER:
            actual["value"] = min(round(actual["value"] + step, 3), 100.0)
        else:
            actual["value"] = max(round(actual["value"] - step, 3), 0.0)
    elif metric in HIGHER:
        actual["numerator"] = min(actual["numerator"] + int(step), actual["denominator"])
    else:
        actual["numerator"] = max(actual["numerator"] - int(step), 0)
    return dict(period, actual=actual)


@SETTINGS
@given(request=requests(), mode=modes, data=st.data())
def test_a_better_actual_never_releases_less(rule_sets, catalogue, request, mode, data):
    raw, pool = request
    candidates = [
        (i, p)
        for i, m in enumerate(raw["metrics"])
        for p, period in m["periods"].items()
        if "actual" in period
    ]
    if not candidates:
        return
    i, period_id = data.draw(st.sampled_from(candidates))
    metric = raw["metrics"][i]
    step = (
        data.draw(st.floats(min_value=0.001, max_value=50))
        if "value" in metric["periods"][period_id]["actual"]
        else data.draw(st.integers(1, 500))
    )
    better_metric = dict(
        metric,
        periods=dict(
            metric["periods"], **{period_id: improved(metric["periods"][period_id], metric["metric"], step)}
        ),
    )
    better = dict(raw, metrics=[better_metric if j == i else m for j, m in enumerate(raw["metrics"])])
    rule_set = rule_sets[mode]
    before = determine(plan_from_json(raw), rule_set, catalogue, pool)
    after = determine(plan_from_json(better), rule_set, catalogue, pool)
    for old, new in zip(before.tranches, after.tranches, strict=True):
        for old_line, new_line in zip(old.lines, new.lines, strict=True):
            if old_line.released is not None:
                assert new_line.released >= old_line.released, (old.tranche, old_line.item)
        if old.released is not None:
            assert new.released >= old.released
