"""JSON answers written by orjson, money as Decimal with two decimals.

Money stays :class:`~decimal.Decimal` from the domain to the last step: :class:`api.fields.MoneyField`
dumps the amount rounded to the penny, and this provider writes it as a JSON number as it stands
(``250000.00``), never through a float. Answers are UTF-8 (RFC 8259 §8.1) and keep the schemas' field
order. Request bodies are read by Flask's standard parser.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider


def _default(value: Any) -> Any:
    """What orjson does not write itself: an amount, as its own digits."""
    if isinstance(value, Decimal) and value.is_finite():
        return orjson.Fragment(format(value, "f"))
    return DefaultJSONProvider.default(value)


class BcfJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider writing with orjson; pretty-printed or over-deep output the standard way."""

    sort_keys = False  # answers keep the field order of api.md and the schemas

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if not kwargs.get("indent"):
            try:
                return orjson.dumps(obj, default=_default, option=orjson.OPT_NON_STR_KEYS).decode()
            except orjson.JSONEncodeError:  # nested deeper than orjson's 254 levels (a test's body)
                pass
        return super().dumps(obj, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self.dumps(obj) + "\n", mimetype=self.mimetype)
