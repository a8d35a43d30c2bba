"""The calculator works without a web app: the same answers as the service, from reference_data/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from bcf.errors import InvalidInput, UnknownRuleSet
from calculator import load_calculator
from calculator.json_text import dumps
from tests.api.calc_example import request

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def calculator(tmp_path_factory):
    return load_calculator(allocations_file=tmp_path_factory.mktemp("ref") / "allocations.csv")[0]


def test_answers_as_the_service_does(calculator, client):
    assert json.loads(dumps(calculator.calculate(request()))) == \
        client.post("/api/v1/calculations", json=request()).get_json()


def test_no_web_layer_is_imported(tmp_path):
    """`bcf calculate` and any script reach the calculator without Flask (the rooms' rule, run for real)."""
    code = ("import sys, calculator, sheets.cli; calculator.load_calculator(); "
            "print(sorted(m for m in ('flask', 'werkzeug', 'flask_smorest', 'api') if m in sys.modules))")
    env = {**os.environ, "BCF_ALLOCATIONS_FILE": str(tmp_path / "allocations.csv")}  # not the operator's
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env=env)
    assert out.stdout.strip() == "[]"


def test_schema_and_cross_reference_problems_come_together(calculator):
    body = request()
    body["metrics"][0]["periods"]["april-2015"]["plan"] = "lots"  # the schema's problem
    body["metrics"][0]["periods"]["june-2015"] = body["metrics"][0]["periods"]["april-2015"]  # check_plan's
    with pytest.raises(InvalidInput) as raised:
        calculator.prepare(body)
    locations = [p["location"] for p in raised.value.problems]
    assert "metrics[0].periods.april-2015.plan" in locations
    assert any(location.startswith("metrics[0].periods.june-2015") for location in locations), locations


def test_an_unknown_rule_set_alone_is_itself(calculator):
    body = request() | {"rule_set": "bcf-2099"}
    with pytest.raises(UnknownRuleSet):
        calculator.prepare(body)
    with pytest.raises(InvalidInput) as raised:  # with another problem: both, in one answer
        calculator.prepare(body | {"p4p_pool": -1})
    assert {p["location"] for p in raised.value.problems} >= {"rule_set", "p4p_pool"}


def test_the_pool_comes_from_the_lookup_when_not_sent(calculator):
    body = request()
    del body["p4p_pool"]
    with pytest.raises(InvalidInput, match="1 problem") as raised:  # no table loaded
        calculator.prepare(body)
    assert raised.value.problems[0]["location"] == "p4p_pool"
    calculator.pool_lookup = {"E06000001": Decimal("2000000.00")}.get
    try:
        assert str(calculator.prepare(body).pool) == "2000000.00"
    finally:
        calculator.pool_lookup = lambda code: None
