"""The compiled response dumpers give exactly what the schemas' own ``dump`` gives: same keys in the same
order, same values, same Python types (``1`` and ``1.0`` are equal in Python but not on the wire)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import marshmallow as ma
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import fields, post_dump

from api.calculations.results import AmbitionsSchema, DeterminationSchema
from api.dumpers import _unchanged, compile_dump
from api.fields import MoneyField
from bcf.catalogue import load_catalogue
from bcf.determination import assess_ambitions, determine
from bcf.rules import load_rule_sets
from tests.bcf.conftest import CATALOGUE_FILE, RULES_DIR, plan_from_json, rule_set_with
from tests.bcf.test_properties import requests
from tests.bcf.test_scenarios import SCENARIOS
from tests.bcf.test_scenarios import load as load_scenario

DUMP_DETERMINATION = compile_dump(DeterminationSchema())
DUMP_AMBITIONS = compile_dump(AmbitionsSchema())
MODES = [(mode, share) for mode in ("pro_rata", "all_or_nothing") for share in ("held_back", "redistribute")]


def assert_identical(fast: Any, reference: Any, path: str = "$") -> None:
    """Equal, with the same type at every level and dict keys in the same order."""
    assert type(fast) is type(reference), (path, type(fast), type(reference))
    if isinstance(reference, dict):
        assert list(fast) == list(reference), path
        for key in reference:
            assert_identical(fast[key], reference[key], f"{path}.{key}")
    elif isinstance(reference, list):
        assert len(fast) == len(reference), path
        for i, (a, b) in enumerate(zip(fast, reference, strict=True)):
            assert_identical(a, b, f"{path}[{i}]")
    else:
        assert fast == reference, path


@pytest.fixture(scope="module")
def rule_set():
    return load_rule_sets(RULES_DIR)["bcf-2015-16"]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(CATALOGUE_FILE)


@pytest.fixture(scope="module")
def rule_sets(tmp_path_factory):
    return {(mode, share): rule_set_with(tmp_path_factory.mktemp(f"{mode}-{share}"), payment_mode=mode,
                                         unassessable_metric_share=share) for mode, share in MODES}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests(), mode=st.sampled_from(MODES))
def test_determinations_and_ambitions_dump_as_the_schemas_do(rule_sets, catalogue, request, mode):
    raw, pool = request
    plan = plan_from_json(raw)
    determination = determine(plan, rule_sets[mode], catalogue, pool)
    assert_identical(DUMP_DETERMINATION(determination), DeterminationSchema().dump(determination))
    ambitions = assess_ambitions(plan, rule_sets[mode], catalogue, pool)
    assert_identical(DUMP_AMBITIONS(ambitions), AmbitionsSchema().dump(ambitions))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_the_scenarios_dump_as_the_schema_does(path, rule_set, catalogue, tmp_path):
    scenario = load_scenario(path)
    rules = rule_set_with(tmp_path, **scenario["rule_set_changes"]) if scenario.get("rule_set_changes") \
        else rule_set
    determination = determine(plan_from_json(scenario["request"]), rules, catalogue,
                              Decimal(scenario["p4p_pool"]))
    assert_identical(DUMP_DETERMINATION(determination), DeterminationSchema().dump(determination))


@dataclass
class Row:
    text: Any
    ratio: Any
    count: Any
    flag: Any
    amount: Any
    items: Any
    child: Any
    children: Any = None


class ChildSchema(ma.Schema):
    name = fields.String(data_key="label")


class RowSchema(ma.Schema):
    text = fields.String(allow_none=True)
    ratio = fields.Float(allow_none=True)
    count = fields.Integer(allow_none=True)
    flag = fields.Boolean(allow_none=True)
    amount = MoneyField(allow_none=True)
    items = fields.List(fields.Float(), allow_none=True)
    child = fields.Nested(ChildSchema, allow_none=True)
    children = fields.List(fields.Nested(ChildSchema), allow_none=True)


@dataclass
class Child:
    name: Any


@pytest.mark.parametrize("row", [
    Row("a", 0.5, 3, True, Decimal("12.3"), [1.5, 2], Child("x")),
    Row(None, None, None, None, None, None, None),
    # values not of the field's exact type take the field's own conversion
    Row(7, 1, 2.9, 1, Decimal("0.005"), [1, True], Child(3)),
    Row("£ ≥", Decimal("0.25"), True, 0, 5, [], Child(None)),
    # lists of nested objects, a None item among them (written null)
    Row("b", 2.5, 1, False, Decimal("1000000.0"), [], None, [Child("y"), None, Child(2)]),
    Row("c", -0.0, -1, None, 12.345, None, None, []),
])
def test_each_kind_of_field_converts_as_marshmallow_does(row):
    assert_identical(compile_dump(RowSchema())(row), RowSchema().dump(row))


def test_what_it_cannot_reproduce_is_refused_when_compiling():
    class Hooked(ma.Schema):
        a = fields.String()

        @post_dump
        def change(self, data, **kwargs):
            return data

    class Many(ma.Schema):
        rows = fields.Nested(ChildSchema, many=True)

    class Dotted(ma.Schema):
        a = fields.String(attribute="child.name")

    class AsString(ma.Schema):
        a = fields.Float(as_string=True)

    for schema in (Hooked(), Many(), Dotted(), AsString(), ChildSchema(many=True)):
        with pytest.raises(TypeError):
            compile_dump(schema)


def _response_fields():
    seen, found = set(), []

    def walk(schema):
        if type(schema) in seen:
            return
        seen.add(type(schema))
        for name, field in schema.fields.items():
            found.append((name, field))
            inner = field.inner if isinstance(field, fields.List) else field
            if isinstance(inner, fields.Nested):
                walk(inner.schema)

    walk(DeterminationSchema())
    walk(AmbitionsSchema())
    return found


@pytest.mark.parametrize("name, field", _response_fields())
def test_values_passed_unchanged_are_what_the_field_writes_unchanged(name, field):
    for value in (None, "x", "", 0, 7, 1.5, -0.0, True, False, Decimal("2.50"), [1.5], {"a": 1}):
        if type(value) in _unchanged(field):
            written = field.serialize(name, {name: value})
            assert type(written) is type(value) and written == value, (name, value)
