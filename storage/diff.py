"""A JSON diff for the audit trail: what changed between two documents, as RFC 6902-style operations.

Each operation carries the old value too (``from_value``), so an audit reader sees both sides without
fetching the previous version.
"""

from __future__ import annotations

from typing import Any


def _pointer(path: tuple[str | int, ...]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def json_diff(old: Any, new: Any, path: tuple[str | int, ...] = ()) -> list[dict[str, Any]]:
    """Operations turning ``old`` into ``new``: ``add``, ``remove`` or ``replace`` at a JSON pointer.

    Objects are compared key by key and lists element by element (a changed list length shows as adds or
    removes at the end); anything else that differs is one ``replace``.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        ops: list[dict[str, Any]] = []
        for key in old:
            if key not in new:
                ops.append({"op": "remove", "path": _pointer((*path, key)), "from_value": old[key]})
        for key, value in new.items():
            if key not in old:
                ops.append({"op": "add", "path": _pointer((*path, key)), "value": value})
            else:
                ops.extend(json_diff(old[key], value, (*path, key)))
        return ops
    if isinstance(old, list) and isinstance(new, list):
        ops = []
        for index in range(min(len(old), len(new))):
            ops.extend(json_diff(old[index], new[index], (*path, index)))
        ops.extend({"op": "add", "path": _pointer((*path, i)), "value": new[i]}
                   for i in range(len(old), len(new)))
        ops.extend({"op": "remove", "path": _pointer((*path, i)), "from_value": old[i]}
                   for i in reversed(range(len(new), len(old))))
        return ops
    if old == new and type(old) is type(new):
        return []
    return [{"op": "replace", "path": _pointer(path), "from_value": old, "value": new}]
