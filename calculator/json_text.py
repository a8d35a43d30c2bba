"""JSON text of an answer, money written as its own two decimals.

Money stays :class:`~decimal.Decimal` from the domain to this last step:
:class:`calculator.fields.MoneyField` dumps the amount rounded to the penny, and :func:`dumps` writes it
as a JSON number as it stands (``250000.00``), never through a float. The service's JSON provider, the
spreadsheet results and the ``bcf calculate`` console script all write with it, so a determination
reads the same from each.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson


def _refuse(value: Any) -> Any:
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(obj: Any, other: Callable[[Any], Any] = _refuse) -> str:
    """``obj`` as compact JSON text, keys in their order (the schemas' field order).

    :param other: what to write for a value that is neither JSON nor an amount (Flask's provider passes
        its own, which writes dates and dataclasses).
    :raise orjson.JSONEncodeError: a value JSON cannot hold, or nesting deeper than orjson's 254 levels.
    """

    def default(value: Any) -> Any:  # what orjson does not write itself: an amount, as its own digits
        if isinstance(value, Decimal) and value.is_finite():
            return orjson.Fragment(format(value, "f"))
        return other(value)

    return orjson.dumps(obj, default=default, option=orjson.OPT_NON_STR_KEYS).decode()
