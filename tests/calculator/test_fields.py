"""The shared marshmallow fields: money in and out, finite bounded numbers, count blocks by their keys."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
import pytest

from bcf.plan import BareValue, Counts, Score, Standardised
from calculator.fields import MoneyField, Number
from calculator.json_text import dumps
from calculator.requests import PeriodPlanSchema


class Pool(ma.Schema):
    pool = MoneyField(allow_none=True)
    count = Number(minimum=0)


@pytest.mark.parametrize("sent, loaded", [
    (1000000, Decimal("1000000")), (0.1, Decimal("0.1")), ("250000.10", Decimal("250000.10")),
    (" 12.5 ", Decimal("12.5")), (1e12, Decimal("1000000000000.0")), (0, Decimal("0")),
])
def test_money_loads_exactly_via_str(sent, loaded):
    value = Pool().load({"pool": sent})["pool"]
    assert value == loaded and isinstance(value, Decimal)


@pytest.mark.parametrize("sent, fragment", [
    (True, "Not a valid amount"), ("abc", "Not a valid amount"), ([1], "Not a valid amount"),
    ({"a": 1}, "Not a valid amount"), (float("nan"), "NaN and Infinity"), ("Infinity", "NaN and Infinity"),
    ("sNaN", "NaN and Infinity"), (1e308, "Must be between 0"), (-0.01, "Must be between 0"),
    ("１０００", "Not a valid amount"), ("١٠٠٠", "Not a valid amount"),  # digits other than ASCII's
])
def test_money_refuses_what_is_not_an_amount(sent, fragment):
    with pytest.raises(ma.ValidationError) as raised:
        Pool().load({"pool": sent})
    assert fragment in raised.value.messages["pool"][0]


@pytest.mark.parametrize("amount, dumped", [
    (Decimal("83333.33"), "83333.33"), (Decimal("1000000"), "1000000.00"), (Decimal("0.005"), "0.01"),
    (Decimal("2.675"), "2.68"), (1000000000.0, "1000000000.00"), (None, None),
])
def test_money_dumps_a_decimal_to_the_penny(amount, dumped):
    """Money stays Decimal until JSON: half up to the penny, always two decimals."""
    value = Pool().dump({"pool": amount})["pool"]
    assert (None if value is None else str(value)) == dumped
    assert value is None or isinstance(value, Decimal)


def test_json_writes_money_with_two_decimals_and_text_as_utf8(app):
    document = {"pool": Decimal("1000000.00"), "name": "£ ÷ −", "share": 0.25}
    assert dumps(document) == '{"pool":1000000.00,"name":"£ ÷ −","share":0.25}'
    with app.app_context():  # and the service writes with it
        assert app.json.dumps(document) == dumps(document)


def test_json_refuses_what_it_cannot_write():
    with pytest.raises(TypeError, match="set"):
        dumps({"codes": {"E06000001"}})


@pytest.mark.parametrize("sent, fragment", [
    (-1, "at least 0"), (True, "Not a valid number"), (float("inf"), "NaN and Infinity"),
    (10**13, "too large"), ("1e999", "NaN and Infinity"),
])
def test_numbers_are_finite_and_bounded(sent, fragment):
    with pytest.raises(ma.ValidationError) as raised:
        Pool().load({"count": sent})
    assert fragment in raised.value.messages["count"][0]


@pytest.mark.parametrize("block, kind", [
    ({"numerator": 1, "denominator": 2}, Counts), ({"mean": 18.0, "sd": 3.0, "n": 40}, Score),
    ({"bands": [{"events": 1, "population": 10, "standard_population": 5}]}, Standardised),
    ({"value": 4.5}, BareValue),
])
def test_count_block_is_decided_by_its_keys(block, kind):
    loaded = PeriodPlanSchema().load({"baseline": block, "plan": 1})
    assert isinstance(loaded.baseline, kind) and loaded.actual is None


@pytest.mark.parametrize("block, fragment", [
    ({"numerator": 1, "mean": 2}, "Ambiguous count block"), ({"bands": [], "value": 1}, "Ambiguous"),
    ({"events": 1}, "Not a count block"), ({}, "Not a count block"), (5, "Must be an object"),
])
def test_count_block_refuses_mixed_or_unknown_blocks(block, fragment):
    with pytest.raises(ma.ValidationError) as raised:
        PeriodPlanSchema().load({"baseline": block, "plan": 1})
    assert fragment in raised.value.messages["baseline"][0]


def test_a_partial_block_names_its_missing_field():
    with pytest.raises(ma.ValidationError) as raised:
        PeriodPlanSchema().load({"baseline": {"mean": 1, "sd": 1}, "plan": 1})
    assert raised.value.messages == {"baseline": {"n": ["Missing data for required field."]}}
