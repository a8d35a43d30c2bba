"""HTTP side of versioned documents: ETags are the version number; PUT needs ``If-Match`` once it exists."""

from __future__ import annotations

import marshmallow as ma
from flask import Response, jsonify, request

from api.errors import PROBLEM
from api.parsing import MAX_ID
from storage.documents import ANY, Versioned
from storage.errors import PreconditionFailed
from storage.models import iso


class VersionQuerySchema(ma.Schema):
    version = ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID),
                                metadata={"description": "Read this version instead of the current one."})


class VersionInfoSchema(ma.Schema):
    version = ma.fields.Integer(required=True)
    created_at = ma.fields.String(required=True)
    created_by = ma.fields.String(required=True)
    created_by_token_id = ma.fields.Integer(allow_none=True)


VERSION_HEADERS = {
    "ETag": {"description": 'the version, quoted: send it back as If-Match to write the next one',
             "schema": {"type": "string", "example": '"1"'}},
    "X-Version": {"description": "the version number", "schema": {"type": "integer", "example": 1}},
    "Last-Modified": {"description": "when this version was stored", "schema": {"type": "string"}},
}
IF_MATCH = {
    "in": "header", "name": "If-Match", "required": False, "schema": {"type": "string", "example": '"1"'},
    "description": 'The ETag of the version this write replaces, quoted as it was given ("1"); required '
                   "once the resource exists (428 without it, 412 when someone else wrote since).",
}


def document_docs(body: dict, *, writes: bool = False) -> dict:
    """The OpenAPI of a versioned document's GET (``writes=False``) or PUT: the body with its version
    headers, and for a PUT the If-Match header with the answers it can give."""
    stored = {"content": {"application/json": {"schema": body}}, "headers": VERSION_HEADERS}
    if not writes:
        return {"responses": {"200": {"description": "the version, exactly as stored", **stored}}}
    problem = {"content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    return {"parameters": [IF_MATCH], "responses": {
        "200": {"description": "stored as the next version", **stored},
        "201": {"description": "stored as the first version", **stored},
        "412": {"description": "If-Match names a version that is no longer the current one", **problem},
        "428": {"description": "If-Match is required once a version exists", **problem},
        "422": {"description": "invalid body: every problem listed in errors", **problem},
    }}


def etag(version: int) -> str:
    return f'"{version}"'


def if_match() -> int | str | None:
    """The version named by ``If-Match`` (``"*"`` for any), or None when the header is absent.

    :raise PreconditionFailed: a header that names no version of ours (another ETag, a weak one).
    """
    header = request.headers.get("If-Match")
    if header is None:
        return None
    value = header.strip()
    if value == "*":
        return ANY
    for candidate in (v.strip() for v in value.split(",")):
        inner = candidate[1:-1]
        if candidate.startswith('"') and candidate.endswith('"') and inner.isascii() and inner.isdigit():
            return int(inner)
    if value.isascii() and value.isdigit():
        raise PreconditionFailed(f'If-Match {value} is not quoted: an ETag is sent as it was given, '
                                 f'If-Match: "{value}".')
    raise PreconditionFailed(f"If-Match {value} is not an ETag this resource gave out "
                             '(they look like "3").')


def document_response(row: Versioned, status: int = 200) -> Response:
    """The stored body exactly as written, so GET → edit → PUT round-trips; the version is in headers."""
    response = jsonify(row.body)
    response.status_code = status
    response.headers["ETag"] = etag(row.version)
    response.headers["X-Version"] = str(row.version)
    response.headers["Last-Modified"] = row.created_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


def version_info(row: Versioned) -> dict:
    return {"version": row.version, "created_at": iso(row.created_at), "created_by": row.created_by_name,
            "created_by_token_id": row.created_by_token_id}
