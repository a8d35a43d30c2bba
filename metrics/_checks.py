"""Input validation shared by every metrics function.

Validate first, one fixed message per rule (as PHEindicatormethods does), and report every problem at once,
naming the argument and the offending positions so that a caller can point its user at the bad row.
NaN is not a problem: it marks a missing value and gives NaN in that position only.

The usual call passes a few valid numbers, and each numpy call of the full checks costs more there than
the whole check in Python, so :func:`clean` looks at small arguments in Python first: when every value
is plainly good the full checks could not find a problem and are skipped; otherwise they run and word
the messages, exactly as without the shortcut.
"""

import math
from collections.abc import Callable, Mapping

import numpy as np

#: how many offending positions a message lists before it just counts the rest
MAX_LISTED = 10

GE_ZERO = "must be greater than or equal to zero"
GT_ZERO = "must be greater than zero"
FINITE = "must be finite (use NaN for a missing value)"
WHOLE = "must be whole numbers"
AT_LEAST_TWO = "must be at least 2"
CONFIDENCE = "must be a fraction strictly between 0 and 1, such as 0.95"


#: arguments with up to this many elements are looked at in Python first (:func:`clean`); larger ones
#: always go through the full checks, where numpy's per-call cost is spread over many elements
CHECK_IN_PYTHON = 64


# Tests of one value for :func:`clean`, one per kind of argument. Each is False for NaN and ±inf (the
# full checks decide about those) and True only for values that pass every rule of the full checks for
# that kind of argument: finite (Problems.finite) and the rules named.
def finite_number(v: float) -> bool:
    return -math.inf < v < math.inf


def non_negative_number(v: float) -> bool:  # Problems.non_negative
    return 0 <= v < math.inf


def positive_number(v: float) -> bool:  # Problems.positive
    return 0 < v < math.inf


def whole_count(v: float) -> bool:  # Problems.non_negative and Problems.whole
    return 0 <= v < math.inf and v.is_integer()


def two_or_more(v: float) -> bool:  # AT_LEAST_TWO
    return 2 <= v < math.inf


def fraction(v: float) -> bool:  # Problems.confidence
    return 0 < v < 1


def clean(*arguments: tuple[np.ndarray, Callable[[float], bool]]) -> bool:
    """True when every argument is small (:data:`CHECK_IN_PYTHON`) and each of its values passes its
    test, e.g. ``clean((count, whole_count), (exposure, positive_number))``: then the full checks would
    find nothing and can be skipped. False says nothing either way: run the full checks.
    """
    for values, test in arguments:
        if values.size > CHECK_IN_PYTHON:
            return False
        if not values.ndim:  # one number (a confidence, a multiplier): tested as it is
            if not test(values.item()):
                return False
        elif not all(map(test, (values if values.ndim == 1 else values.ravel()).tolist())):
            return False
    return True


def as_arrays(**named) -> tuple[dict[str, np.ndarray], tuple[int, ...]]:
    """Convert every argument to a float array and check that they broadcast together.

    :return: the arrays (not yet broadcast, so positions in messages are the caller's own) and the
        broadcast shape.
    :raise ValueError: an argument is not numeric, or the shapes do not broadcast (all shapes named).
    """
    arrays = {}
    for name, value in named.items():
        try:
            arrays[name] = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numeric (a number or an array of numbers)") from None
    try:
        shape = broadcast_shape(*(a.shape for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{name} {a.shape}" for name, a in arrays.items())
        raise ValueError(f"shapes do not broadcast together: {shapes}") from None
    return arrays, shape


def broadcast_shape(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """``np.broadcast_shapes``, answered directly when the shapes are one array shape and scalars (the
    usual call: arrays of one length, scalar options).

    :raise ValueError: the shapes do not broadcast together.
    """
    distinct = set(shapes)
    distinct.discard(())  # a scalar broadcasts against anything
    if len(distinct) <= 1:
        return distinct.pop() if distinct else ()
    return np.broadcast_shapes(*distinct)


class Problems:
    """Collects every broken rule, then raises one ValueError listing them all."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def flag(self, name: str, values: np.ndarray, bad: np.ndarray, rule: str) -> None:
        """Record ``name <rule>`` if any element of the boolean mask ``bad`` is set, with positions."""
        bad = np.asarray(bad)
        if not bad.any():
            return
        if bad.ndim == 0:
            self.messages.append(f"{name} {rule} (got {float(np.asarray(values))!r})")
            return
        positions = np.argwhere(bad)
        listed = [str(int(p[0])) if bad.ndim == 1 else str(tuple(int(i) for i in p))
                  for p in positions[:MAX_LISTED]]
        more = f" and {len(positions) - MAX_LISTED} more" if len(positions) > MAX_LISTED else ""
        self.messages.append(f"{name} {rule} at positions {', '.join(listed)}{more}")

    def finite(self, arrays: Mapping[str, np.ndarray]) -> None:
        """Flag infinities (NaN stays allowed: it is a missing value)."""
        for name, values in arrays.items():
            self.flag(name, values, np.isinf(values), FINITE)

    def non_negative(self, name: str, values: np.ndarray) -> None:
        self.flag(name, values, values < 0, GE_ZERO)

    def positive(self, name: str, values: np.ndarray) -> None:
        self.flag(name, values, values <= 0, GT_ZERO)

    def whole(self, name: str, values: np.ndarray) -> None:
        self.flag(name, values, np.isfinite(values) & (values != np.floor(values)), WHOLE)

    def confidence(self, values: np.ndarray, name: str = "confidence") -> None:
        """A confidence level is a fraction, never a percentage, and never missing."""
        self.flag(name, values, ~((values > 0) & (values < 1)), CONFIDENCE)

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValueError("; ".join(self.messages))
