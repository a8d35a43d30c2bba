"""Straight-line trend through a short history, projected one step ahead.

Method: ordinary least squares through (0, h₀) … (k−1, h_{k−1}), evaluated at x = k. The BCF guidance
(para 46) asks whether an ambition beats "the trend"; with evenly spaced periods the period index is the
natural x, and fewer than three points cannot show a trend (two always fit a line exactly).
"""

from dataclasses import dataclass

import numpy as np

from ._checks import Problems, as_arrays, clean, finite_number
from ._shared import out

MIN_POINTS = 3  # values; two points always lie on a line, so they say nothing about a trend (para 46)


@dataclass(frozen=True)
class TrendProjection:
    """Fitted line h ≈ intercept + slope·x (x = 0 for the oldest value) and its value at x = k."""

    slope: float | np.ndarray
    intercept: float | np.ndarray
    projection: float | np.ndarray


def trend_projection(history) -> TrendProjection | None:
    """Fit an OLS line through a history (oldest first, evenly spaced) and project it one period on.

    Method: ordinary least squares on the period index (BCF guidance para 46 asks for "the trend").

    :param history: the values, oldest first, on the last axis; leading axes are independent series
        (e.g. one row per board), giving arrays out. A 1-D history gives floats.
    :return: :class:`TrendProjection`, or None when there are fewer than :data:`MIN_POINTS` values.
        A NaN anywhere in a series makes that series' results NaN.
    :raise ValueError: non-numeric or infinite values, or a bare number instead of a sequence.
    """
    arrays, shape = as_arrays(history=history)
    h = arrays["history"]
    if not shape:
        raise ValueError("history must be a sequence of values, oldest first (got a single number)")
    if not clean((h, finite_number)):
        problems = Problems()
        problems.finite(arrays)
        problems.raise_if_any()
    k = shape[-1]
    if k < MIN_POINTS:
        return None

    centred_x = np.arange(k, dtype=float) - (k - 1) / 2
    slope = (centred_x * h).sum(axis=-1) / (centred_x**2).sum()  # Σ(x − x̄)(h − h̄) = Σ(x − x̄)h
    intercept = h.sum(axis=-1) / k - slope * (k - 1) / 2
    return TrendProjection(slope=out(slope, shape[:-1]), intercept=out(intercept, shape[:-1]),
                           projection=out(intercept + slope * k, shape[:-1]))
