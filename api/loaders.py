"""A request schema compiled into a plain loader: the same result as ``schema.load``, a few times faster.

``marshmallow``'s ``load`` does a fixed amount of bookkeeping per nested schema (an error store, the
hook and validator passes, the unknown-key pass), and a full plan nests about fifty of them: most of
the ~1.5 ms a calculator request spent in validation. :func:`compile_load` reads the schema once and
returns a loader that walks the same structure directly:

- a leaf value goes through its own field's ``deserialize`` (types, ranges, lengths, defaults,
  ``None`` and every message: marshmallow's own code), except the common valid cases of the common
  fields, which :func:`_leaf_loader` accepts directly: a float or int (not a bool) within a
  :class:`~api.fields.Number`'s range, a ``str`` that passes a ``String``'s ``Length``/``OneOf``
  validators, ``True``/``False`` for a ``Boolean``, and lists of those. For exactly those values
  ``deserialize`` answers the value itself (``float(value)`` for a number); anything else, an
  invalid value above all, still goes to ``deserialize``;
- nested schemas, lists of them, :class:`~api.fields.KeyedMap` and :class:`~api.fields.CountBlock`
  are walked by the loader with the checks of ``Field.deserialize`` and of those fields' own methods,
  refusing unknown keys as the schemas do, and each schema's ``post_load`` hooks make its dataclass.

At the first problem of any kind the loader stops and hands the request to ``schema.load``, whose
answer (the object, or the ``ValidationError`` listing every problem) it returns: a valid request is
loaded fast, an invalid one is reported exactly as before. ``tests/api/test_loaders.py`` checks that
the fast path gives what ``schema.load`` gives, on generated requests valid and broken. Features it
does not walk (schema validators, pre-load hooks, ``many``, ``only``/``exclude``, partial loading,
``unknown`` other than RAISE) are refused when compiling.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from marshmallow import RAISE, ValidationError, fields, validate

from api.fields import BoundedList, CountBlock, KeyedMap, Number

Load = Callable[[Any], Any]


class _NotFast(Exception):
    """The fast path stops here: ``schema.load`` decides (and reports every problem)."""


class CompiledLoad:
    """``schema.load`` for one JSON object, fast for valid input (see the module doc)."""

    def __init__(self, schema: ma.Schema) -> None:
        self.schema = schema
        self.fast = _schema_loader(schema)

    def __call__(self, data: Any) -> Any:
        try:
            return self.fast(data)
        except (ValidationError, _NotFast):
            return self.schema.load(data)


def compile_load(schema: ma.Schema) -> CompiledLoad:
    """The function ``data -> schema.load(data)``.

    :raise TypeError: the schema uses a feature the loader does not walk (see the module doc).
    """
    return CompiledLoad(schema)


def _schema_loader(schema: ma.Schema) -> Load:
    name = type(schema).__name__
    hooks = schema._hooks
    if schema.many or schema.partial or schema.unknown != RAISE or hooks["pre_load"] \
            or hooks["validates"] or hooks["validates_schema"]:
        raise TypeError(f"{name}: many, partial, unknown, pre_load and validators are not supported")
    processors = post_load_hooks(schema)
    steps = []
    for field_name, field in schema.load_fields.items():
        key = field.data_key if field.data_key is not None else field_name
        attribute = field.attribute or field_name
        if "." in attribute:
            raise TypeError(f"{name}.{field_name}: dotted attributes are not supported")
        steps.append((key, attribute, _field_loader(field, f"{name}.{field_name}"), _absent(field)))
    return _function(name, steps, frozenset(step[0] for step in steps), processors)


def _function(name: str, steps: list[tuple[str, str, Callable[[Any, str, Any], Any], Callable[[], Any]]],
              known: frozenset[str], processors: list[Callable[..., Any]]) -> Load:
    """One schema's load function, written out as Python source and compiled (as :mod:`dataclasses`
    writes ``__init__``): the loop ::

        for key, attribute, load_field, absent in steps:
            value = load_field(data[key], key, data) if key in data else absent()
            if value is not missing:
                result[attribute] = value
        for hook in processors:
            result = hook(result, many=False, partial=None, unknown=RAISE)

    unrolled, one block per field and a line per hook, so that a field costs its own load and no
    loop, tuple or lookup around it. For ``CountsSchema`` the source is::

        def load(data):
            if type(data) is not dict or not data.keys() <= known:
                raise NotFast
            result = {}
            value = load0(data['numerator'], 'numerator', data) if 'numerator' in data else absent0()
            if value is not missing:
                result['numerator'] = value
            ...
            result = hook0(result, many=False, partial=None, unknown=RAISE)
            return result
    """
    namespace: dict[str, Any] = {"known": known, "NotFast": _NotFast, "missing": ma.missing, "RAISE": RAISE}
    lines = ["def load(data):",
             "    if type(data) is not dict or not data.keys() <= known:",
             "        raise NotFast",
             "    result = {}"]
    for i, (key, attribute, load_field, absent) in enumerate(steps):
        namespace[f"load{i}"], namespace[f"absent{i}"] = load_field, absent
        lines += [f"    value = load{i}(data[{key!r}], {key!r}, data) if {key!r} in data else absent{i}()",
                  "    if value is not missing:",
                  f"        result[{attribute!r}] = value"]
    for i, hook in enumerate(processors):
        namespace[f"hook{i}"] = hook
        lines.append(f"    result = hook{i}(result, many=False, partial=None, unknown=RAISE)")
    lines.append("    return result")
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<load {name}>", "exec"), namespace)  # noqa: S102 (our own source, above)
    load = namespace["load"]
    load.source = source
    return load


def _absent(field: fields.Field) -> Callable[[], Any]:
    """What ``Field.deserialize`` answers for a key that is not there: its ``load_default`` (called if
    callable; ``missing`` leaves the attribute out), or, for a required field, a stop of the fast path."""
    if field.required:
        def stop() -> Any:
            raise _NotFast

        return stop
    default = field.load_default
    return default if callable(default) else lambda: default


def post_load_hooks(schema: ma.Schema) -> list[Callable[..., Any]]:
    """The schema's ``post_load`` hooks for one object, in the order marshmallow runs them.

    :raise TypeError: a hook wants the original data (``pass_original``), which is not kept.
    """
    processors = []
    for attr_name, pass_collection, options in schema._hooks["post_load"]:
        if options.get("pass_original"):
            raise TypeError(f"{type(schema).__name__}: post_load with pass_original is not supported")
        processors.append((pass_collection, getattr(schema, attr_name)))
    # marshmallow runs the pass_collection hooks first; for one object both kinds get the object
    return [hook for collection, hook in processors if collection] + \
        [hook for collection, hook in processors if not collection]


def _field_loader(field: fields.Field, where: str) -> Callable[[Any, str, Any], Any]:
    """``(raw value or missing, key, the object it is in) -> loaded value or missing``."""
    inner = _container(field, where)
    if inner is None:
        return _leaf_loader(field)
    if field.validators or field.pre_load or field.post_load:
        raise TypeError(f"{where}: validators and field hooks on containers are not supported")

    def load(value: Any, key: str, data: Any) -> Any:  # Field.deserialize's steps around the inner load
        if value is ma.missing:
            return _absent(field)()
        if value is None:
            if field.allow_none:
                return None
            raise _NotFast
        return inner(value)

    return load


def _container(field: fields.Field, where: str) -> Load | None:
    """How to load a container field's value (not None, not missing); None for a leaf field."""
    if isinstance(field, fields.Nested):
        if field.many or field.only or field.exclude or field.unknown is not None:
            raise TypeError(f"{where}: many, only, exclude and unknown are not supported on Nested")
        return _schema_loader(field.schema)
    if isinstance(field, KeyedMap) and isinstance(field.value_field, fields.Nested):
        value_loader = _field_loader(field.value_field, where + "{}")
        most, key_length = field.max_entries, field.key_length

        def load_map(value: Any) -> dict[str, Any]:
            # KeyedMap.load_entries for a dict whose size and names it accepts: each entry loaded
            if type(value) is not dict or not 1 <= len(value) <= most:
                raise _NotFast
            entries = {}
            for name, item in value.items():
                if type(name) is not str or not 1 <= len(name) <= key_length:
                    raise _NotFast
                entries[name] = value_loader(item, None, None)
            return entries

        return load_map
    if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
        item_loader = _field_loader(field.inner, where + "[]")
        check_length = field.check_length if isinstance(field, BoundedList) else None

        def load_list(value: Any) -> list[Any]:
            if type(value) is not list:
                raise _NotFast
            if check_length is not None:
                check_length(value)
            return [item_loader(item, None, None) for item in value]

        return load_list
    if isinstance(field, CountBlock):
        loaders = {name: _schema_loader(schema) for name, schema in field._schemas.items()}
        # a block with exactly one kind's keys is that kind (CountBlock.kind_of), as the kinds share none
        by_keys = {keys: name for name, keys, _ in field.blocks}
        if sum(len(keys) for keys in by_keys) != len(frozenset().union(*by_keys)):
            raise TypeError(f"{where}: count blocks that share keys are not supported")

        def load_block(value: Any) -> Any:
            kind = by_keys.get(frozenset(value)) if type(value) is dict else None
            return loaders[kind or field.kind_of(value)](value)

        return load_block
    return None


def _leaf_loader(field: fields.Field) -> Callable[[Any, str | None, Any], Any]:
    """A leaf field's ``deserialize``, with its common valid values accepted directly.

    ``deserialize`` spends ~2 µs per value on bookkeeping (missing and ``None`` checks, hooks, an
    ``And`` of the validators); a plan has ~120 values. Each function below first asks whether the
    value is of one exact type that the field's own ``_deserialize`` returns unchanged (``float()`` of
    it for a number) and that passes the field's checks, computed from the field's own settings; if
    so that is the answer, else ``deserialize`` decides, messages and all. Fields with other
    validators, hooks, or a class of their own are left to ``deserialize``
    (``tests/api/test_loaders.py`` compares both on generated values).
    """
    deserialize = field.deserialize
    if field.pre_load or field.post_load:
        return deserialize
    kind = type(field)
    if kind is Number and not field.validators and field.allow_nan is False:
        # no minimum: every finite float (-inf is refused by deserialize: "Must be a finite number")
        low = -sys.float_info.max if field.minimum is None else field.minimum
        high, exclusive = field.maximum, field.exclusive_minimum

        def load_number(value: Any, key: str | None = None, data: Any = None) -> Any:
            # exact int or float (a bool is neither); NaN fails the comparisons; an int in range is
            # converted exactly (|bounds| <= 10^12 < 2^53)
            if (type(value) is float or type(value) is int) and low <= value <= high \
                    and not (exclusive and value == low):
                return float(value)
            return deserialize(value, key, data)

        return load_number
    if kind is fields.String:
        accepts = _string_checks(field.validators)
        if accepts is None:
            return deserialize

        def load_string(value: Any, key: str | None = None, data: Any = None) -> Any:
            if type(value) is str and accepts(value):
                return value
            return deserialize(value, key, data)

        return load_string
    if kind is fields.Boolean and not field.validators and (
            not field.truthy or (True in field.truthy and False in field.falsy)):

        def load_boolean(value: Any, key: str | None = None, data: Any = None) -> Any:
            if value is True or value is False:  # each is in truthy/falsy: answered as itself
                return value
            return deserialize(value, key, data)

        return load_boolean
    if kind is BoundedList and not field.validators:
        item = _leaf_loader(field.inner)
        shortest, longest = field.min_length, field.max_length

        def load_list(value: Any, key: str | None = None, data: Any = None) -> Any:
            if type(value) is list and shortest <= len(value) <= longest:
                with contextlib.suppress(ValidationError):  # an item's problem: the list's message below
                    return [item(each) for each in value]
            return deserialize(value, key, data)

        return load_list
    return deserialize


def _string_checks(validators: list[Any]) -> Callable[[str], bool] | None:
    """One test for a ``str`` that passes every validator, or None if one is of a kind not known here."""
    checks: list[Callable[[str], bool]] = []
    for validator in validators:
        if type(validator) is validate.Length and validator.equal is None:
            shortest = 0 if validator.min is None else validator.min
            longest = math.inf if validator.max is None else validator.max
            checks.append(lambda value, a=shortest, b=longest: a <= len(value) <= b)
        elif type(validator) is validate.OneOf:
            checks.append(lambda value, choices=validator.choices: value in choices)
        else:
            return None
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    return lambda value: all(check(value) for check in checks)


__all__ = ["CompiledLoad", "compile_load", "post_load_hooks"]
