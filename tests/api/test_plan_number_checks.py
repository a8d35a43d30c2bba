"""``bcf.validation._number`` accepts the usual number at once; the answer and the problems it records are
those of the full checks, kept here verbatim as they were before the fast acceptance was added.

(In tests/api because bcf/validation.py belongs to the calculator's room; tests/bcf/test_validation.py
checks each message on hand-made plans.)"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bcf.plan import UNREAD
from bcf.validation import MAX_MAGNITUDE, _number


def number_before(problems: list[dict[str, str]], value: Any, where: str, *, low: float | None = None,
                  positive: bool = False, whole: bool = False, high: float | None = None) -> bool:
    """``_number`` as it was (commit 9ae7ca1), every check in turn."""
    if value is UNREAD:
        return False
    kind = type(value)
    number = kind is float or kind is int or (not isinstance(value, bool) and isinstance(value, int | float))
    if not number or not math.isfinite(value):
        problems.append({"location": where, "message": f"must be a finite number, not {value!r}"})
        return False
    message = None
    if abs(value) > MAX_MAGNITUDE:
        message = f"must be at most {MAX_MAGNITUDE:,.0f} in size"
    elif positive and value <= 0:
        message = "must be greater than zero"
    elif low is not None and value < low:
        message = f"must be at least {low:g}"
    elif high is not None and value > high:
        message = f"must be at most {high:g}"
    elif whole and value != int(value):
        message = "must be a whole number (a count)"
    if message:
        problems.append({"location": where, "message": message})
    return message is None


class IntLike(int):
    pass


EDGES = [0, 0.0, -0.0, 1, -1, 0.5, 2, 2.0, 100, 100.0, 100.5, 1e12, -1e12, 10**12, -(10**12), 10**12 + 1,
         1e12 + 0.5, float(2**53 + 1), 10**400, 1e308, -1e-300, math.nan, math.inf, -math.inf, True, False,
         IntLike(3), UNREAD, None, "1", [1]]
values = st.sampled_from(EDGES) | st.floats() | st.integers(-(10**13), 10**13) | st.floats(-3, 103)
options = st.fixed_dictionaries({}, optional={
    "low": st.sampled_from([0, 2, -5.5]), "high": st.sampled_from([1, 100]), "positive": st.booleans(),
    "whole": st.booleans()})


def outcome(check, value, kwargs):
    problems: list[dict[str, str]] = []
    try:
        return check(problems, value, "metrics[0].plan", **kwargs), problems
    except Exception as error:  # noqa: BLE001 - an int beyond floats overflows in both, alike
        return type(error), problems


@settings(max_examples=1500, deadline=None)
@given(value=values, kwargs=options)
def test_a_number_is_answered_as_the_full_checks_answer_it(value, kwargs):
    assert outcome(_number, value, kwargs) == outcome(number_before, value, kwargs)
