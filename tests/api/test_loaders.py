"""The compiled request loader gives exactly what ``CalculationRequestSchema().load`` gives: the same plan
(same dataclasses, values and Python types) for a valid request, through the fast path; and for a broken
one the same plan or the same ``ValidationError`` messages."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import marshmallow as ma
import pytest
from calc_example import request as worked_example
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError, fields, pre_load, validates_schema
from test_calculation_fuzz import _paths, json_values

from api.calculations.schemas import CalculationRequestSchema
from api.loaders import compile_load
from benchmarks.determination_http import full_plan
from tests.bcf.test_properties import requests
from tests.bcf.test_scenarios import SCENARIOS
from tests.bcf.test_scenarios import load as load_scenario

SCHEMA = CalculationRequestSchema()
LOAD = compile_load(SCHEMA)


def assert_identical(fast: Any, reference: Any, path: str = "$") -> None:
    """Equal, with the same type at every level (``1`` and ``1.0`` are equal in Python, not here)."""
    assert type(fast) is type(reference), (path, type(fast), type(reference))
    if dataclasses.is_dataclass(reference):
        for field in dataclasses.fields(reference):
            name = field.name
            assert_identical(getattr(fast, name), getattr(reference, name), f"{path}.{name}")
    elif isinstance(reference, dict):
        assert list(fast) == list(reference), path
        for key in reference:
            assert_identical(fast[key], reference[key], f"{path}.{key}")
    elif isinstance(reference, list | tuple):
        assert len(fast) == len(reference), path
        for i, (a, b) in enumerate(zip(fast, reference, strict=True)):
            assert_identical(a, b, f"{path}[{i}]")
    else:
        assert fast == reference, path


def outcome(load, payload):
    try:
        return load(payload), None
    except ValidationError as error:
        return None, error.messages


def assert_same_outcome(payload):
    expected, expected_errors = outcome(SCHEMA.load, payload)
    got, errors = outcome(LOAD, payload)
    assert errors == expected_errors
    if expected_errors is None:
        assert_identical(got, expected)
    try:  # whatever the fast path accepts, the schema accepts, with the same plan
        fast = LOAD.fast(payload)
    except Exception:  # noqa: BLE001 - any stop of the fast path hands over to the schema
        return
    assert expected_errors is None
    assert_identical(fast, expected)


def valid_requests() -> list[dict]:
    found = [full_plan(), worked_example()]
    for path in SCENARIOS:
        scenario = load_scenario(path)
        found.append({"hwb_code": "E06000001", "p4p_pool": scenario["p4p_pool"], **scenario["request"]})
    return found


@pytest.mark.parametrize("payload", valid_requests())
def test_valid_requests_load_through_the_fast_path_as_the_schema_loads_them(payload):
    assert_identical(LOAD.fast(json.loads(json.dumps(payload))), SCHEMA.load(payload))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=requests(), as_text=st.booleans())
def test_generated_plans_load_through_the_fast_path_as_the_schema_loads_them(generated, as_text):
    raw, pool = generated
    payload = {"hwb_code": "E09000033", "rule_set": "bcf-2015-16",
               "p4p_pool": str(pool) if as_text else float(pool), **raw}
    assert_identical(LOAD.fast(payload), SCHEMA.load(payload))


BASES = [full_plan(), worked_example()]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from(range(len(BASES))), data=st.data(), junk=json_values, drop=st.booleans())
def test_broken_requests_get_the_schemas_answer(base, data, junk, drop):
    body = json.loads(json.dumps(BASES[base]))
    path = data.draw(st.sampled_from(list(_paths(body))[1:]))
    parent = body
    for step in path[:-1]:
        parent = parent[step]
    if drop and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = junk
    assert_same_outcome(body)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=json_values)
def test_arbitrary_json_gets_the_schemas_answer(body):
    assert_same_outcome(body)


def test_what_it_cannot_walk_is_refused_when_compiling():
    class Validated(ma.Schema):
        a = fields.String()

        @validates_schema
        def check(self, data, **kwargs):
            pass

    class PreLoaded(ma.Schema):
        a = fields.String()

        @pre_load
        def change(self, data, **kwargs):
            return data

    class Many(ma.Schema):
        rows = fields.Nested(ma.Schema.from_dict({"a": fields.String()}), many=True)

    for schema in (Validated(), PreLoaded(), Many(), ma.Schema.from_dict({"a": fields.String()})(many=True)):
        with pytest.raises(TypeError):
            compile_load(schema)
