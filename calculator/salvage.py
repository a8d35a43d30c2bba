"""What can be read of an invalid request, so that its cross-reference checks still run.

A request that fails its schema is reported with every schema problem, and :func:`bcf.validation.
check_plan` must still see the rest: a plan of -3 beside a baseline numerator of ``"abc"`` is a second
problem, to be reported in the same answer, not after the first is fixed. :func:`salvage` reads a part
of the request (a metric entry, a condition's evidence) as its schema does, with the schema's own
fields, defaults and ``post_load`` hooks, except that

- a *value* the fields cannot read (a number, a count block, a list of numbers; sent wrong or not at
  all) becomes :data:`bcf.plan.UNREAD`, which ``check_plan`` passes over: the schema has reported it;
- unknown keys are passed over (the schema has reported them too);
- anything else that cannot be read (a metric id, a definition, the periods' names) is what the checks
  hang on, so the whole part is :class:`Unreadable` and left out of them.

So each problem is reported once: by the schema, or by ``check_plan`` on a value the schema accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow import ValidationError, fields

from bcf.plan import UNREAD
from calculator.fields import BoundedList, CountBlock, KeyedMap, Number
from calculator.requests import MonthlySeries


class Unreadable(Exception):
    """A part of the request without which nothing in it can be checked."""


def salvage(field: fields.Field, value: Any) -> Any:
    """``field.deserialize(value)`` for an invalid request: what can be read, UNREAD for the rest.

    :param value: the raw JSON value, or ``marshmallow.missing`` when it was not sent.
    :raise Unreadable: a part that is not a value cannot be read (see the module doc).
    """
    try:
        if value is ma.missing or value is None:
            return field.deserialize(value)  # required, allow_none and load_default, as marshmallow
        return _read(field, value)
    except (ValidationError, Unreadable):
        if _is_value(field):
            return UNREAD
        raise Unreadable from None


def _is_value(field: fields.Field) -> bool:
    """A number, a count block, a list of numbers or a monthly series: what check_plan checks one by one."""
    if isinstance(field, MonthlySeries):
        return True
    if isinstance(field, fields.List):
        return _is_value(field.inner)
    return isinstance(field, Number | CountBlock)


def _read(field: fields.Field, value: Any) -> Any:
    if isinstance(field, fields.Nested):
        return _object(field.schema, value)
    if isinstance(field, CountBlock):
        return _object(field._schemas[field.kind_of(value)], value)
    if isinstance(field, MonthlySeries):  # read whole: its order and gaps are checked with its items
        return field.deserialize(value)
    if isinstance(field, KeyedMap):
        return field.load_entries(value, lambda item: salvage(field.value_field, item))
    if isinstance(field, fields.List):
        if not isinstance(value, list):
            raise field.make_error("invalid")
        if isinstance(field, BoundedList):
            field.check_length(value)
        return [salvage(field.inner, item) for item in value]
    return field.deserialize(value)


def _object(schema: ma.Schema, data: Any) -> Any:
    if not isinstance(data, Mapping):
        raise Unreadable
    result = {}
    for name, field in schema.load_fields.items():
        read = salvage(field, data.get(field.data_key or name, ma.missing))
        if read is not ma.missing:
            result[field.attribute or name] = read
    for hook_name, _, _ in schema._hooks["post_load"]:  # as load runs them: they make the dataclass
        result = getattr(schema, hook_name)(result, many=False, partial=None, unknown=ma.RAISE)
    return result


__all__ = ["Unreadable", "salvage"]
