"""Reading requests: JSON bodies and query strings, refused loudly and precisely when malformed.

Every view reads its arguments through :class:`Blueprint` (flask-smorest's, with :class:`Parser`), and
the app reads JSON through :class:`BcfRequest`, so a client's mistake is named the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
import json as json_module
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Request, request
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, IntegerConverter


class BcfRequest(Request):
    """Flask's request, saying where a JSON body breaks (Werkzeug's default 400 says only that the
    browser or proxy sent something the server could not understand)."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if isinstance(e, json_module.JSONDecodeError):
            raise BadRequest(f"The body is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}.")
        if isinstance(e, UnicodeDecodeError):
            raise BadRequest(f"The body is not valid JSON: not UTF-8 at byte {e.start}.")
        return super().on_json_loading_failed(e)


def json_body() -> Any:
    """The request's JSON body, or a 400/413/415 problem; never a crash, however malformed.

    Flask answers bad JSON with 400, a non-JSON content type with 415 and a body over
    ``MAX_CONTENT_LENGTH`` with 413; a deeply nested body overflows the JSON decoder's recursion
    guard, which Flask does not catch, so it is turned into a 400 here.
    """
    try:
        return request.get_json()
    except RecursionError:
        raise BadRequest("The JSON body is nested too deeply to read.") from None


class Parser(FlaskParser):
    """webargs' Flask parser, where an unknown query parameter (``/hwbs?regoin=…``) is a 422, not
    ignored: a misspelt filter would otherwise answer everything, unfiltered, as if it were the answer
    asked for."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
                                   "query": ma.RAISE, "querystring": ma.RAISE}

    def load_querystring(self, req: Any, schema: ma.Schema) -> Any:
        """The query string, where a parameter that takes one value and is given twice
        (``?grouping=region&grouping=national``) is a 422: webargs would read the first and ignore the
        other, answering a question the client may not have asked."""
        repeated = sorted(key for key in req.args if len(req.args.getlist(key)) > 1
                          and key in schema.fields and not self._takes_many(schema.fields[key]))
        if repeated:
            raise ma.ValidationError({key: ["Given more than once; give it once."] for key in repeated})
        return super().load_querystring(req, schema)

    def _takes_many(self, field: ma.fields.Field) -> bool:
        return bool(getattr(field, "is_multiple", False)) or isinstance(field, tuple(self.KNOWN_MULTI_FIELDS))


class JsonBodyParser(Parser):
    """For views whose body can only be JSON: it is read as Flask reads it (:func:`json_body`).

    webargs reads a body that is not ``application/json``, or is empty, as ``{}`` and lets the schema
    answer with missing fields; a client that sent the wrong thing is better told so: 415 or 400, and
    for malformed JSON where it breaks (:class:`BcfRequest`).
    """

    def load_json(self, req: Any, schema: ma.Schema) -> Any:
        return json_body()


JSON_BODY_PARSER = JsonBodyParser()


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with :class:`Parser` reading its arguments."""

    ARGUMENTS_PARSER = Parser()


#: the largest id or version a database column holds (a signed 64-bit integer, SQLite's and PostgreSQL's)
MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """``<id:…>`` in a route: a positive integer a database can hold; anything larger is a 404, as an id
    that does not exist is, rather than an overflow in the database driver."""

    def __init__(self, url_map: Any) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


class BoardCodeConverter(BaseConverter):
    """``<board:code>`` in a route: an ONS code (E and 8 digits), so that a sibling route's fixed name
    (``/allocations/calculate``) is never read as a board."""

    regex = r"E[0-9]{8}"  # ASCII digits: \d would take full-width ones too


class Moment(ma.fields.AwareDateTime):
    """A moment in a query: ISO 8601 with its offset (``2026-12-02T10:00:00Z``), or a plain date
    (``2026-12-02``), read as the start of that day in UTC, or with ``end_of_day`` as its end."""

    default_error_messages = {
        "invalid": "Not a valid date or time: use a date, as 2026-12-02, or a time with its offset, "
                   "as 2026-12-02T10:00:00Z.",
        "invalid_awareness": "A time needs its offset: 2026-12-02T10:00:00Z, or 2026-12-02T10:00:00+01:00.",
    }

    def __init__(self, *, end_of_day: bool = False, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)
        self.end_of_day = end_of_day

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.datetime:
        if isinstance(value, str) and len(value) == 10:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                raise self.make_error("invalid") from None
            start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
            return start + dt.timedelta(days=1) if self.end_of_day else start
        return super()._deserialize(value, attr, data, **kwargs)
