"""Well-formed plans with awkward numbers (zeros, ties, tiny and huge counts) answer 200 or 422, never 5xx.

Generated plans keep api.md's shape and vary the numbers over their whole accepted range, so the
determination is exercised where statistics break down: zero events, a proportion of 0 or 1, a score
with no spread, a plan equal to its baseline, a flat history.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import create_app

COUNT = st.one_of(st.sampled_from([0, 1, 9, 10, 11, 100]), st.integers(min_value=0, max_value=10**9))
POSITIVE = st.one_of(st.sampled_from([1, 2, 10, 100]), st.integers(min_value=1, max_value=10**9))
VALUE = st.one_of(st.sampled_from([0.0, 1.0, 50.0, 100.0]),
                  st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    no_table = tmp_path_factory.mktemp("edge") / "allocations.csv"  # not the operator's (issue 15)
    return create_app({"TESTING": True, "ALLOCATIONS_FILE": str(no_table)}).test_client()


@st.composite
def counts(draw, proportion=False):
    denominator = draw(POSITIVE)
    numerator = draw(st.integers(min_value=0, max_value=denominator)) if proportion else draw(COUNT)
    return {"numerator": numerator, "denominator": denominator}


@st.composite
def score(draw):
    return {"mean": draw(VALUE), "sd": draw(st.sampled_from([0.0, 0.5, 3.0])),
            "n": draw(st.integers(min_value=2, max_value=10**6))}


@st.composite
def bands(draw):
    rows = draw(st.lists(st.tuples(COUNT, POSITIVE, POSITIVE), min_size=1, max_size=4))
    return {"bands": [{"events": e, "population": p, "standard_population": w} for e, p, w in rows]}


def period(block):
    return st.fixed_dictionaries(
        {"baseline": block, "plan": VALUE},
        optional={"actual": block, "history": st.lists(VALUE, max_size=5)},
    )


PLANS = st.fixed_dictionaries({
    "hwb_code": st.just("E06000001"),
    "p4p_pool": st.one_of(st.just(0), st.decimals(min_value=0, max_value=10**9, places=2).map(str)),
    "metrics": st.tuples(
        st.fixed_dictionaries({"metric": st.just("delayed_transfers"), "periods": st.fixed_dictionaries(
            {}, optional={"april-2015": period(counts()), "october-2015": period(counts())})}),
        st.fixed_dictionaries({"metric": st.just("avoidable_emergency_admissions"), "periods":
                               st.fixed_dictionaries({"october-2015": period(bands())})}),
        st.fixed_dictionaries({"metric": st.just("reablement"), "periods": st.fixed_dictionaries(
            {"october-2015": period(counts(proportion=True))})}),
        st.fixed_dictionaries({"metric": st.just("patient_experience"), "definition": st.just(
            {"name": "Felt involved", "type": "score", "polarity": "higher"}),
            "periods": st.fixed_dictionaries({"october-2015": period(score())})}),
        st.fixed_dictionaries({"metric": st.just("local"), "local_metric": st.just("PHOF-2.24i"),
                               "periods": st.fixed_dictionaries({"april-2015": period(st.fixed_dictionaries(
                                   {"value": VALUE}))})}),
    ).map(list),
})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=PLANS)
def test_generated_plans_never_crash(client, plan):
    for endpoint in ("/api/v1/calculations", "/api/v1/ambitions"):
        response = client.post(endpoint, data=json.dumps(plan), content_type="application/json")
        assert response.status_code in (200, 422), response.get_data(as_text=True)[:2000]
        if response.status_code == 200 and endpoint.endswith("calculations"):
            body = response.get_json()
            # §8 rounds each of the three tranches to the penny: the total is within 1.5p of the pool
            assert body["totals"]["available"] == pytest.approx(float(plan["p4p_pool"]), abs=0.0151)
