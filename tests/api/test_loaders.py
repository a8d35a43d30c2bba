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
from marshmallow import ValidationError, fields, pre_load, validate, validates_schema
from test_calculation_fuzz import _paths, json_leaves, json_values

from api.calculations.schemas import CalculationRequestSchema
from api.fields import BoundedList, CountBlock, KeyedMap, Number
from api.loaders import _leaf_loader, compile_load
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


# --- leaf fields: the direct checks against the field's own deserialize -----------------------------


def leaf_fields() -> list[fields.Field]:
    """Every leaf field of the request's schemas (list fields of leaves included), and a few more kinds."""
    found: list[fields.Field] = []
    seen: set[type] = set()

    def walk(schema: ma.Schema) -> None:
        if type(schema) in seen:
            return
        seen.add(type(schema))
        for field in schema.fields.values():
            visit(field)

    def visit(field: fields.Field) -> None:
        if isinstance(field, fields.Nested):
            walk(field.schema)
        elif isinstance(field, CountBlock):
            for schema in field._schemas.values():
                walk(schema)
        elif isinstance(field, KeyedMap):
            visit(field.value_field)
        elif isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
            visit(field.inner)
        else:
            found.append(field)

    walk(SCHEMA)
    extra = ma.Schema.from_dict({
        "many_checks": fields.String(validate=[validate.Length(min=2), validate.OneOf(["ab", "abc", "x"])]),
        "no_truthy": fields.Boolean(truthy=set()), "open_number": Number(minimum=None),
        "nullable": Number(allow_none=True, load_default=1.5), "other_check": fields.String(
            validate=validate.Regexp("a+")), "plain_float": fields.Float()})()
    return found + list(extra.fields.values())


LEAVES = leaf_fields()
leaf_values = (
    json_leaves | st.just(ma.missing) | st.sampled_from(
        [0, 0.0, -0.0, 2, 2.0, 1.9999999, 1, 10**12, 10**12 + 1, -(10**12), 1e12, 1e12 + 0.5, -1e-300,
         2**53 + 1, 10**400, "", "a" * 64, "a" * 65, "a" * 500, "a" * 501, "ab", "abc", "x", "rate", "dsr",
         "higher", True, False, 1.0, "true", "1", [], [1.5, 2], [1.5, "2"], [True], ["a", ""], ["a"] * 101,
         (1.0,), float("inf"), float("-inf"), float("nan")]))


def test_no_leaf_takes_a_non_finite_number_directly():
    # found by the test below: a Number without a minimum took -inf (session 3); deserialize refuses it
    for field in LEAVES:
        for value in (float("inf"), float("-inf"), float("nan")):
            assert leaf_outcome(_leaf_loader(field), value) == leaf_outcome(field.deserialize, value)


def leaf_outcome(load, value):
    try:
        result = load(value, "key", {"key": value})
    except ValidationError as error:
        return "refused", error.messages
    return type(result), result if not isinstance(result, list) else [(type(x), x) for x in result]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.sampled_from(range(len(LEAVES))), value=leaf_values)
def test_a_leaf_loads_as_its_fields_deserialize(index, value):
    field = LEAVES[index]
    assert leaf_outcome(_leaf_loader(field), value) == leaf_outcome(field.deserialize, value)


def test_the_common_leaves_are_checked_directly():
    kinds = (Number, fields.String, fields.Boolean, BoundedList)
    direct = [f for f in LEAVES if type(f) in kinds and _leaf_loader(f) != f.deserialize]
    assert {type(f) for f in direct} == set(kinds)
    assert _leaf_loader(LEAVES[-2]) == LEAVES[-2].deserialize  # a Regexp: deserialize decides


def _edited(edit) -> dict:
    body = json.loads(json.dumps(full_plan()))
    edit(body)
    return body


def _period(body: dict) -> dict:
    return body["metrics"][0]["periods"]["april-2015"]


@pytest.mark.parametrize("edit", [
    lambda b: b["metrics"][0].update(periods={"p" * 41: _period(b)}),
    lambda b: b["metrics"][0].update(periods={"p" * 40: _period(b)}),
    lambda b: b["metrics"][0].update(periods={}),
    lambda b: b["metrics"][0].update(periods={f"p{i}": _period(b) for i in range(11)}),
    lambda b: b["metrics"][0].update(periods={f"p{i}": _period(b) for i in range(10)}),
    lambda b: _period(b).update(baseline={"numerator": 1, "denominator": 2, "mean": 3}),
    lambda b: _period(b).update(baseline={"numerator": 1, "denominator": 2, "extra": 3}),
    lambda b: _period(b).update(baseline={"numerator": 1}),
    lambda b: _period(b).update(actual={"value": 1}),
    lambda b: _period(b).update(actual=None, history=None),
    lambda b: _period(b).pop("baseline"),
    lambda b: b.pop("metrics"),
    lambda b: b.update(metrics=[b["metrics"][0]] * 51),
    lambda b: b["conditions"].update(data_sharing={}),
])
def test_edge_requests_get_the_schemas_answer(edit):
    assert_same_outcome(_edited(edit))
