"""The XmR charts of monthly series over HTTP (issue 13 §2): the spc block and its OpenAPI document."""

from __future__ import annotations

import pytest

from tests.calculator.test_spc import delayed_transfers


@pytest.mark.parametrize("path", ["/api/v1/calculations", "/api/v1/ambitions"])
def test_the_answer_has_the_chart(client, path):
    response = client.post(path, json=delayed_transfers(plan=35.0))
    assert response.status_code == 200, response.get_json()
    [chart] = response.get_json()["spc"]
    assert chart["metric"] == "delayed_transfers" and len(chart["points"]) == 15
    assert chart["upper_limit"] == pytest.approx(46.435)
    assert [a["assurance"] for a in chart["assurance"]] == ["consistent_fail", "consistent_fail"]


@pytest.mark.parametrize("path", ["/api/v1/calculations", "/api/v1/ambitions"])
def test_no_series_no_block(client, path):
    body = delayed_transfers()
    del body["metrics"][0]["monthly"]
    response = client.post(path, json=body)
    assert response.status_code == 200 and "spc" not in response.get_json()


def test_a_bad_series_is_a_422_naming_each_month(client):
    body = delayed_transfers()
    body["metrics"][0]["monthly"][2]["month"] = "April 2014"
    body["metrics"][0]["monthly"][4]["value"] = None
    response = client.post("/api/v1/calculations", json=body)
    assert response.status_code == 422
    locations = {e["location"] for e in response.get_json()["errors"]}
    assert locations == {"metrics[0].monthly[2].month", "metrics[0].monthly[4].value"}


def test_openapi_describes_every_new_field(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "monthly" in schemas["MetricPlan"]["properties"]
    assert schemas["MetricPlan"]["properties"]["monthly"]["items"]["$ref"].endswith("/MonthlyValue")
    assert set(schemas["MonthlyValue"]["properties"]) == {"month", "value"}
    assert set(schemas["SpcOptions"]["properties"]) == {"screen_moving_ranges"}
    assert "spc" in schemas["CalculationRequest"]["properties"]
    for answer in ("Determination", "Ambitions"):
        assert schemas[answer]["properties"]["spc"]["items"]["$ref"].endswith("/SpcChart")
    for name, fields in (("SpcChart", {"mean", "upper_limit", "lower_limit", "screen_moving_ranges",
                                       "trial_limits", "icon", "points", "assurance", "explanation"}),
                         ("SpcPoint", {"month", "value", "moving_range", "screened", "type", "rule"}),
                         ("SpcAssurance", {"period", "plan", "target", "assurance", "explanation"})):
        properties = schemas[name]["properties"]
        assert fields <= set(properties)
        undocumented = [f for f, spec in properties.items()
                        if f not in ("explanation", "mean_moving_range", "lower_two_sigma")
                        and not spec.get("description") and "example" not in spec and "$ref" not in spec]
        assert undocumented == [], (name, undocumented)


@pytest.mark.parametrize("month", ["２０１３-04", "٢٠١٣-04", "0000-04", "2013-４"])
def test_a_month_is_ascii_digits_of_a_real_year(client, month):
    """Unicode digits once passed as a month and sorted after every ASCII one (the series out of order)."""
    body = delayed_transfers()
    body["metrics"][0]["monthly"][0]["month"] = month
    response = client.post("/api/v1/calculations", json=body)
    assert response.status_code == 422
    assert {e["location"] for e in response.get_json()["errors"]} == {"metrics[0].monthly[0].month"}


def test_a_board_code_is_ascii_digits(client):
    body = delayed_transfers()
    body["hwb_code"] = "E０６000001"
    body["p4p_pool"] = 1000000.00  # with a pool, a well-formed unknown code may pass; this one is malformed
    response = client.post("/api/v1/calculations", json=body)
    assert response.status_code == 422
    assert "hwb_code" in {e["location"] for e in response.get_json()["errors"]}
    assert client.get("/api/v1/hwbs/E０６000001").status_code == 404
