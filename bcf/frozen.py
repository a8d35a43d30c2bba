"""A frozen dataclass that is cheaper to make: the shape of every value that crosses :mod:`bcf`."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import TypeVar

T = TypeVar("T")


def frozen_dataclass(cls: type[T]) -> type[T]:
    """``@dataclass(frozen=True)`` whose ``__init__`` sets every field in one step.

    A frozen dataclass's own ``__init__`` sets each field with ``object.__setattr__`` (its class's
    ``__setattr__`` refuses), one call per field: a determination makes some 70 of these objects, up to
    23 fields each, and those calls were a tenth of making the results (docs/performance.md). This
    ``__init__`` takes the same parameters (names, order, defaults) and sets the instance's ``__dict__``
    to a dict of them with one such call; everything else (frozen ``__setattr__``, ``__eq__``,
    ``__hash__``, ``__repr__``, ``fields``, ``replace``) is the dataclass's own.
    ``tests/bcf/test_results.py`` pins it against the dataclass's own ``__init__`` for every class
    made with it (plans, results, lines).
    """
    if hasattr(cls, "__post_init__"):
        raise TypeError("__post_init__ is not supported: this __init__ does not call it")
    cls = dataclass(frozen=True)(cls)
    names = [f.name for f in fields(cls)]
    namespace = {"_set": object.__setattr__}
    params = []
    for f in fields(cls):
        if f.default_factory is not MISSING:
            raise TypeError("default factories are not supported: the dict is made in one expression")
        if f.default is MISSING:
            params.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
    items = ", ".join(f"{name!r}: {name}" for name in names)
    code = f"def __init__(self, {', '.join(params)}):\n    _set(self, '__dict__', {{{items}}})\n"
    exec(code, namespace)  # noqa: S102 - as dataclasses makes its own __init__, from the field names only
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    cls.__init__ = init  # type: ignore[misc]
    return cls
