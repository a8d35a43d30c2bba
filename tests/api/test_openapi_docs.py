"""The OpenAPI document is built from the same schemas that validate; the docs page needs no internet."""

from __future__ import annotations

import re

import pytest


@pytest.fixture()
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_openapi_builds_with_every_resource(spec):
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/calculations", "/api/v1/ambitions", "/api/v1/hwbs", "/api/v1/hwbs/{code}",
            "/api/v1/metrics", "/api/v1/rule-sets", "/api/v1/rule-sets/{rule_set_id}",
            "/api/v1/health"} <= set(spec["paths"])


def test_the_calculator_is_documented_from_its_schemas(spec):
    schemas = spec["components"]["schemas"]
    assert {"CalculationRequest", "Determination", "Ambitions", "Problem", "Counts", "Score",
            "Standardised", "Value", "Conditions", "MetricDefinition", "Tranche", "Line"} <= set(schemas)
    post = spec["paths"]["/api/v1/calculations"]["post"]
    json_schema, problem_schema = "application/json", "application/problem+json"
    assert post["requestBody"]["content"][json_schema]["schema"]["$ref"].endswith("/CalculationRequest")
    assert post["responses"]["200"]["content"][json_schema]["schema"]["$ref"].endswith("/Determination")
    assert post["responses"]["422"]["content"][problem_schema]["schema"]["$ref"].endswith("/Problem")
    request = schemas["CalculationRequest"]
    assert request["required"] == ["hwb_code"]
    assert request["additionalProperties"] is False  # unknown keys are refused, and documented so
    assert request["properties"]["p4p_pool"]["type"] == "number"  # MoneyField registered for docs
    baseline = schemas["PeriodPlan"]["properties"]["baseline"]
    assert [ref["$ref"].rsplit("/", 1)[1] for ref in baseline["oneOf"]] == ["Counts", "Score", "Standardised",
                                                                           "Value"]
    # api.md's response names are all there
    assert {"hwb_code", "rule_set", "p4p_pool", "plan_assured", "conditions", "metrics", "tranches", "totals",
            "recovery_plan_required", "warnings"} <= set(schemas["Determination"]["properties"])
    assert {"type", "title", "status", "detail", "errors"} <= set(schemas["Problem"]["properties"])


def test_docs_page_loads_swagger_ui_from_this_server_only(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sorted(assets) == ["/api/v1/docs/assets/swagger-ui-bundle.js",
                              "/api/v1/docs/assets/swagger-ui-init.js",  # ours: the start-up, not inline
                              "/api/v1/docs/assets/swagger-ui-standalone-preset.js",
                              "/api/v1/docs/assets/swagger-ui.css"]
    assert "http://" not in html and "https://" not in html
    for asset in assets:
        with client.get(asset) as response:
            assert response.status_code == 200
            assert len(response.data) > (100 if asset.endswith("-init.js") else 10_000)
    with client.get("/api/v1/docs/assets/swagger-ui-bundle.js") as response:
        assert b"SwaggerUIBundle" in response.data


def test_only_the_swagger_ui_files_are_served(client):
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404
    assert client.get("/api/v1/docs/assets/..%2F__init__.py").status_code == 404


def test_the_calculator_views_are_documented(spec):
    """Body, answer and every problem answer, from the views' own smorest decorators."""
    for path in ("/api/v1/calculations", "/api/v1/ambitions"):
        post = spec["paths"][path]["post"]
        assert sorted(post["responses"]) == ["200", "400", "413", "415", "422", "default"]
        assert post["responses"]["413"]["description"] == "body larger than 10 MB"
        assert post["requestBody"]["required"] is True
        assert post["summary"].startswith(("Determine one board's", "Assess a plan's"))


def test_errors_are_documented_as_they_are_sent(spec):
    """problem+json everywhere an error is described, with the members 409 and 428 answers carry."""
    for name, response in spec["components"]["responses"].items():
        if "content" in response:
            assert set(response["content"]) == {"application/problem+json"}, name
    problem = spec["components"]["schemas"]["Problem"]["properties"]
    assert {"state", "allowed", "current_version", "missing"} <= set(problem)


def test_versioned_documents_show_if_match_and_their_etag(spec):
    for path in ("/api/v1/hwbs/{code}/plan", "/api/v1/hwbs/{code}/actuals/{period}"):
        put, get = spec["paths"][path]["put"], spec["paths"][path]["get"]
        assert [p["name"] for p in put["parameters"] if p["in"] == "header"] == ["If-Match"]
        assert {"200", "201", "412", "428", "422"} <= set(put["responses"])
        assert "ETag" in put["responses"]["201"]["headers"] and "ETag" in get["responses"]["200"]["headers"]


def test_a_plan_needs_at_least_one_period(spec):
    assert spec["components"]["schemas"]["MetricPlan"]["properties"]["periods"]["minProperties"] == 1
