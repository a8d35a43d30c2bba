"""PUT|GET /api/v1/hwbs/{code}/plan and …/actuals/{period}: versions, ETags, If-Match, validation."""

from storage_support import ACTUALS_BAD, HWB_A


def put_plan(client, auth, body, etag=None, key="a"):
    headers = dict(auth[key])
    if etag:
        headers["If-Match"] = etag
    return client.put(f"/api/v1/hwbs/{HWB_A}/plan", json=body, headers=headers)


def test_plan_versions_etags_and_preconditions(client, auth, plan_body):
    assert client.get(f"/api/v1/hwbs/{HWB_A}/plan", headers=auth["a"]).status_code == 404

    first = put_plan(client, auth, plan_body)
    assert first.status_code == 201 and first.headers["ETag"] == '"1"'
    assert first.get_json() == plan_body

    read = client.get(f"/api/v1/hwbs/{HWB_A}/plan", headers=auth["a"])
    assert read.status_code == 200 and read.headers["ETag"] == '"1"' and read.get_json() == plan_body

    changed = {**plan_body, "p4p_pool": 1200000.0}
    missing = put_plan(client, auth, changed)
    assert missing.status_code == 428 and missing.content_type == "application/problem+json"
    assert missing.get_json()["current_version"] == 1

    second = put_plan(client, auth, changed, etag='"1"')
    assert second.status_code == 200 and second.headers["ETag"] == '"2"'

    stale = put_plan(client, auth, {**plan_body, "p4p_pool": 5.0}, etag='"1"')
    assert stale.status_code == 412 and stale.get_json()["current_version"] == 2

    assert client.get(f"/api/v1/hwbs/{HWB_A}/plan", headers=auth["a"]).get_json()["p4p_pool"] == 1200000.0
    old = client.get(f"/api/v1/hwbs/{HWB_A}/plan?version=1", headers=auth["assurance"])
    assert old.status_code == 200 and old.get_json()["p4p_pool"] == 1000000.0 and old.headers["ETag"] == '"1"'
    assert client.get(f"/api/v1/hwbs/{HWB_A}/plan?version=9", headers=auth["a"]).status_code == 404

    versions = client.get(f"/api/v1/hwbs/{HWB_A}/plan/versions", headers=auth["a"]).get_json()
    assert [(v["version"], v["created_by"]) for v in versions] == [(1, "a token"), (2, "a token")]


def test_invalid_plan_lists_every_problem_and_stores_nothing(client, auth, plan_body):
    bad = {**plan_body, "metrics": [
        {"metric": "delayed_transfers", "periods": {"april-2015": {
            "baseline": {"numerator": -1, "denominator": 72000}, "plan": "lots",
            "actual": {"numerator": 1, "denominator": 2}}}},
        {"metric": "no_such_metric", "periods": {}}]}
    response = put_plan(client, auth, bad)
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    # actuals belong to /actuals: said beside every other problem, so one answer lists them all
    errors = response.get_json()["errors"]
    assert errors[0] == {
        "location": "metrics[0].periods.april-2015.actual",
        "message": f"Actuals are stored on their own: PUT /api/v1/hwbs/{HWB_A}/actuals/april-2015."}
    locations = {e["location"] for e in errors}
    assert locations >= {"metrics[0].periods.april-2015.baseline.numerator",
                         "metrics[0].periods.april-2015.plan"}
    assert any(loc.startswith("metrics[1]") for loc in locations)  # the unknown metric, named

    wrong_board = put_plan(client, auth, {**plan_body, "hwb_code": "E06000002"})
    assert wrong_board.status_code == 422 and wrong_board.get_json()["errors"][0]["location"] == "hwb_code"

    assert client.get(f"/api/v1/hwbs/{HWB_A}/plan", headers=auth["a"]).status_code == 404
    audit = client.get("/api/v1/audit?board=" + HWB_A, headers=auth["assurance"]).get_json()
    assert [entry["action"] for entry in audit["items"]] == ["token.create"]  # the test's own token only


def test_plan_without_pool_is_stored(client, auth, plan_body):
    """The pool may come from the allocation table later; storing the plan does not need it."""
    del plan_body["p4p_pool"]
    assert put_plan(client, auth, plan_body).status_code == 201


def test_actuals_versions_and_checks(client, auth, plan_body):
    url = f"/api/v1/hwbs/{HWB_A}/actuals/october-2015"
    before_plan = client.put(url, json=ACTUALS_BAD["october-2015"], headers=auth["a"])
    assert before_plan.status_code == 409 and "plan first" in before_plan.get_json()["detail"]

    put_plan(client, auth, plan_body)
    unknown = client.put(url, json={"residential_admissions": {"numerator": 1, "denominator": 2},
                                    "reablement": {"numerator": -5, "denominator": 1000}}, headers=auth["a"])
    assert unknown.status_code == 422
    # an unknown metric hides nothing: the known one's negative count is reported in the same answer
    assert [e["location"] for e in unknown.get_json()["errors"]] == [
        "residential_admissions", "reablement.numerator"]
    negative = client.put(url, json={"reablement": {"numerator": -5, "denominator": 1000}}, headers=auth["a"])
    assert negative.status_code == 422
    assert [e["location"] for e in negative.get_json()["errors"]] == ["reablement.numerator"]

    first = client.put(url, json=ACTUALS_BAD["october-2015"], headers=auth["a"])
    assert first.status_code == 201 and first.headers["ETag"] == '"1"'
    assert client.put(url, json=ACTUALS_BAD["october-2015"], headers=auth["a"]).status_code == 428
    update = {**ACTUALS_BAD["october-2015"], "reablement": {"numerator": 710, "denominator": 1000}}
    second = client.put(url, json=update, headers={**auth["a"], "If-Match": '"1"'})
    assert second.status_code == 200 and second.headers["ETag"] == '"2"'
    assert client.get(url + "?version=1", headers=auth["a"]).get_json() == ACTUALS_BAD["october-2015"]
    assert client.get(url, headers=auth["assurance"]).get_json() == update

    assert client.get(f"/api/v1/hwbs/{HWB_A}/actuals/april-2015", headers=auth["a"]).status_code == 404
    assert client.get(f"/api/v1/hwbs/{HWB_A}/actuals/may-2016", headers=auth["a"]).status_code == 404


def test_malformed_if_match_is_412(client, auth, plan_body):
    put_plan(client, auth, plan_body)
    assert put_plan(client, auth, plan_body, etag='W/"1"').status_code == 412
    unquoted = put_plan(client, auth, plan_body, etag="1")
    assert unquoted.status_code == 412
    assert unquoted.get_json()["detail"] == \
        'If-Match 1 is not quoted: an ETag is sent as it was given, If-Match: "1".'
    any_version = put_plan(client, auth, plan_body, etag="*")  # would let concurrent writers both win
    assert any_version.status_code == 412 and any_version.get_json()["current_version"] == 1
