"""A response schema compiled into a plain function: the same dict as ``schema.dump``, a few times faster.

``marshmallow``'s ``dump`` is generic: for every value of every object it looks the field up, calls
``serialize``, an accessor, ``get_value`` and the field's ``_serialize``. For a determination (~1,100
values, ~60 nested objects) that is about 1 ms of the calculator's time per request. :func:`compile_dump`
reads the schema once and returns a function that does only the per-value work, keeping the schema as
the one definition of the response (names, order, types, and the OpenAPI document): one
``attrgetter`` call reads an object's attributes, and a value of a type its field writes unchanged
(``None``, a ``str`` for a ``String``, …: :func:`_unchanged`) is used as it is, without a call. The
function of each schema is written out as Python source from the schema's fields, one line per field,
and compiled (:func:`_function`), as :mod:`dataclasses` writes ``__init__``: a loop over the fields
cost about as much again as the values themselves.

What it reproduces exactly (``tests/api/test_dumpers.py`` compares it with ``schema.dump`` on many
generated determinations, types included): field order and ``data_key``; ``None`` as null;
``String``, ``Float``, ``Integer`` and ``Boolean`` values already of their exact type passed through
(which is what their ``_serialize`` returns for them) and anything else handed to the field's own
``_serialize``; ``Nested`` and ``List`` recursively; every other field (``MoneyField``) through its own
``_serialize``. What it cannot reproduce, it refuses when compiling rather than dump differently: dump
hooks, ``many``/``only``/``exclude`` on nested schemas, dotted attributes, ``as_string`` numbers.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from marshmallow import fields

from api.fields import MoneyField, pounds

Dump = Callable[[Any], dict[str, Any]]
Convert = Callable[[Any, Any], Any]  # (value, the object it came from) -> JSON-ready value

# field class -> the exact type whose values its _serialize returns unchanged
_PASS_THROUGH: tuple[tuple[type[fields.Field], type], ...] = (
    (fields.String, str),
    (fields.Float, float),
    (fields.Integer, int),
)


def compile_dump(schema: ma.Schema, *, none: bool = False) -> Dump:
    """The function ``obj -> schema.dump(obj)`` for one object, without marshmallow's per-value overhead.

    :param none: answer None for None (as a ``Nested`` field writes a None item of a list).
    :raise TypeError: the schema uses a feature this compiler does not reproduce (see the module doc).
    """
    if schema.many or any(schema._hooks[tag] for tag in ("pre_dump", "post_dump")):
        raise TypeError(f"{type(schema).__name__}: many and dump hooks are not supported")
    steps = []
    for name, field in schema.dump_fields.items():
        attribute = field.attribute or name
        if "." in attribute:
            raise TypeError(f"{type(schema).__name__}.{name}: dotted attributes are not supported")
        key = field.data_key if field.data_key is not None else name
        steps.append((key, attribute, field, _converter(field, name, f"{type(schema).__name__}.{name}"),
                      _unchanged(field)))
    if not steps:
        return (lambda obj: None if obj is None else {}) if none else (lambda obj: {})
    return _function(type(schema).__name__, steps, none)


def _function(name: str, steps: list[tuple[str, str, fields.Field, Convert, frozenset[type]]],
              none: bool) -> Dump:
    """The dump function of one schema, written out as Python source and compiled (as ``dataclasses``
    writes a class's ``__init__``): one line per field, so that each value costs a local variable, an
    identity test of its type and a store, with no loop, tuple or lookup around it.

    For ``EstimateSchema`` (``value`` a Float, ``method`` a String, …) the source is::

        def dump(obj):
            v0, v1, v2, v3 = values(obj)
            return {
                'value': v0 if type(v0) is t0_0 or v0 is None else convert0(v0, obj),
                ...
                'method': v3 if type(v3) is t3_0 or v3 is None else convert3(v3, obj),
            }

    Each value is left as it is exactly when its type is in the field's :func:`_unchanged` set (a test
    per type: ``type(v) is T``, ``v is None``, or ``v is True or v is False`` for ``bool``, the only
    two values of that type), else handed to the field's :func:`_converter`: the comprehension
    ``{key: value if type(value) in unchanged else convert(value, obj)}``, unrolled. Three converters
    are called without their wrapping lambda, the value not being None there: a ``Nested`` field's
    dump function, a ``List`` of ``Nested``'s (mapped over the list), and :func:`api.fields.pounds`
    for a ``MoneyField``. With ``none``, the function starts with ``if obj is None: return None``.
    """
    namespace: dict[str, Any] = {}
    # one C call reads every attribute (a 1-tuple by hand: attrgetter of one name answers the value)
    attributes = [step[1] for step in steps]
    namespace["values"] = operator.attrgetter(*attributes) if len(attributes) > 1 \
        else lambda obj, get=operator.attrgetter(attributes[0]): (get(obj),)
    entries = []
    for i, (key, _, field, convert, unchanged) in enumerate(steps):
        value = f"v{i}"
        namespace[f"convert{i}"] = convert
        tests = []
        for j, kind in enumerate(sorted(unchanged, key=lambda kind: kind is _NONE)):  # None last
            if kind is _NONE:
                tests.append(f"{value} is None")
            elif kind is bool:
                tests.append(f"{value} is True or {value} is False")
            else:
                namespace[f"t{i}_{j}"] = kind
                tests.append(f"type({value}) is t{i}_{j}")
        converted = _direct(field, value, f"direct{i}", namespace) or f"convert{i}({value}, obj)"
        entries.append(f"{key!r}: {value} if {' or '.join(tests)} else {converted}" if tests else
                       f"{key!r}: {converted}")
    names = ", ".join(f"v{i}" for i in range(len(steps)))
    source = ("def dump(obj):\n" + ("    if obj is None:\n        return None\n" if none else "")
              + f"    {names}, = values(obj)\n    return {{\n"
              + "".join(f"        {entry},\n" for entry in entries) + "    }\n")
    exec(compile(source, f"<dump {name}>", "exec"), namespace)  # noqa: S102 (our own source, above)
    dump = namespace["dump"]
    dump.source = source
    return dump


def _direct(field: fields.Field, value: str, name: str, namespace: dict[str, Any]) -> str | None:
    """The expression converting ``value`` (never None) without :func:`_converter`'s lambda around it,
    for the fields where that lambda only tests for None and calls one function; else None."""
    if isinstance(field, fields.Nested):  # _converter checked the options it refuses
        namespace[name] = compile_dump(field.schema)
        return f"{name}({value})"
    if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
        namespace[name] = compile_dump(field.inner.schema, none=True)  # a None item is written null
        return f"list(map({name}, {value}))"
    if _inherits_serialize(field, MoneyField):
        namespace[name] = pounds
        return f"{name}({value})"
    return None


_NONE = type(None)


def _unchanged(field: fields.Field) -> frozenset[type]:
    """The exact types whose values :func:`_converter`'s function for ``field`` answers unchanged."""
    if isinstance(field, fields.Nested | fields.List) or _inherits_serialize(field, MoneyField):
        return frozenset({_NONE})  # None stays None
    if isinstance(field, fields.Number) and field.as_string:
        return frozenset()  # refused by _converter
    if _inherits_serialize(field, fields.Boolean):
        return frozenset({bool, _NONE})  # Field._serialize: the value itself
    for kind, exact in _PASS_THROUGH:
        if _inherits_serialize(field, kind):
            return frozenset({exact, _NONE})  # its _serialize: None for None, exact values as they are
    return frozenset()


def _converter(field: fields.Field, attr: str, where: str) -> Convert:
    """How one field turns a value into its JSON-ready form (``None`` stays ``None`` for all).

    :param attr: the schema's name for the field, passed on to ``_serialize`` as marshmallow does.
    """
    if field.dump_default is not ma.missing:
        raise TypeError(f"{where}: dump_default is not supported")
    if isinstance(field, fields.Nested):
        if field.many or field.only or field.exclude or field.schema.many:
            raise TypeError(f"{where}: many, only and exclude are not supported on Nested")
        dump = compile_dump(field.schema)
        return lambda value, obj: None if value is None else dump(value)
    if isinstance(field, fields.List):
        inner = _converter(field.inner, attr, where + "[]")
        return lambda value, obj: None if value is None else [inner(item, obj) for item in value]
    serialize = field._serialize
    if isinstance(field, fields.Number) and field.as_string:
        raise TypeError(f"{where}: as_string is not supported")
    if _inherits_serialize(field, fields.Boolean):  # True and False serialize as themselves
        return lambda value, obj: value if value is True or value is False else serialize(value, attr, obj)
    for kind, exact in _PASS_THROUGH:
        if _inherits_serialize(field, kind):
            return lambda value, obj, exact=exact: (
                value if type(value) is exact else serialize(value, attr, obj))
    return lambda value, obj: serialize(value, attr, obj)  # its own _serialize, None included


def _inherits_serialize(field: fields.Field, kind: type[fields.Field]) -> bool:
    """``field`` is a ``kind`` that writes values exactly as ``kind`` does (no ``_serialize`` of its own)."""
    return isinstance(field, kind) and type(field)._serialize is kind._serialize


__all__ = ["compile_dump"]
