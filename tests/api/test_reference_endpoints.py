"""GET /api/v1/hwbs, /hwbs/{code}, /metrics, /rule-sets, /rule-sets/{id}: reference data, read once."""

from __future__ import annotations

import csv

import pytest

from api import PROJECT_ROOT

with (PROJECT_ROOT / "reference_data" / "boards.csv").open(encoding="utf-8-sig") as handle:
    BOARDS = list(csv.DictReader(handle))


def test_all_152_boards_with_the_api_md_fields(client):
    boards = client.get("/api/v1/hwbs").get_json()
    assert len(boards) == 152 == len(BOARDS)
    assert {"code", "name", "region", "nhs_region", "area_team"} <= set(boards[0])
    assert {b["code"] for b in boards} == {row["ons_code"] for row in BOARDS}


@pytest.mark.parametrize("key, column", [("region", "ons_region_name"), ("nhs_region", "nhs_region_2014"),
                                         ("area_team", "area_team_2014"), ("la_type", "la_type")])
def test_filters_match_the_file(client, key, column):
    value = BOARDS[0][column]
    expected = {row["ons_code"] for row in BOARDS if row[column] == value}
    got = client.get("/api/v1/hwbs", query_string={key: value.upper()}).get_json()  # case ignored
    assert {b["code"] for b in got} == expected and 0 < len(expected) < 152


def test_filters_combine_and_can_match_nothing(client):
    north_east = client.get("/api/v1/hwbs", query_string={"region": "North East"}).get_json()
    assert len(north_east) == 12
    london_team = client.get("/api/v1/hwbs", query_string={"region": "North East", "nhs_region": "London"})
    assert london_team.status_code == 200 and london_team.get_json() == []  # known values, no board has both


def test_an_unknown_filter_value_or_parameter_is_a_422_naming_it(client):
    response = client.get("/api/v1/hwbs", query_string={"region": "Narnia", "la_type": "UA"})
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    [problem] = response.get_json()["errors"]
    assert problem["location"] == "region"
    assert problem["message"].startswith("No board has region 'Narnia'; the values are: East Midlands, ")
    misspelt = client.get("/api/v1/hwbs", query_string={"regoin": "North East"})
    assert misspelt.status_code == 422
    assert misspelt.get_json()["errors"] == [{"location": "regoin", "message": "Unknown field."}]
    twice = client.get("/api/v1/hwbs?region=North%20East&region=London")  # once read as the first alone
    assert twice.status_code == 422
    assert twice.get_json()["errors"] == [{"location": "region",
                                           "message": "Given more than once; give it once."}]


def test_one_board(client):
    row = next(r for r in BOARDS if r["ons_code"] == "E06000001")
    assert client.get("/api/v1/hwbs/E06000001").get_json() == {
        "code": "E06000001", "name": row["name"], "region": row["ons_region_name"],
        "nhs_region": row["nhs_region_2014"], "area_team": row["area_team_2014"],
        "region_code": row["ons_region_code"], "la_type": row["la_type"]}


def test_unknown_board_is_a_404_problem(client):
    response = client.get("/api/v1/hwbs/E99999999")
    assert response.status_code == 404 and response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["type"] == "/api/v1/problems/unknown-board" and "E99999999" in body["detail"]


def test_metric_catalogue_and_local_menu(client):
    body = client.get("/api/v1/metrics").get_json()
    assert [m["id"] for m in body["national_metrics"]] == [
        "residential_admissions", "reablement", "delayed_transfers", "avoidable_emergency_admissions",
        "patient_experience", "non_elective_admissions"]
    assert len(body["local_menu"]) == 9  # metrics.md's menu
    falls = next(m for m in body["local_menu"] if m["id"] == "PHOF-2.24i")
    assert (falls["type"], falls["polarity"]) == ("rate", "lower")
    assert sorted(falls["allowed_types"]) == ["dsr", "rate"]
    assert body["local_metric"]["id"] == "local"


def test_rule_sets(client):
    listed = {r["id"]: r for r in client.get("/api/v1/rule-sets").get_json()}
    assert set(listed) == {"bcf-2015-16", "bcf-2015-16-revised"}
    assert listed["bcf-2015-16"] == {
        "id": "bcf-2015-16", "name": "Better Care Fund 2015/16 payment for performance", "current": True,
        "reference": client.get("/api/v1/rule-sets/bcf-2015-16").get_json()["reference"]}
    assert listed["bcf-2015-16-revised"]["current"] is False
    rule_set = client.get("/api/v1/rule-sets/bcf-2015-16").get_json()
    assert rule_set["threshold"] == 0.7 and rule_set["confidence_level"] == 0.95
    assert rule_set["p4p_national_total"] == 1_000_000_000.00  # money as a JSON number
    assert [t["share"] for t in rule_set["tranches"]] == [0.25, 0.25, 0.5]
    assert rule_set["periods"]["april-2015"]["delayed_transfers"]["months"] == 9
    assert rule_set["access_conditions"] == ["plans_jointly_agreed", "data_sharing"]


def test_unknown_rule_set_path_is_a_404_problem_listing_the_known_ids(client):
    response = client.get("/api/v1/rule-sets/bcf-2099")
    assert response.status_code == 404 and response.content_type == "application/problem+json"
    assert "bcf-2015-16" in response.get_json()["detail"]
