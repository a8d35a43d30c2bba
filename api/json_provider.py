"""JSON out: money is written with exactly two decimals, as spec/api.md shows (``"p4p_pool": 1000000.00``).

A JSON number has no notion of trailing zeros, and the standard encoder writes a float's shortest form
(``1000000.0``). :class:`Pounds` marks an amount already rounded to the penny; this provider writes it
as ``1000000.00`` and everything else exactly as Flask's default provider would. A :class:`Pounds` is a
``float``, so a response dict stays JSON-ready for any other consumer (a CSV writer, a JSON column:
``str()`` gives the two decimals, ``json.dumps`` a valid number).

Compact output (what every JSON response of Flask's is: ``separators=(",", ":")``) is written by
orjson, a C encoder, about ten times faster than the writer in Python; the bytes are the same as the
Python writer's. :func:`_orjson_dumps` says how, and hands anything it cannot write identically back to
the Python writer; ``tests/api/test_json_provider.py`` compares the two on generated documents.
"""

from __future__ import annotations

import math
import re
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

import orjson
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
    """Flask's JSON provider, writing :class:`Pounds` with two decimals.

    Pretty-printed output (``indent``, debug mode) and anything unusual go to the standard encoder,
    where amounts are still correct numbers, only without the trailing zero.
    """

    sort_keys = False  # answers keep the field order of api.md and the schemas

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs.get("indent") is None and set(kwargs) <= {"separators", "indent"}:
            item, key = kwargs.get("separators") or (", ", ": ")
            if item == "," and key == ":" and not self.sort_keys:
                text = _orjson_dumps(obj, self.ensure_ascii)
                if text is not None:
                    return text
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
# str or int subclass, a date: Flask's http_date, a dataclass: Flask's asdict) exactly as before
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME \
    | orjson.OPT_PASSTHROUGH_DATACLASS
# How orjson writes some floats with 0 < |x| < 1e-4, where repr() differs: 0.00001 (repr: 1e-05) and
# 5e-7 (repr: 5e-07). Above 1e-4 and from 1e-10 down, both write the same shortest round-trip digits.
_SMALL_FLOAT = re.compile(rb"0\.0000|e-[0-9](?![0-9])")
_NUMBER = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?")
_NUMBER_BYTES = frozenset(b"0123456789.e-+")


def _orjson_dumps(obj: Any, ensure_ascii: bool) -> str | None:
    """``obj`` as the Python writer writes it compactly, or None when orjson cannot give those bytes.

    orjson writes str, int, float, bool, None, dict, list and tuple as the standard encoder does, with
    three differences that are undone here: a :class:`Pounds` is written with two decimals
    (:func:`_fragment`); a float below 1e-4 in size may be written in another form than ``repr()``
    (:func:`_repr_small_floats`); and characters from U+007F up are written raw, not escaped
    (:func:`_escape_non_ascii`, when ``ensure_ascii``). What orjson refuses (other types, ints beyond
    64 bits, non-string keys, lone surrogates, very deep nesting) returns None: the Python writer
    decides. orjson writes NaN and Infinity as null where the standard encoder writes NaN; the
    answers never hold either (bcf.validation refuses the plans that would make them).
    """
    try:
        data = orjson.dumps(obj, default=_fragment, option=_ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError
        return None
    if b"0.0000" in data or b"e-" in data:
        data = _repr_small_floats(data)
        if data is None:
            return None
    if ensure_ascii and (not data.isascii() or b"\x7f" in data):
        return _escape_non_ascii(data)
    return data.decode()


def _fragment(o: Any) -> orjson.Fragment:
    if type(o) is Pounds:
        return orjson.Fragment(_pounds(o))
    raise TypeError  # the Python writer decides


def _repr_small_floats(data: bytes) -> bytes | None:
    """orjson's JSON with every number in a form of :data:`_SMALL_FLOAT` rewritten as ``repr()``
    writes it; None for a document that is not an object or an array (never an answer).

    A hit is a number, not text in a string, when it is a whole JSON number between ``:``, ``,`` or
    ``[`` and ``,``, ``]`` or ``}`` and an even number of unescaped quotes precede it. To count those,
    each escaped backslash ``\\\\`` is blanked first (read left to right, every backslash starts an
    escape and only that one ends in a backslash), so that each ``\\"`` left is an escaped quote.
    orjson writes the shortest digits that round-trip, so ``float()`` of them is the float it was given.
    """
    if data[:1] not in (b"{", b"["):
        return None
    plain = data.replace(b"\\\\", b"  ") if b"\\" in data else data  # same length, same positions
    pieces, end = [], 0
    for hit in _SMALL_FLOAT.finditer(data):
        start = hit.start()
        if start < end:
            continue  # inside the number just rewritten
        while data[start - 1] in _NUMBER_BYTES:
            start -= 1
        stop = hit.end()
        while data[stop] in _NUMBER_BYTES:
            stop += 1
        if data[start - 1] not in b":,[" or data[stop] not in b",]}" \
                or not _NUMBER.fullmatch(data, start, stop) \
                or (plain.count(b'"', 0, start) - plain.count(b'\\"', 0, start)) % 2:
            continue  # text inside a string
        pieces += (data[end:start], float.__repr__(float(data[start:stop])).encode())
        end = stop
    if not pieces:
        return data
    pieces.append(data[end:])
    return b"".join(pieces)


def _escape_non_ascii(data: bytes) -> str:
    """orjson's JSON with each character from U+007F up written ``\\uXXXX`` (a surrogate pair above
    U+FFFF), as the standard encoder's ``ensure_ascii`` writes it. Such characters occur only inside
    strings, raw.

    Without a backslash in ``data`` (answers have none: no quotes or control characters in their text),
    Python's own ``backslashreplace`` writes each of them as ``\\xHH``, ``\\uHHHH`` or ``\\UHHHHHHHH``
    (lowercase hex, as json), so every backslash after it starts one of those: ``\\xHH`` becomes
    ``\\u00HH`` and ``\\UHHHHHHHH`` a surrogate pair; DEL is ASCII, escaped separately.
    Otherwise :func:`_escape_with_json`.
    """
    if b"\\" in data:
        return _escape_with_json(data.decode())
    # split/join and one-byte searches: bytes.replace and a two-byte `in` scan each byte more slowly
    escaped = b"\\u00".join(data.decode().encode("ascii", "backslashreplace").split(b"\\x"))
    if any(lead in data for lead in _ASTRAL_LEADS):  # UTF-8 lead bytes of U+10000 and above
        escaped = _ASTRAL.sub(_surrogate_pair, escaped)
    if b"\x7f" in escaped:
        escaped = escaped.replace(b"\x7f", b"\\u007f")
    return escaped.decode("ascii")


_ASTRAL = re.compile(rb"\\U([0-9a-f]{8})")
_ASTRAL_LEADS = (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")


def _surrogate_pair(match: re.Match[bytes]) -> bytes:
    return encode_basestring_ascii(chr(int(match.group(1), 16)))[1:-1].encode("ascii")


def _escape_with_json(text: str) -> str:
    """:func:`_escape_non_ascii` for any orjson output ``text``.

    ``encode_basestring_ascii`` (the standard encoder's own C function) escapes those characters so,
    and also ``"`` as ``\\"`` and ``\\`` as ``\\\\``; it has nothing else to escape (orjson writes no
    raw control character). Reading the result left to right, every backslash starts one of those
    three escapes, so turning each ``\\\\`` (through a NUL, which the function never leaves raw) and
    each ``\\"`` back leaves only the ``\\uXXXX`` escapes.
    """
    escaped = encode_basestring_ascii(text)[1:-1]
    return escaped.replace("\\\\", "\x00").replace('\\"', '"').replace("\x00", "\\")


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
