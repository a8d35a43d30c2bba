"""Flask's JSON provider, writing with :func:`calculator.json_text.dumps`: money as its two decimals.

Answers are UTF-8 (RFC 8259 §8.1) and keep the schemas' field order. Request bodies are read by
Flask's standard parser.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider

from calculator.json_text import dumps


class BcfJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider writing with orjson; pretty-printed or over-deep output the standard way."""

    sort_keys = False  # answers keep the field order of api.md and the schemas

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if not kwargs.get("indent"):
            try:
                return dumps(obj, DefaultJSONProvider.default)
            except orjson.JSONEncodeError:  # nested deeper than orjson's 254 levels (a test's body)
                pass
        return super().dumps(obj, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self.dumps(obj) + "\n", mimetype=self.mimetype)
