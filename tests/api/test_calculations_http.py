"""POST /api/v1/calculations and /ambitions through HTTP: the worked example of api.md, by hand."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from calc_example import byars_lower, monthly_rate, penny, request

from api import PROJECT_ROOT, create_app
from bcf.errors import InvalidInput, ReferenceDataError

B_APR, A_APR = monthly_rate(3100, 9, 72000), monthly_rate(2950, 9, 72400)
ACHIEVEMENT_APR = (B_APR - A_APR) / (B_APR - 450.0)  # lower is better, rules §5


def test_worked_example_figures(client):
    response = client.post("/api/v1/calculations", json=request())
    assert response.status_code == 200, response.get_json()
    assert response.content_type == "application/json"
    body = response.get_json()
    assert (body["hwb_code"], body["rule_set"], body["p4p_pool"]) == ("E06000001", "bcf-2015-16", 1000000.00)
    assert body["plan_assured"] is True  # both access conditions met (data sharing: open APIs planned)
    assert {c["condition"]: c["status"] for c in body["conditions"]} == dict.fromkeys(
        ["plans_jointly_agreed", "protect_social_care", "seven_day_services", "data_sharing",
         "joint_assessment", "acute_sector_impact"], "met")

    april = next(m for m in body["metrics"]
                 if (m["metric"], m["period"]) == ("delayed_transfers", "april-2015"))
    assert april["baseline"]["value"] == pytest.approx(B_APR, rel=1e-12)  # 478.395…, unrounded
    assert april["actual"]["value"] == pytest.approx(A_APR, rel=1e-12)
    assert april["baseline"]["ci_lower"] == pytest.approx(byars_lower(3100) / 9 / 72000 * 1e5, rel=1e-9)
    assert april["minimum_significant_ambition"] == april["baseline"]["ci_lower"]  # improving side: lower
    assert april["ambition_significant"] is True  # 450 < 461.70
    assert april["achievement"] == pytest.approx(round(ACHIEVEMENT_APR, 6), abs=1e-12)
    assert april["payable_fraction"] == pytest.approx(ACHIEVEMENT_APR, rel=1e-12)
    assert april["explanation"]

    october = next(m for m in body["metrics"] if m["period"] == "october-2015")
    # OLS through (0, 510.2), (1, 495.0), (2, 480.3), projected to x = 3
    slope = (480.3 - 510.2) / 2
    assert october["trend_projection"] == pytest.approx((510.2 + 495.0 + 480.3) / 3 + 2 * slope)
    assert october["ambition_beyond_trend"] is True  # 460 < 465.27
    assert october["payable_fraction"] == 1.0  # achievement above 1 is clipped for payment only
    assert october["achievement"] > 1

    tranches = {t["tranche"]: t for t in body["tranches"]}
    conditions = tranches["april-2015/conditions"]
    assert (conditions["available"], conditions["released"], conditions["held_back"]) == (
        250000.00, 250000.00, 0)
    assert conditions["held_back_use"] == "none"

    april_metrics = tranches["april-2015/metrics"]
    # §8: 250,000 ÷ 3 lines = 83,333.33, last line takes the remainder 83,333.34
    assert [line["available"] for line in april_metrics["lines"]] == [83333.33, 83333.33, 83333.34]
    delayed = april_metrics["lines"][0]
    released = penny(Decimal("83333.33") * Decimal(repr(ACHIEVEMENT_APR)))
    assert delayed["item"] == "delayed_transfers"
    assert Decimal(repr(delayed["released"])) == released
    assert Decimal(repr(delayed["held_back"])) == Decimal("83333.33") - released
    # the other two metrics are not in the plan: unassessable, their shares held back (the default)
    assert [line["released"] for line in april_metrics["lines"][1:]] == [0, 0]
    assert april_metrics["held_back_use"] == "contingency_plan"  # the one assessed metric ≥ 0.70
    assert april_metrics["recovery_plan_required"] is False

    october_metrics = tranches["october-2015/metrics"]
    lines = {line["item"]: line for line in october_metrics["lines"]}
    assert list(lines) == ["residential_admissions", "reablement", "delayed_transfers",
                           "avoidable_emergency_admissions", "patient_experience", "local"]
    assert lines["delayed_transfers"]["released"] == 83333.33
    assert lines["local"]["available"] == 83333.35  # 500,000 − 5 × 83,333.33

    total_released = Decimal("250000.00") + released + Decimal("83333.33")
    assert body["totals"] == {"available": 1000000.00, "released": float(total_released),
                              "held_back": float(Decimal("1000000.00") - total_released)}
    assert body["recovery_plan_required"] is False


def test_the_apps_calculator_is_the_path_the_view_uses(app, client):
    calculated = app.extensions["calculator"].calculate(request())
    direct = json.loads(app.json.dumps(calculated))  # as the wire carries it
    assert client.post("/api/v1/calculations", json=request()).get_json() == direct


def test_the_calculator_raises_invalid_input_with_all_problems(app):
    body = request()
    body["metrics"][0]["periods"]["april-2015"]["plan"] = "lots"
    body["p4p_pool"] = -1
    with pytest.raises(InvalidInput) as raised:
        app.extensions["calculator"].calculate(body)
    assert {p["location"] for p in raised.value.problems} == {
        "metrics[0].periods.april-2015.plan", "p4p_pool"}


def test_numeric_strings_are_accepted_as_csv_gives_them(client):
    body = request()
    body["p4p_pool"] = "1000000.00"
    body["metrics"][0]["periods"]["april-2015"]["baseline"] = {"numerator": "3100", "denominator": "72000"}
    assert client.post("/api/v1/calculations", json=body).get_json() == \
        client.post("/api/v1/calculations", json=request()).get_json()


def test_pending_actual_gives_nulls_and_a_pending_tranche(client):
    body = request()
    del body["metrics"][0]["periods"]["april-2015"]["actual"]
    answer = client.post("/api/v1/calculations", json=body).get_json()
    tranche = next(t for t in answer["tranches"] if t["tranche"] == "april-2015/metrics")
    assert tranche["status"] == "pending"
    assert (tranche["available"], tranche["released"], tranche["held_back"]) == (250000.00, None, None)
    assert answer["totals"]["released"] is None


def test_conditions_absent_means_not_assessed(client):
    body = request()
    del body["conditions"]
    answer = client.post("/api/v1/calculations", json=body).get_json()
    assert answer["plan_assured"] is None
    tranche = next(t for t in answer["tranches"] if t["tranche"] == "april-2015/conditions")
    assert (tranche["status"], tranche["released"], tranche["held_back_use"]) == (
        "not_assessed", 0, "pending_conditions")
    assert any(w["code"] == "access_not_checked" for w in answer["warnings"])


def test_pool_comes_from_the_allocation_lookup_when_not_sent(app, client):
    body = request()
    del body["p4p_pool"]
    response = client.post("/api/v1/calculations", json=body)
    assert response.status_code == 422
    problem = response.get_json()
    assert [e["location"] for e in problem["errors"]] == ["p4p_pool"]
    assert "flask --app wsgi bcf load-allocations" in problem["errors"][0]["message"]

    app.extensions["calculator"].pool_lookup = {"E06000001": Decimal("2000000.00")}.get
    answer = client.post("/api/v1/calculations", json=body).get_json()
    assert answer["p4p_pool"] == 2000000.00
    assert answer["totals"]["available"] == 2000000.00


def test_unknown_board_needs_a_pool(client):
    body = request()
    body["hwb_code"] = "E99999999"
    assert client.post("/api/v1/calculations", json=body).status_code == 200  # pool given: fine
    del body["p4p_pool"]
    response = client.post("/api/v1/calculations", json=body)
    assert response.status_code == 422
    assert [e["location"] for e in response.get_json()["errors"]] == ["hwb_code"]


def test_ambitions_need_no_actuals_and_price_each_line(client):
    body = request()
    for period in body["metrics"][0]["periods"].values():
        del period["actual"]
    response = client.post("/api/v1/ambitions", json=body)
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    april = next(m for m in answer["metrics"] if m["period"] == "april-2015")
    assert april["baseline"]["value"] == pytest.approx(B_APR, rel=1e-12)
    assert april["ambition_significant"] is True
    assert april["share"] == 83333.33  # 250,000 ÷ 3, the first line
    october = next(m for m in answer["metrics"] if m["period"] == "october-2015")
    assert october["share"] == 83333.33 and october["ambition_beyond_trend"] is True


SECOND_RULE_SET_ID = "bcf-2015-16-all-or-nothing"


@pytest.fixture()
def two_rule_sets(tmp_path):
    """The shipped rule set plus a copy that changes one parameter: no code change needed."""
    shipped = (PROJECT_ROOT / "reference_data" / "rules" / "bcf-2015-16.yaml").read_text(encoding="utf-8")
    (tmp_path / "bcf-2015-16.yaml").write_text(shipped, encoding="utf-8")
    variant = shipped.replace("id: bcf-2015-16\n", f"id: {SECOND_RULE_SET_ID}\n") \
        .replace("current: true", "current: false") \
        .replace("  value: pro_rata\n", "  value: all_or_nothing\n")  # the value of payment_mode
    assert variant.count("value: all_or_nothing") == 1 and SECOND_RULE_SET_ID in variant
    (tmp_path / "variant.yaml").write_text(variant, encoding="utf-8")
    return create_app({"TESTING": True, "RULE_SETS_DIR": str(tmp_path)}).test_client()


def test_a_second_rule_set_changes_the_money_not_the_code(two_rule_sets):
    body = request()
    body["rule_set"] = SECOND_RULE_SET_ID
    answer = two_rule_sets.post("/api/v1/calculations", json=body).get_json()
    assert answer["rule_set"] == SECOND_RULE_SET_ID
    april = next(t for t in answer["tranches"] if t["tranche"] == "april-2015/metrics")
    assert april["lines"][0]["released"] == 0  # achievement 0.904 < 1: nothing under all_or_nothing
    october = next(t for t in answer["tranches"] if t["tranche"] == "october-2015/metrics")
    assert october["lines"][2]["released"] == 83333.33  # achievement ≥ 1: all of it
    ids = {r["id"] for r in two_rule_sets.get("/api/v1/rule-sets").get_json()}
    assert ids == {"bcf-2015-16", SECOND_RULE_SET_ID}
    body["rule_set"] = None  # the current one
    assert two_rule_sets.post("/api/v1/calculations", json=body).get_json()["rule_set"] == "bcf-2015-16"


def test_a_bad_rule_set_stops_start_up(tmp_path):
    (tmp_path / "broken.yaml").write_text(textwrap.dedent("""\
        id: broken
        name: a rule set with a typo
        current: true
        thresold: "0.70"
        """), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="broken.yaml"):
        create_app({"TESTING": True, "RULE_SETS_DIR": str(tmp_path)})


def test_rule_sets_and_catalogue_are_loaded_once_into_extensions(app):
    assert set(app.extensions["rule_sets"]) == {"bcf-2015-16", "bcf-2015-16-revised"}
    assert "delayed_transfers" in app.extensions["catalogue"].national
    assert app.extensions["calculator"].pool_lookup("E06000001") is None
    assert Path(app.config["REFERENCE_DATA_DIR"]).is_dir()


def test_calculate_many_answers_each_board_as_calculate_does(two_rule_sets):
    """The upload's halves: boards of two rule sets, interleaved, each prepared, determined in one
    calculate_many call, each answered as calculate answers it alone, in order."""
    calculator = two_rule_sets.application.extensions["calculator"]
    bodies = []
    for i, rule_set in enumerate(["bcf-2015-16", SECOND_RULE_SET_ID, "bcf-2015-16", SECOND_RULE_SET_ID]):
        body = request()
        body["rule_set"], body["p4p_pool"] = rule_set, 1000000.00 + 1000 * i
        body["metrics"][0]["periods"]["april-2015"]["actual"]["numerator"] = 2900 + 40 * i
        bodies.append(body)
    together = calculator.calculate_many([calculator.prepare(body) for body in bodies])
    alone = [calculator.calculate(body) for body in bodies]
    assert together == alone
    assert [a["rule_set"] for a in together] == [b["rule_set"] for b in bodies]
    assert [a["p4p_pool"] for a in together] == [b["p4p_pool"] for b in bodies]
    assert len({a["tranches"][1]["lines"][0]["released"] for a in together}) > 1  # the boards differ
