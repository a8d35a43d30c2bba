"""Problems in a request, as api.md lists them: ``{"location": JSON path, "message": …}``, every one
at once, the first :data:`MAX_PROBLEMS` of them.

A body of a million misspelt keys is still one bad request: the answer names the first thousand
problems and counts the rest, so it stays small enough to read (and to send).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from bcf.errors import MAX_PROBLEMS, capped

__all__ = ["MAX_PROBLEMS", "capped", "flatten_messages", "summary"]


def flatten_messages(messages: Any, path: str = "") -> Iterator[dict[str, str]]:
    """Turn marshmallow's nested error dict into ``{location, message}`` entries with JSON paths.

    ``{"metrics": {2: {"periods": {"april-2015": {"plan": ["Not a valid number."]}}}}}`` becomes
    ``metrics[2].periods.april-2015.plan``.
    """
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if key == "_schema":
                yield from flatten_messages(value, path)
            elif isinstance(key, int):
                yield from flatten_messages(value, f"{path}[{key}]")
            else:
                yield from flatten_messages(value, f"{path}.{key}" if path else str(key))
    elif isinstance(messages, list | tuple):
        for item in messages:
            yield from flatten_messages(item, path)
    else:
        yield {"location": path or "$", "message": str(messages)}


def summary(problems: list[dict[str, str]]) -> str:
    """The problem answer's ``detail``: how many problems there are."""
    count = len(problems)
    return f"The request has {count} problem{'s' if count != 1 else ''}; each is listed in errors."
