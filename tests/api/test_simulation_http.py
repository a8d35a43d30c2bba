"""The simulation block of POST /api/v1/calculations and /ambitions (issue 13 §1) over HTTP."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from calc_example import request

ODDS = {"p_at_least_70", "p_at_least_100", "p_recovery_plan", "expected_release", "release_p5",
        "release_p95"}


def _simulated(client, path="/api/v1/calculations", **block):
    body = request()
    body["simulation"] = block
    response = client.post(path, json=body)
    assert response.status_code == 200, response.get_json()
    return response


def test_no_block_no_simulation(client):
    answer = client.post("/api/v1/calculations", json=request()).get_json()
    assert "simulation" not in answer


def test_the_answer_has_odds_per_line_tranche_and_plan_under_plan_and_baseline(client):
    simulation = _simulated(client, draws=2000, seed=42).get_json()["simulation"]
    assert simulation["draws"] == 2000 and simulation["seed"] == 42
    for scenario in (simulation, simulation["baseline"]):
        assert set(scenario["whole_plan"]) >= ODDS
        for tranche in scenario["tranches"]:
            assert set(tranche) >= ODDS
            for line in tranche["lines"]:
                assert ODDS | {"item", "simulated", "explanation"} <= set(line)
    metric_lines = [line for tranche in simulation["tranches"] for line in tranche["lines"]
                    if line["simulated"]]
    assert {line["item"] for line in metric_lines} == {"delayed_transfers"}
    assert "Poisson" in metric_lines[0]["explanation"]


def test_money_is_written_to_the_penny_and_reproduces_with_the_seed(client):
    first = _simulated(client, draws=500, seed=7)
    again = _simulated(client, draws=500, seed=7)
    assert first.get_data() == again.get_data()
    whole = json.loads(first.get_data(), parse_float=Decimal)["simulation"]["whole_plan"]
    assert whole["expected_release"].as_tuple().exponent == -2
    assert whole["release_p5"] <= whole["expected_release"] <= whole["release_p95"]


def test_a_seed_not_sent_is_chosen_and_echoed(client):
    simulation = _simulated(client).get_json()["simulation"]
    assert simulation["draws"] == 10_000
    assert 0 <= simulation["seed"] < 2**53


def test_ambitions_get_the_odds_before_outturn(client):
    simulation = _simulated(client, "/api/v1/ambitions", draws=300, seed=1).get_json()["simulation"]
    assert simulation["seed"] == 1
    assert 0.0 <= simulation["whole_plan"]["p_at_least_70"] <= 1.0


@pytest.mark.parametrize(("block", "location"), [
    ({"draws": 0}, "simulation.draws"),
    ({"draws": 100_001}, "simulation.draws"),
    ({"draws": 10.5}, "simulation.draws"),
    ({"seed": -1}, "simulation.seed"),
    ({"seed": 2**53}, "simulation.seed"),
    ({"runs": 5}, "simulation.runs"),
])
def test_bad_simulation_blocks_are_422_naming_the_field(client, block, location):
    body = request()
    body["simulation"] = block
    response = client.post("/api/v1/calculations", json=body)
    assert response.status_code == 422
    assert location in {error["location"] for error in response.get_json()["errors"]}


def test_the_openapi_document_describes_every_new_field(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert "simulation" in schemas["CalculationRequest"]["properties"]
    assert set(schemas["SimulationRequest"]["properties"]) == {"draws", "seed"}
    assert schemas["SimulationRequest"]["properties"]["draws"]["maximum"] == 100_000
    for name in ("Determination", "Ambitions"):
        assert "simulation" in schemas[name]["properties"]
    assert {"draws", "seed", "tranches", "whole_plan", "baseline"} <= set(schemas["Simulation"]["properties"])
    for name in ("SimulatedLine", "SimulatedTranche", "WholePlan"):
        properties = schemas[name]["properties"]
        assert set(properties) >= ODDS
        assert all(properties[field].get("description") for field in ODDS)


# --- the spreadsheet upload: ?draws=…&seed=… adds the probability columns ------------------------------


def _upload(client, query="", accept=None):
    import io

    files = {name: client.get(f"/api/v1/templates/{name}.csv").data for name in ("metrics", "conditions",
                                                                                 "pools")}
    data = {name: (io.BytesIO(content), f"{name}.csv") for name, content in files.items()}
    return client.post(f"/api/v1/calculations/csv{query}", data=data, content_type="multipart/form-data",
                       headers={"Accept": accept} if accept else {})


def _rows(response):
    import csv
    import io

    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_an_upload_without_draws_has_no_probability_columns(client):
    from sheets.writing import RESULT_COLUMNS

    response = _upload(client)
    assert response.status_code == 200
    assert tuple(_rows(response)[0]) == RESULT_COLUMNS


def test_an_upload_with_draws_gains_each_tranches_odds(client):
    from sheets.writing import RESULT_COLUMNS, SIMULATION_COLUMNS

    response = _upload(client, "?draws=300&seed=5")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    rows = _rows(response)
    assert tuple(rows[0]) == RESULT_COLUMNS + SIMULATION_COLUMNS
    # each row is what the JSON calculator answers for that board with the same block
    json_answers = _upload(client, "?draws=300&seed=5", "application/json").get_json()
    first = json_answers[0]["simulation"]
    metrics_row = next(row for row in rows if row["tranche"] == "april-2015/metrics")
    tranche = next(t for t in first["tranches"] if t["tranche"] == "april-2015/metrics")
    assert float(metrics_row["p_at_least_70"]) == tranche["p_at_least_70"]
    assert Decimal(metrics_row["expected_release"]) == Decimal(str(tranche["expected_release"])).quantize(
        Decimal("0.01"))
    assert metrics_row["simulation_seed"] == "5"
    conditions_row = next(row for row in rows if row["tranche"] == "april-2015/conditions")
    assert conditions_row["p_at_least_70"] == ""  # nothing simulated: an empty cell, not a zero


def test_an_uploads_odds_reproduce_the_json_calculator_for_that_board(app, client):
    """Each board is drawn with the upload's seed, as POST /api/v1/calculations with it draws it."""
    from sheets.payloads import build_requests

    answers = _upload(client, "?draws=200&seed=8", "application/json").get_json()
    files = {name: client.get(f"/api/v1/templates/{name}.csv").data for name in ("metrics", "conditions",
                                                                                 "pools")}
    requests, problems = build_requests(files, app.extensions["calculator"].boards)
    assert not problems
    for board, answer in zip(requests, answers, strict=True):
        body = {**board.payload, "simulation": {"draws": 200, "seed": 8}}
        alone = client.post("/api/v1/calculations", json=body).get_json()
        assert alone["simulation"] == answer["simulation"]


def test_an_upload_with_bad_draws_is_422(client):
    response = _upload(client, "?draws=0")
    assert response.status_code == 422
    assert response.content_type.startswith("application/problem+json")


def test_an_xlsx_upload_with_draws_has_the_columns(client):
    import io

    import openpyxl

    from sheets.writing import SIMULATION_SHEET_COLUMNS, XLSX_MIME

    response = _upload(client, "?draws=100&seed=1", XLSX_MIME)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["Tranches"]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header[-len(SIMULATION_SHEET_COLUMNS):] == [column.header for column in SIMULATION_SHEET_COLUMNS]
    assert header[-1] == "Simulation seed"


def test_the_readmes_worked_example_is_what_the_service_answers(client):
    """README "The probability of reaching 70%": its figures, from api.md's request with seed 42."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The probability of reaching 70%"):]
    section = section[:section.index("\n## ")]
    answer = json.loads(_simulated(client, draws=10_000, seed=42).get_data(), parse_float=Decimal)
    simulation = answer["simulation"]
    tranche = next(t for t in simulation["tranches"] if t["tranche"] == "april-2015/metrics")
    whole, baseline = simulation["whole_plan"], simulation["baseline"]["whole_plan"]
    figures = [f"£{answer['totals']['released']:,}",
               *(f"`{name}` {tranche[name]}" for name in ("p_at_least_70", "p_at_least_100",
                                                           "p_recovery_plan")),
               *(f"`{name}` {tranche[name]:,}" for name in ("expected_release", "release_p5", "release_p95")),
               f"`p_at_least_70`\n{whole['p_at_least_70']}", f"`p_recovery_plan` {whole['p_recovery_plan']}",
               f"`expected_release` {whole['expected_release']:,}",
               f"{whole['release_p5']:,} to {whole['release_p95']:,}",
               f"(`p_at_least_70` {baseline['p_at_least_70']})", f"{baseline['expected_release']:,}"]
    missing = [figure for figure in figures if figure not in section]
    assert missing == []
