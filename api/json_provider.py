"""JSON out: money is written with exactly two decimals, as spec/api.md shows (``"p4p_pool": 1000000.00``).

A JSON number has no notion of trailing zeros, and the standard encoder writes a float's shortest form
(``1000000.0``). :class:`Pounds` marks an amount already rounded to the penny; this provider writes it
as ``1000000.00`` and everything else as standard JSON. A :class:`Pounds` is a ``float``, so a response
dict stays JSON-ready for any other consumer (a CSV writer, a JSON column: ``str()`` gives the two
decimals, ``json.dumps`` a valid number).

Answers are UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is UTF-8): an explanation's "£", "÷"
and "−" travel as themselves, not as ``\\u00a3`` escapes that a person reading the answer has to decode.
Compact output (what every JSON response of Flask's is: ``separators=(",", ":")``) is written by
orjson, a C encoder, straight to the response's bytes; what orjson cannot write (ints beyond 64 bits,
non-string keys, lone surrogates, dates, Decimal) goes to the Python writer below, which writes the
same JSON. Numbers are each float's shortest round-trip form: orjson writes 1e-5 where Python's
``repr`` writes 1e-05 (the same number to every JSON reader).
"""

from __future__ import annotations

import math
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider


class Pounds(float):
    """An amount in pounds, rounded to the penny: written and printed with two decimals."""

    __slots__ = ()

    def __repr__(self) -> str:
        return format(self, ".2f")

    __str__ = __repr__


class _Fallback(Exception):
    """A value this writer leaves to the standard encoder (NaN, non-string keys)."""


class BcfJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, writing UTF-8 and :class:`Pounds` with two decimals.

    Pretty-printed output (``indent``, debug mode) and anything unusual go to the standard encoder,
    where amounts are still correct numbers, only without the trailing zero.
    """

    ensure_ascii = False  # UTF-8 answers (module docstring)
    sort_keys = False  # answers keep the field order of api.md and the schemas

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """Flask's ``jsonify``: a compact answer is orjson's bytes as they are (no str made and encoded
        again); anything else as Flask writes it."""
        compact = self.compact if self.compact is not None else not self._app.debug
        if compact and not self.sort_keys:
            data = _orjson_dumps(self._prepare_response_obj(args, kwargs))
            if data is not None:
                return self._app.response_class(data + b"\n", mimetype=self.mimetype)
        return super().response(*args, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """A request body (bytes, as Flask hands it over) read by orjson (a C parser, ~2.5× faster on a
        plan) when it reads it as the standard parser does; otherwise by the standard parser, as it
        always was. orjson refuses NaN and Infinity literals (the standard parser reads them; the schema
        then refuses them), UTF-16 and UTF-32 bytes, lone surrogates, nesting deeper than its limit and
        every malformed body (so a 400's message is the standard parser's); an integer beyond 64 bits it
        reads as a float, so a body with a run of 19 digits or more goes to the standard parser whole.
        ``tests/api/test_json_provider.py`` compares the two on generated documents."""
        # the digit-run test as a translate and a substring search: ~4 µs for a plan, a regex ~65 µs
        if type(s) is bytes and not kwargs and _LONG_RUN not in s.translate(_DIGITS_AS_ZERO):
            try:
                return orjson.loads(s)
            except orjson.JSONDecodeError:
                pass
        return super().loads(s, **kwargs)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs.get("indent") is None and set(kwargs) <= {"separators", "indent"}:
            item, key = kwargs.get("separators") or (", ", ": ")
            if item == "," and key == ":" and not self.sort_keys and not self.ensure_ascii:
                data = _orjson_dumps(obj)
                if data is not None:
                    return data.decode()
            string = encode_basestring_ascii if self.ensure_ascii else encode_basestring
            # writers of the common scalar types, by exact type: dicts and lists write these inline,
            # without a call to _write per value (most of a response is such values)
            scalars = {str: string, float: _float, Pounds: _pounds, int: int.__repr__,
                       bool: _bool, type(None): _null}
            parts: list[str] = []
            try:
                self._write(obj, parts, string, item, key, scalars)
                return "".join(parts)
            except _Fallback:
                pass
        return super().dumps(obj, **kwargs)

    def _write(self, o: Any, parts: list[str], string: Any, item: str, key: str,
               scalars: dict[type, Any]) -> None:
        scalar = scalars.get(type(o))
        if scalar is not None:
            parts.append(scalar(o))
        elif isinstance(o, str):
            parts.append(string(o))
        elif o is None:
            parts.append("null")
        elif o is True:
            parts.append("true")
        elif o is False:
            parts.append("false")
        elif isinstance(o, Pounds):
            parts.append(_pounds(o))
        elif isinstance(o, float):
            parts.append(_float(o))
        elif isinstance(o, int):
            parts.append(int.__repr__(o))
        elif isinstance(o, dict):
            parts.append("{")
            entries = sorted(o.items()) if self.sort_keys else o.items()
            first = True
            for name, value in entries:
                if not isinstance(name, str):
                    raise _Fallback
                if not first:
                    parts.append(item)
                first = False
                parts.append(string(name))
                parts.append(key)
                scalar = scalars.get(type(value))
                if scalar is not None:
                    parts.append(scalar(value))
                else:
                    self._write(value, parts, string, item, key, scalars)
            parts.append("}")
        elif isinstance(o, list | tuple):
            parts.append("[")
            for i, value in enumerate(o):
                if i:
                    parts.append(item)
                scalar = scalars.get(type(value))
                if scalar is not None:
                    parts.append(scalar(value))
                else:
                    self._write(value, parts, string, item, key, scalars)
            parts.append("]")
        else:  # dates, Decimal, dataclasses, …
            self._write(self.default(o), parts, string, item, key, scalars)


# orjson hands these to _fragment, which refuses all but Pounds: the Python writer then writes them (a
# str or int subclass, a date: Flask's http_date, a dataclass: Flask's asdict)
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME \
    | orjson.OPT_PASSTHROUGH_DATACLASS


# integers from 19 digits may lie beyond 64 bits, where orjson reads a float: every digit becomes "0"
# and every other byte " ", so such a number is a run of 19 zeros (text in strings too: the standard
# parser then reads that body, which is only slower)
_DIGITS_AS_ZERO = bytes(ord("0") if chr(i).isdigit() and i < 128 else ord(" ") for i in range(256))
_LONG_RUN = b"0" * 19


def _orjson_dumps(obj: Any) -> bytes | None:
    """``obj`` as compact UTF-8 JSON, or None when orjson cannot write it as the Python writer would.

    orjson writes str, int, float, bool, None, dict, list and tuple as JSON; a :class:`Pounds` is
    written with two decimals (:func:`_fragment`). What orjson refuses (other types, ints beyond 64
    bits, non-string keys, lone surrogates, very deep nesting) returns None: the Python writer decides.
    orjson writes NaN and Infinity as null where the standard encoder writes NaN (not JSON); the
    answers never hold either (bcf.validation refuses the plans that would make them).
    """
    try:
        return orjson.dumps(obj, default=_fragment, option=_ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError
        return None


def _fragment(o: Any) -> orjson.Fragment:
    if type(o) is Pounds:
        return orjson.Fragment(_pounds(o))
    raise TypeError  # the Python writer decides


def _float(o: float) -> str:
    if not math.isfinite(o):
        raise _Fallback
    return float.__repr__(o)


def _pounds(o: Pounds) -> str:
    return format(o, ".2f")


def _bool(o: bool) -> str:
    return "true" if o else "false"


def _null(o: None) -> str:
    return "null"


__all__ = ["BcfJSONProvider", "Pounds"]
