"""Money on the wire has two decimals (api.md: ``"p4p_pool": 1000000.00``); all else is UTF-8 JSON."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from unittest.mock import patch

import pytest
from calc_example import request
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from api.json_provider import BcfJSONProvider, Pounds, _orjson_dumps


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
    assert provider.dumps(value) == json.dumps(value, ensure_ascii=False)  # the Python writer
    compact = provider.dumps(value, separators=(",", ":"))  # orjson: numbers in their shortest form
    assert same_json(compact, json.dumps(value, separators=(",", ":")))


# --- the orjson path (compact output) against the Python writer -------------------------------------

def python_writer(value) -> str:
    """The Python writer alone (what compact output was before orjson wrote it)."""
    with patch("api.json_provider._orjson_dumps", return_value=None):
        return BcfJSONProvider(Flask(__name__)).dumps(value, separators=(",", ":"))


def fast(value) -> str | None:
    data = _orjson_dumps(value)
    return None if data is None else data.decode()


def same_json(a: str, b: str) -> bool:
    """The same document, each number read exactly (orjson's 1e-5 is Python's 1e-05)."""
    return json.loads(a, parse_float=Decimal) == json.loads(b, parse_float=Decimal)


# every decade of small numbers, where orjson's form and repr() differ (0.00001 vs 1e-05, 5e-7 vs 5e-07)
small_floats = st.builds(lambda m, e, sign: sign * m * 10.0**e, st.floats(1, 10, exclude_max=True),
                         st.integers(-330, 25), st.sampled_from([1, -1]))
# text that looks like numbers, or like JSON around them, inside strings; non-ASCII of every width
tricky_text = st.text(alphabet=st.sampled_from(
    [*'0.e-5:,[]}{"\\ ', "\x7f", "\x00", "\x1f", "\n", "£", "−", "÷", "\u2028", "😀", "é"]), max_size=16)
values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text() | tricky_text
    | st.floats(allow_nan=False, allow_infinity=False) | small_floats
    | st.integers(0, 10**14).map(lambda p: Pounds(p / 100)),
    lambda children: st.lists(children, max_size=5) | st.tuples(children, children)
    | st.dictionaries(st.text(max_size=8) | tricky_text, children, max_size=5),
    max_leaves=40,
)


@settings(max_examples=1000, deadline=None)
@given(value=values)
def test_orjson_writes_what_the_python_writer_writes(value):
    text = fast(value)
    expected = python_writer(value)
    assert text is None or same_json(text, expected)
    if isinstance(value, dict | list) and not any(
            isinstance(x, int) and abs(x) >= 2**63 for x in _scalars(value)):
        assert text is not None  # no needless fallback for what answers are made of


def _scalars(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _scalars(item)
    else:
        yield value


@pytest.mark.parametrize("x", [1e-4, 9.999999999999999e-05, 1e-05, 1.5e-07, 5e-324, 1e-10, 9.99e-10,
                               1e16, 1e15, 123456789012345.6, 0.0, -0.0, 1.7976931348623157e308])
def test_floats_are_written_as_numbers_that_read_back_exactly(x):
    for value in ([x], {"a": x, "b": [-x, "0.00001"]}):
        assert json.loads(fast(value)) == json.loads(json.dumps(value))  # the same float, bit for bit
        assert same_json(fast(value), json.dumps(value))


def test_what_orjson_cannot_write_the_same_goes_to_the_python_writer():
    class Text(str):
        pass

    for value in ({"d": datetime.date(2015, 3, 31)}, {"m": Decimal("1.5")}, {1: 2}, [2**64], [Text("a")],
                  ["\ud800"]):
        assert fast(value) is None, value


def test_nan_and_infinity_are_null_in_compact_output(app):
    # the one difference from the Python writer (which wrote NaN, not JSON); answers never hold them
    assert app.json.dumps([float("nan"), float("inf")], separators=(",", ":")) == "[null,null]"


@pytest.mark.parametrize("text", ["£ − ÷ é", "😀 and 𝔘", "\x7f", "a\x7f£😀\u2028\uffff\U0010ffff", "",
                                  "with a \\ backslash £", 'a "quote" £', "new\nline ÷", "\x00\x1f é"])
def test_text_is_utf8_escaped_only_where_json_must(text):
    for value in ({"t": text}, [text, 1.5, {text: Pounds(2.5)}]):
        assert fast(value) == python_writer(value)
        assert fast(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False).replace(
            "2.5}", "2.50}")


def test_answers_are_utf8_bytes_with_the_sentences_as_written(client):
    response = client.post("/api/v1/calculations", json=request())
    assert response.mimetype == "application/json"
    data = response.get_data()
    assert data.endswith(b"}\n") and b"\\u" not in data  # no escapes: a person can read it
    assert "÷".encode() in data and "£".encode() in data
    assert json.loads(data) == json.loads(data.decode("utf-8"))


# --- reading: orjson first, the standard parser for what it refuses ----------------------------------

def json_texts():
    """JSON documents, with what orjson and the standard parser might read differently: duplicate
    keys, big and negative-zero numbers, exponents, escapes, non-ASCII, surrogate escapes, whitespace."""
    scalar = (st.sampled_from(["-0", "0.0", "-0.0", "1e400", "-1e400", "1E-400", "2.5e-324", "1e5",
                               "123456789012345678901234567890", "18446744073709551616",
                               "-9223372036854775809",
                               "9223372036854775807", "0.1", "NaN", "Infinity", "-Infinity", "true", "null",
                               '"\\ud800"', '"\\ud83d\\ude00"', '"\\u00a3"', '"£ ÷"', '"\\n\\t\\\\\\""'])
              | st.floats(allow_nan=False, allow_infinity=False).map(repr)
              | st.integers(-(2**70), 2**70).map(str) | st.text(max_size=6).map(json.dumps))
    return st.recursive(
        scalar,
        lambda inner: st.lists(inner, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]")
        | st.lists(st.tuples(st.sampled_from(['"a"', '"b"', '"£"']), inner), max_size=4).map(
            lambda kv: "{" + " , ".join(f"{k}: {v}" for k, v in kv) + "}"),
        max_leaves=20,
    )


def read_standard(text):
    return json.loads(text)


@settings(max_examples=1000, deadline=None)
@given(text=json_texts(), as_bytes=st.booleans())
def test_a_body_reads_as_the_standard_parser_reads_it(text, as_bytes):
    app = Flask(__name__)
    app.json = BcfJSONProvider(app)
    body = text.encode("utf-8", "surrogatepass") if as_bytes else text
    try:
        expected = read_standard(body)
    except ValueError as error:
        with pytest.raises(ValueError) as raised:
            app.json.loads(body)
        assert str(raised.value) == str(error)  # the 400 names the same place
        return
    got = app.json.loads(body)
    assert json.dumps(got) == json.dumps(expected)  # types and values, NaN and -0.0 included
    assert [type(x) for x in _scalars(got)] == [type(x) for x in _scalars(expected)]


def test_bodies_orjson_refuses_are_read_as_before(app):
    for body in (b'{"a": NaN}', "[1e999999]", b"[18446744073709551616]", b"[-9223372036854775809]",
                 b'{"x": "0123456789012345678", "n": [18446744073709551616]}', b"[1234567890123456789012]",
                 '["\\ud800"]',
                 '{"a": 1}'.encode("utf-16"), "[" * 900 + "]" * 900):
        assert json.dumps(app.json.loads(body)) == json.dumps(json.loads(body))
    with pytest.raises(RecursionError):  # as before: api.errors.json_body answers it with a 400
        app.json.loads("[" * 2000 + "]" * 2000)
    with pytest.raises(ValueError, match="Expecting value: line 1 column 7"):
        app.json.loads(b'{"a": }')
