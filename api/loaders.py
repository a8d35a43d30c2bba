"""A request schema compiled into a plain loader: the same result as ``schema.load``, a few times faster.

``marshmallow``'s ``load`` does a fixed amount of bookkeeping per nested schema (an error store, the
hook and validator passes, the unknown-key pass), and a full plan nests about fifty of them: most of
the ~1.5 ms a calculator request spent in validation. :func:`compile_load` reads the schema once and
returns a loader that walks the same structure directly:

- every leaf value goes through its own field's ``deserialize`` (types, ranges, lengths, defaults,
  ``None`` and every message: marshmallow's own code, nothing re-implemented);
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

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from marshmallow import RAISE, ValidationError, fields

from api.fields import BoundedList, CountBlock, KeyedMap

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
        steps.append((key, attribute, _field_loader(field, f"{name}.{field_name}")))
    known = frozenset(key for key, _, _ in steps)

    def load(data: Any) -> Any:
        if type(data) is not dict or not data.keys() <= known:
            raise _NotFast
        result = {}
        for key, attribute, load_field in steps:
            value = load_field(data.get(key, ma.missing), key, data)
            if value is not ma.missing:
                result[attribute] = value
        for hook in processors:
            result = hook(result, many=False, partial=None, unknown=RAISE)
        return result

    return load


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
        return field.deserialize  # a leaf: the field's own code, exactly as marshmallow calls it
    if field.validators or field.pre_load or field.post_load:
        raise TypeError(f"{where}: validators and field hooks on containers are not supported")

    def load(value: Any, key: str, data: Any) -> Any:  # Field.deserialize's steps around the inner load
        if value is ma.missing:
            if field.required:
                raise _NotFast
            default = field.load_default
            return default() if callable(default) else default
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
        return lambda value: field.load_entries(value, lambda item: value_loader(item, None, None))
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
        return lambda value: loaders[field.kind_of(value)](value)
    return None


__all__ = ["CompiledLoad", "compile_load", "post_load_hooks"]
