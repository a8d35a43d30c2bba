"""Issue 15: `make test` failed after a user followed the README, because tests read the git-ignored
reference_data/allocations.csv the user had loaded. Planted at the default location, it is not seen."""

from api import create_app
from calculator import load_calculator
from calculator.reference import ALLOCATIONS_ENV, default_allocations_file
from tests.planted_table import PLANTED_BOARDS, PLANTED_POOL, plant_operator_table

A = PLANTED_BOARDS[0]


def test_the_planted_table_is_where_the_defaults_read(tmp_path, monkeypatch):
    """The plant is honest: without the suite's setting, the defaults do read it."""
    planted = plant_operator_table(tmp_path, monkeypatch)
    monkeypatch.delenv(ALLOCATIONS_ENV)
    assert default_allocations_file() == planted
    assert load_calculator()[0].pool_lookup(A) == PLANTED_POOL
    assert create_app({"TESTING": True}).extensions["calculator"].pool_lookup(A) == PLANTED_POOL


def test_the_suites_defaults_do_not_see_it(tmp_path, monkeypatch):
    planted = plant_operator_table(tmp_path, monkeypatch)
    assert default_allocations_file() != planted  # the session's BCF_ALLOCATIONS_FILE (tests/conftest.py)
    assert load_calculator()[0].pool_lookup(A) is None
    assert create_app({"TESTING": True}).extensions["calculator"].pool_lookup(A) is None


def test_the_app_fixture_does_not_see_it_even_without_the_suites_setting(tmp_path, monkeypatch, request):
    plant_operator_table(tmp_path, monkeypatch)
    monkeypatch.delenv(ALLOCATIONS_ENV)
    app = request.getfixturevalue("app")  # built now, with the planted table at the default location
    assert app.extensions["calculator"].pool_lookup(A) is None
    client = app.test_client()
    assert client.get("/api/v1/allocations").status_code == 404
    calculation = client.post("/api/v1/calculations", json={"hwb_code": A, "metrics": []})
    assert calculation.status_code == 422  # no default pool from the planted table
    assert "p4p_pool" in {error["location"] for error in calculation.get_json()["errors"]}
