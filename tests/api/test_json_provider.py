"""Money on the wire has two decimals (api.md: ``"p4p_pool": 1000000.00``); all else is standard JSON."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from calc_example import request
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from api.json_provider import BcfJSONProvider, Pounds


def test_amounts_are_written_with_two_decimals(client):
    text = client.post("/api/v1/calculations", json=request()).get_data(as_text=True)
    assert text.startswith('{"hwb_code":"E06000001","rule_set":"bcf-2015-16","p4p_pool":1000000.00,')
    assert '"totals":{"available":1000000.00,' in text
    assert '"held_back":0.00' in text  # the conditions tranche: nothing held back
    assert '"share":0.25' in text  # a ratio, not money: shortest form


def test_pounds_is_a_float_that_prints_two_decimals():
    amount = Pounds(1000000)
    assert amount == 1000000.0 and isinstance(amount, float)
    assert (str(amount), repr(amount), f"{amount}") == ("1000000.00", "1000000.00", "1000000.00")
    assert json.loads(json.dumps({"a": amount})) == {"a": 1000000.0}  # still valid JSON elsewhere


def test_everything_else_matches_flasks_default_provider(app):
    value = {"s": "£ \"quoted\"\n", "n": None, "t": True, "f": False, "i": -3, "x": 0.1, "l": [1, (2, 3)],
             "d": datetime.date(2015, 3, 31), "m": Decimal("1.50"), "nested": {"p": Pounds(2.5)}}
    text = app.json.dumps(value)
    assert json.loads(text) == {**json.loads(json.dumps({k: v for k, v in value.items()
                                                         if k not in ("d", "m", "nested")})),
                                "d": "Tue, 31 Mar 2015 00:00:00 GMT", "m": "1.50", "nested": {"p": 2.5}}
    assert '"p": 2.50' in text


def test_unusual_values_fall_back_to_the_standard_encoder(app):
    assert app.json.dumps({1: Pounds(2)}) == '{"1": 2.0}'  # non-string key
    assert app.json.dumps([float("nan")]) == "[NaN]"
    assert app.json.dumps({"a": Pounds(1)}, indent=2) == '{\n  "a": 1.0\n}'


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False)
    # amounts whose shortest form already has two decimals print the same either way
    | st.integers(0, 10**12).filter(lambda p: p % 10).map(lambda p: Pounds(p / 100)),
    lambda children: st.lists(children, max_size=5) | st.tuples(children, children)
    | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(value=json_values)
def test_the_writer_writes_what_the_standard_encoder_writes(value):
    provider = BcfJSONProvider(Flask(__name__))
    for separators in ((",", ":"), None):
        kwargs = {} if separators is None else {"separators": separators}
        assert provider.dumps(value, **kwargs) == json.dumps(value, **kwargs)
