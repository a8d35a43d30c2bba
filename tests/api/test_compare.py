"""POST /api/v1/calculations/compare: one board's plan under both rule sets side by side (issue 13 §3)."""

from __future__ import annotations

import pytest

from tests.bcf.conftest import ALL_MET

BODY = {"hwb_code": "E06000001", "p4p_pool": 1000000.00, "conditions": ALL_MET, "metrics": [
    {"metric": "non_elective_admissions", "periods": {
        "q4-2014-15": {"baseline": {"value": 5000}, "plan": 4800, "actual": {"value": 4850}}}},
    {"metric": "delayed_transfers", "periods": {"april-2015": {
        "baseline": {"numerator": 900, "denominator": 100000}, "plan": 80,
        "actual": {"numerator": 765, "denominator": 100000}}}}]}


def test_both_rule_sets_side_by_side_by_default(client):
    response = client.post("/api/v1/calculations/compare", json=BODY)
    assert response.status_code == 200
    body = response.get_json()
    assert [r["rule_set"] for r in body["rule_sets"]] == ["bcf-2015-16", "bcf-2015-16-revised"]
    current, revised = body["rule_sets"]
    # the original scheme does not measure non_elective_admissions: left out for it, and only for it
    assert current["left_out"] == [{"metric": "non_elective_admissions", "period": "q4-2014-15"}]
    assert revised["left_out"] == []
    # each answer is what /calculations gives for the body under that rule set
    alone = client.post("/api/v1/calculations", json={**BODY, "metrics": BODY["metrics"][1:]}).get_json()
    assert current["determination"] == alone
    assert revised["determination"] == client.post(
        "/api/v1/calculations", json={**BODY, "rule_set": "bcf-2015-16-revised"}).get_json()
    # pot 200 × £1,490 = £298,000.00; (5,000 − 4,850) ÷ 200 = 0.75 -> £223,500.00
    assert revised["determination"]["totals"] == {
        "available": 298000.0, "released": 223500.0, "held_back": 74500.0}
    assert "average_nea_cost_unverified" in {w["code"] for w in revised["determination"]["warnings"]}


def test_rule_sets_chooses_and_orders(client):
    body = client.post("/api/v1/calculations/compare",
                       json={**BODY, "rule_sets": ["bcf-2015-16-revised"]}).get_json()
    assert [r["rule_set"] for r in body["rule_sets"]] == ["bcf-2015-16-revised"]


@pytest.mark.parametrize(("rule_sets", "location"), [
    (["bcf-2099"], "rule_sets[0]"), (["bcf-2015-16", "bcf-2015-16"], "rule_sets[1]"),
    ("bcf-2015-16", "rule_sets"),
    ([], "rule_sets")])
def test_bad_rule_sets_are_refused(client, rule_sets, location):
    response = client.post("/api/v1/calculations/compare", json={**BODY, "rule_sets": rule_sets})
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert location in {e["location"] for e in response.get_json()["errors"]}


def test_a_period_no_rule_set_measures_is_still_an_error(client):
    metrics = [{"metric": "non_elective_admissions", "periods": {
        "q4-2014-15": {"baseline": {"value": 5000}, "plan": 4800},
        "q9-2099": {"baseline": {"value": 1}, "plan": 1}}}]
    response = client.post("/api/v1/calculations/compare", json={**BODY, "metrics": metrics})
    assert response.status_code == 422
    assert {e["location"] for e in response.get_json()["errors"]} == {"metrics[0].periods.q9-2099"}


def test_the_endpoint_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    post = spec["paths"]["/api/v1/calculations/compare"]["post"]
    assert set(post["responses"]) >= {"200", "422"}
    request = spec["components"]["schemas"]["CompareRequest"]["properties"]
    assert "rule_sets" in request and "metrics" in request
    assert "left_out" in spec["components"]["schemas"]["Compared"]["properties"]
