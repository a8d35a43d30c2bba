"""Errors are problem+json with every problem at once, each at its JSON path; none is ever a 5xx."""

from __future__ import annotations

import json

import pytest
from calc_example import request

PROBLEM = "application/problem+json"


def post_raw(client, text: str | bytes, content_type: str = "application/json"):
    return client.post("/api/v1/calculations", data=text, content_type=content_type)


def assert_problem(response, status: int, slug: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["type"] == (f"/api/v1/problems/{slug}" if slug else "about:blank")
    for entry in body.get("errors", []):
        assert set(entry) == {"location", "message"} and entry["message"]
    return body


def test_every_problem_at_once_with_exact_locations(client):
    body = request()
    april = body["metrics"][0]["periods"]["april-2015"]
    april["baseline"]["numerator"] = "lots"  # not a number
    april["plan"] = 1e308  # absurd magnitude
    body["metrics"][0]["periods"]["october-2015"]["history"] = [510.2, True, 480.3]  # a boolean
    body["metrics"] += [
        {"metric": "avoidable_emergency_admissions", "periods": {"april-2015": {
            "baseline": {"numerator": 10, "denominator": 1000, "value": 5}, "plan": 1}}},  # mixed blocks
        {"metric": "delayed_transfer", "periods": {"april-2015": {  # misspelt metric (cross-reference)
            "baseline": {"numerator": 10, "denominator": 1000}, "plan": 1}}},
        {"metric": "reablement", "periods": {"october-2015": {  # a proportion above its denominator
            "baseline": {"numerator": 900, "denominator": 800}, "plan": 80.0}}},
        {"metric": "local", "local_metric": "PHOF-2.24i", "periods": {"october-2015": {
            "baseline": {"numerator": 10, "denominator": 1000}, "plan": 1,
            "actual": {"numerator": 10, "denominatr": 1000}}}},  # misspelt key in a block
    ]
    body["conditions"]["seven_day_services"] = {"confirmed": False}  # no explanation
    body["conditions"]["data_sharing"]["open_apis_plannd_date"] = "2015-03-31"  # misspelt field
    body["conditions"]["joint_assessment"]["case_managed_proportion"] = 4  # not 0–1
    body["unexpected"] = 1

    text = json.dumps(body).replace('"p4p_pool": 1000000.0', '"p4p_pool": NaN')
    problem = assert_problem(post_raw(client, text), 422, "invalid-input")
    locations = [e["location"] for e in problem["errors"]]
    assert sorted(locations) == sorted([
        "metrics[0].periods.april-2015.baseline.numerator",
        "metrics[0].periods.april-2015.plan",
        "metrics[0].periods.october-2015.history[1]",
        "metrics[1].periods.april-2015.baseline",
        "metrics[2].metric",
        "metrics[3].periods.october-2015.baseline.numerator",
        "metrics[4].periods.october-2015.actual.denominatr",
        "metrics[4].periods.october-2015.actual.denominator",
        "conditions.seven_day_services.explanation",
        "conditions.data_sharing.open_apis_plannd_date",
        "conditions.joint_assessment.case_managed_proportion",
        "p4p_pool",
        "unexpected",
    ])
    messages = {e["location"]: e["message"] for e in problem["errors"]}
    assert "NaN" in messages["p4p_pool"]
    assert "too large" in messages["metrics[0].periods.april-2015.plan"]
    assert "Ambiguous" in messages["metrics[1].periods.april-2015.baseline"]
    assert "value" in messages["metrics[1].periods.april-2015.baseline"]
    assert "unknown metric" in messages["metrics[2].metric"]
    assert "cannot exceed" in messages["metrics[3].periods.october-2015.baseline.numerator"]
    assert messages["conditions.data_sharing.open_apis_plannd_date"] == "Unknown field."
    assert "explanation" in messages["conditions.seven_day_services.explanation"]
    assert "13 problems" in problem["detail"]


def test_unknown_rule_set_is_422_listing_the_known_ids(client):
    body = request()
    body["rule_set"] = "bcf-2016-17"
    problem = assert_problem(client.post("/api/v1/calculations", json=body), 422, "unknown-rule-set")
    assert "bcf-2015-16" in problem["detail"] and "bcf-2016-17" in problem["detail"]
    assert [e["location"] for e in problem["errors"]] == ["rule_set"]
    assert "bcf-2015-16" in problem["errors"][0]["message"]


def test_unknown_rule_set_among_other_problems_is_listed_with_them(client):
    body = request()
    body["rule_set"] = "bcf-2016-17"
    body["metrics"][0]["periods"]["april-2015"]["plan"] = "x"
    problem = assert_problem(client.post("/api/v1/calculations", json=body), 422, "invalid-input")
    assert {e["location"] for e in problem["errors"]} == {"rule_set", "metrics[0].periods.april-2015.plan"}


def test_missing_blocks_and_required_fields(client):
    problem = assert_problem(client.post("/api/v1/calculations", json={
        "metrics": [{"metric": "delayed_transfers", "periods": {"april-2015": {"plan": 1}}}, {}]}), 422,
        "invalid-input")
    assert sorted(e["location"] for e in problem["errors"]) == [
        "hwb_code", "metrics[0].periods.april-2015.baseline", "metrics[1].metric", "metrics[1].periods"]


@pytest.mark.parametrize("value, fragment", [
    ("NaN", "NaN"), ("Infinity", "NaN and Infinity"), ("-Infinity", "NaN and Infinity"),
    ("1e308", "too large"), ("1e400", "NaN and Infinity"), ("1" + "0" * 400, "too large"),
    ("true", "Not a valid number"), ('"12abc"', "Not a valid number"), ("-5", "at least 0"),
])
def test_non_finite_and_absurd_numbers_are_named(client, value, fragment):
    text = json.dumps(request()).replace('"numerator": 3100', f'"numerator": {value}')
    problem = assert_problem(post_raw(client, text), 422, "invalid-input")
    assert [e["location"] for e in problem["errors"]] == ["metrics[0].periods.april-2015.baseline.numerator"]
    assert fragment in problem["errors"][0]["message"]


def test_malformed_json_is_a_400_problem_naming_the_line_and_column(client):
    problem = assert_problem(post_raw(client, '{"hwb_code": "E06000001",\n  "metrics": [}'), 400)
    assert problem["detail"] == "The body is not valid JSON: Expecting value at line 2, column 15."
    problem = assert_problem(post_raw(client, b'{"hwb_code": "\xff"}'), 400)
    assert problem["detail"] == "The body is not valid JSON: not UTF-8 at byte 14."


@pytest.mark.parametrize("code", ["'; DROP TABLE x; --", "e06000001", "E0600000", "E060000011",
                                  "E06000001\n"])
def test_a_malformed_board_code_is_refused_even_with_a_pool(client, code):
    problem = assert_problem(client.post("/api/v1/calculations", json=request() | {"hwb_code": code}), 422,
                             "invalid-input")
    assert problem["errors"] == [{"location": "hwb_code",
                                  "message": "Must be a board's ONS code: E and 8 digits, as E06000001."}]


def test_a_well_formed_unknown_board_is_calculated_with_its_pool(client):
    response = client.post("/api/v1/calculations", json=request() | {"hwb_code": "E99999999"})
    assert response.status_code == 200 and response.get_json()["hwb_code"] == "E99999999"


def test_deeply_nested_json_is_a_400_problem(client):
    assert_problem(post_raw(client, "[" * 100_000 + "]" * 100_000), 400)
    body = request()
    body["metrics"][0]["periods"]["april-2015"]["history"] = json.loads("[" * 500 + "]" * 500)
    assert_problem(client.post("/api/v1/calculations", json=body), 422, "invalid-input")


def test_a_body_over_10_mb_is_413(client):
    text = '{"hwb_code": "' + "x" * (11 * 1024 * 1024) + '"}'
    assert_problem(post_raw(client, text), 413)


def test_a_10_mb_body_of_junk_is_refused_quickly(client):
    junk = json.dumps({"hwb_code": "E06000001", "p4p_pool": 1, "metrics": [{"metric": "x"}] * 600_000})
    assert len(junk) > 9_000_000
    problem = assert_problem(post_raw(client, junk), 422, "invalid-input")
    assert problem["errors"] == [{"location": "metrics", "message": "Must have between 0 and 50 items, "
                                                                    "not 600000."}]


def test_many_unknown_keys_are_capped(client):
    body = {f"field{i}": i for i in range(5000)} | {"hwb_code": "E06000001", "p4p_pool": 1}
    problem = assert_problem(client.post("/api/v1/calculations", json=body), 422, "invalid-input")
    assert len(problem["errors"]) == 1001
    assert problem["errors"][-1]["message"] == "… and 4000 more problems."


def test_not_json_content_type_is_415(client):
    assert_problem(post_raw(client, "hwb_code=E06000001", "application/x-www-form-urlencoded"), 415)


@pytest.mark.parametrize("text", ["[]", '"plan"', "42", "null", "true"])
def test_a_body_that_is_not_an_object(client, text):
    problem = assert_problem(post_raw(client, text), 422, "invalid-input")
    assert [e["location"] for e in problem["errors"]] == ["$"]


def test_invalid_input_changes_nothing(app, client):
    extensions = app.extensions
    before = (dict(extensions["rule_sets"]), extensions["catalogue"], extensions["calculator"].pool_lookup)
    body = request()
    body["metrics"][0]["periods"]["april-2015"]["plan"] = "x"
    client.post("/api/v1/calculations", json=body)
    assert (dict(app.extensions["rule_sets"]), app.extensions["catalogue"],
            app.extensions["calculator"].pool_lookup) == before
    assert client.post("/api/v1/calculations", json=request()).status_code == 200


def test_cross_reference_indexes_survive_entries_that_failed_the_schema(client):
    body = request()
    body["metrics"] = [
        {"metric": "delayed_transfers", "periods": "not a map"},  # fails the schema: left out of the pass
        body["metrics"][0],
        {"metric": "delayed_transfers", "periods": {"april-2015": {  # a duplicate of metrics[1]
            "baseline": {"numerator": 10, "denominator": 1000}, "plan": 1}}},
    ]
    problem = assert_problem(client.post("/api/v1/calculations", json=body), 422, "invalid-input")
    assert problem["errors"][0]["location"] == "metrics[0].periods"
    duplicate = next(e for e in problem["errors"] if e["location"] == "metrics[2].metric")
    assert "metrics[1]" in duplicate["message"]


@pytest.mark.parametrize("slug, status", [("unknown-board", 404), ("conflict", 409), ("no-such-slug", 400),
                                          ("reference-data-error", 500)])
def test_domain_errors_map_to_status_by_slug(app, slug, status):
    from bcf.errors import BcfError

    class Raised(BcfError):
        pass

    Raised.slug = slug

    @app.get("/raise-bcf-error")
    def raise_it():
        raise Raised("secret reference path /etc" if status == 500 else "what went wrong",
                     problems=[{"location": "x", "message": "y"}])

    app.config["PROPAGATE_EXCEPTIONS"] = False
    problem = assert_problem(app.test_client().get("/raise-bcf-error"), status, slug)
    if status == 500:
        assert "secret" not in json.dumps(problem) and "errors" not in problem
    else:
        assert problem["detail"] == "what went wrong"
        assert problem["errors"] == [{"location": "x", "message": "y"}]


@pytest.mark.parametrize(("pool", "fragment"), [
    (0.015, "at most two decimal places"),
    ("12.345", "at most two decimal places"),
    ("1_000", "Not a valid amount"),
    ("1e6", "Not a valid amount"),
    ("£100", "Not a valid amount"),
])
def test_a_pool_must_be_pounds_to_the_penny(client, pool, fragment):
    body = request()
    body["p4p_pool"] = pool
    problem = assert_problem(post_raw(client, json.dumps(body)), 422, "invalid-input")
    assert [e["location"] for e in problem["errors"]] == ["p4p_pool"]
    assert fragment in problem["errors"][0]["message"]


@pytest.mark.parametrize("pool", ["1000000", " 1000000.50 ", 1000000.5, "1000000.500"])
def test_a_pool_to_the_penny_is_accepted_as_number_or_text(client, pool):
    body = request()
    body["p4p_pool"] = pool
    response = post_raw(client, json.dumps(body))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


OVERFLOWING = [
    # 1e12 days over a population of 1e-300: each input within bounds, the rate beyond any float
    # (the actual, 5 ÷ 1e-300 × 100,000 ÷ 9 ≈ 5.6e304, still fits)
    ({"metric": "delayed_transfers", "periods": {"april-2015": {
        "baseline": {"numerator": 1e12, "denominator": 1e-300}, "plan": 1,
        "actual": {"numerator": 5, "denominator": 1e-300}}}},
     ["metrics[0].periods.april-2015.baseline"]),
    ({"metric": "residential_admissions", "periods": {"october-2015": {
        "baseline": {"numerator": 100, "denominator": 1e-310}, "plan": 1}}},
     ["metrics[0].periods.october-2015.baseline"]),
    # a plan 1e-300 below its baseline: achievement (B − A) ÷ (B − T) overflows
    ({"metric": "local", "local_metric": "PHOF-2.24i", "periods": {"april-2015": {
        "baseline": {"value": 2e-300}, "plan": 1e-300, "actual": {"value": 1e12}}}},
     ["metrics[0].periods.april-2015.plan"]),
]


@pytest.mark.parametrize("path", ["/api/v1/calculations", "/api/v1/ambitions"])
@pytest.mark.parametrize(("metric", "locations"), OVERFLOWING)
def test_figures_too_large_to_compute_are_422_never_infinity(client, path, metric, locations):
    body = {"hwb_code": "E06000001", "p4p_pool": 1, "metrics": [metric]}
    response = client.post(path, data=json.dumps(body), content_type="application/json")
    if path.endswith("ambitions") and locations[0].endswith(".plan"):
        assert response.status_code == 200  # ambitions ignore actuals: nothing overflows
        return
    problem = assert_problem(response, 422, "invalid-input")
    assert [e["location"] for e in problem["errors"]] == locations
    assert "Infinity" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/v1/calculations", "/api/v1/ambitions"])
def test_an_entry_with_an_unreadable_value_still_has_its_other_values_checked(client, path):
    """One request, every problem: the schema's (a numerator that is not a number) and, in the same
    entry, check_plan's (a count that is not whole, a rate planned below zero)."""
    body = request()
    april = body["metrics"][0]["periods"]["april-2015"]
    april["baseline"] = {"numerator": "abc", "denominator": 72000}
    april["plan"] = -3
    april["actual"] = {"numerator": 2.5, "denominator": 72400}
    problem = assert_problem(client.post(path, json=body), 422, "invalid-input")
    at = "metrics[0].periods.april-2015"
    assert sorted((e["location"], e["message"]) for e in problem["errors"]) == [
        (f"{at}.actual.numerator", "must be a whole number (a count)"),  # delayed transfers: a count
        (f"{at}.baseline.numerator", "Not a valid number."),
        (f"{at}.plan", "must be at least 0"),  # a rate cannot be planned below zero
    ]


def test_a_value_the_schema_refused_is_not_reported_again_by_the_cross_checks(client):
    body = request()
    april = body["metrics"][0]["periods"]["april-2015"]
    april["baseline"]["denominator"] = "many"  # the entry fails the schema …
    april["actual"]["numerator"] = -2.5  # … and so does this count, which is also not whole
    april["plan"] = 1e13  # too large for the schema, so not a rate to range-check
    problem = assert_problem(client.post("/api/v1/calculations", json=body), 422, "invalid-input")
    locations = [e["location"] for e in problem["errors"]]
    at = "metrics[0].periods.april-2015"
    assert sorted(locations) == [f"{at}.actual.numerator", f"{at}.baseline.denominator", f"{at}.plan"]
    messages = {e["location"]: e["message"] for e in problem["errors"]}
    assert messages[f"{at}.actual.numerator"].startswith("Must be at least 0")  # the schema's words


def test_cross_checks_run_beside_schema_problems_in_every_part_of_an_entry(client):
    body = request()
    october = body["metrics"][0]["periods"]["october-2015"]
    october["history"] = [510.2, "x", -4.0]  # one item unreadable, one a negative rate
    october["actual"] = {"numerator": 1990, "denominator": 72600, "note": "provisional"}  # unknown key
    body["metrics"].append({"metric": "delayed_transfer", "periods": {"april-2015": {  # misspelt metric
        "baseline": {"numerator": 10}, "plan": 1}}})  # and a block missing its denominator
    problem = assert_problem(client.post("/api/v1/calculations", json=body), 422, "invalid-input")
    at = "metrics[0].periods.october-2015"
    assert sorted((e["location"], e["message"]) for e in problem["errors"]) == sorted([
        (f"{at}.history[1]", "Not a valid number."),
        (f"{at}.history[2]", "must be at least 0"),
        (f"{at}.actual.note", "Unknown field."),
        ("metrics[1].metric", problem_message(problem, "metrics[1].metric")),
        ("metrics[1].periods.april-2015.baseline.denominator", "Missing data for required field."),
    ])
    assert problem_message(problem, "metrics[1].metric").startswith("unknown metric 'delayed_transfer'")


def problem_message(problem: dict, location: str) -> str:
    return next(e["message"] for e in problem["errors"] if e["location"] == location)
