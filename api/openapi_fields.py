"""The calculator's own marshmallow fields, taught to the OpenAPI generator (apispec).

:mod:`calculator.fields` knows nothing of OpenAPI; this is where the document learns that a
:class:`~calculator.fields.MoneyField` is a decimal number and a
:class:`~calculator.fields.CountBlock` is one of the block schemas.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from calculator.fields import CountBlock, MoneyField


def count_block_properties(self: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
    """OpenAPI for :class:`CountBlock`: ``oneOf`` the block schemas (an apispec attribute function)."""
    if not isinstance(field, CountBlock):
        return {}
    refs = [self.resolve_nested_schema(schema) for _, _, schema in field.blocks]
    return {"oneOf": refs}


def register_fields(api: Any) -> None:
    """Teach the OpenAPI generator our fields (style §5: documented via ``api.register_field``)."""
    api.register_field(MoneyField, "number", "decimal")
    api.ma_plugin.converter.add_attribute_function(count_block_properties)
