"""Crude rates with Poisson confidence limits on the count: exact (chi-squared) for small counts, Byar's
approximation otherwise.

Methods: exact limits from the chi-squared/Poisson relation (Ulm 1990, Am J Epidemiol 131:373-375);
Byar's approximation (Breslow & Day 1987, Statistical Methods in Cancer Research vol. II, p. 69). The
switch-over at 10 events and the rule that a negative Byar's lower limit is not reported follow PHE
Fingertips (PHEindicatormethods ``phe_rate``, ``byars_lower``/``byars_upper``).
"""

from dataclasses import dataclass

import numpy as np
from scipy import special

from ._checks import (
    Problems,
    as_arrays,
    broadcast_shape,
    clean,
    fraction,
    non_negative_number,
    positive_number,
    spread,
)
from ._shared import NAN, NINE, ONE, THREE, ZERO, operand, out, out_text, z_quantile

EXACT_BELOW = 10  # events; Byar's is inaccurate for very small counts (PHE R/Rates.R, R/utils.R)
_EXACT_BELOW = operand(EXACT_BELOW)  # as an array operand (see metrics._shared)

#: above this many small counts, exact limits are computed once per distinct count and shared: the
#: chi-squared quantile costs microseconds per element, and real counts below 10 take few values
_DEDUPLICATE_ABOVE = 64


@dataclass(frozen=True)
class PoissonLimits:
    """Confidence limits on a bare count (an expected number of events)."""

    lower: float | np.ndarray
    upper: float | np.ndarray


@dataclass(frozen=True)
class RateInterval:
    """A crude rate and its limits, scaled by ``multiplier``; ``method`` "exact" or "byars" per element
    ("" where the numerator is missing)."""

    value: float | np.ndarray
    lower: float | np.ndarray
    upper: float | np.ndarray
    method: str | np.ndarray
    confidence: float | np.ndarray


#: :func:`byars` works out both limits in one pass over two rows: the lower at O, with the z term taken
#: off, and the upper at O + 1, with it added ((−z)/d is exactly −(z/d), and a + (−t) is a − t, so the
#: values are the formula's)
_BYARS_AT, _BYARS_SIGN = np.array([0.0, 1.0]), np.array([-1.0, 1.0])

#: the method names as arrays, made once rather than from the strings on each call
_EXACT, _BYARS = np.array("exact"), np.array("byars")


def byars(count: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Byar's limits for validated arrays, as two rows (lower, upper) ahead of the counts' own axes:
    lower ``O(1 − 1/(9O) − z/(3√O))³``, upper the same at O + 1 with ``+z``. A negative lower limit (tiny
    counts at high confidence) is meaningless, so it becomes NaN; at O = 0 the lower formula is undefined
    (NaN) too: use the exact limits there. The NaN rule is applied to both rows in one ``np.where``: the
    upper limit is never negative (z ≥ 0 and 1 − 1/(9(O + 1)) > 0), so it leaves that row as it is."""
    shape = broadcast_shape(count.shape, z.shape)
    rows = (2,) + (1,) * len(shape)  # the two rows ahead of the counts' own axes
    at = spread(count, shape) + _BYARS_AT.reshape(rows)  # O and O + 1
    with np.errstate(divide="ignore", invalid="ignore"):
        # the numbers as arrays (metrics._shared): the same arithmetic, cheaper operations
        limits = at * (ONE - ONE / (NINE * at) + (_BYARS_SIGN.reshape(rows) * z) / (THREE * np.sqrt(at))) ** 3
    return np.where(limits < ZERO, NAN, limits)


def exact(count: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits for validated arrays: χ²(α/2; 2O)/2 and χ²(1 − α/2; 2O + 2)/2.

    χ²(q; 2a)/2 is the inverse regularised lower incomplete gamma function P⁻¹(a, q), which scipy gives
    directly (``gammaincinv``) without the overhead of ``scipy.stats.chi2``. The lower limit at O = 0
    is 0 by definition (no event cannot rule out a zero rate).
    """
    with np.errstate(invalid="ignore"):
        lower = np.where(count == 0, 0.0, special.gammaincinv(count, alpha / 2))
    upper = special.gammaincinv(count + 1, 1 - alpha / 2)
    return lower, upper


def _exact_shared(count: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`exact` on a 1-D array, evaluated once per distinct count when the confidence is shared."""
    if alpha.ndim == 0 and count.size > _DEDUPLICATE_ABOVE:
        distinct, inverse = np.unique(count, return_inverse=True)
        lower, upper = exact(distinct, alpha)
        return lower[inverse], upper[inverse]
    return exact(count, alpha)


def count_limits(count: np.ndarray, confidence: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Limits on validated counts: exact below :data:`EXACT_BELOW` events, Byar's from there on.

    :return: the limits as two rows (lower, upper; a float array of shape (2, *the broadcast shape),
        so that a caller scales both in one operation) and the boolean "exact" mask.
    """
    shape = broadcast_shape(count.shape, confidence.shape)
    count = spread(count, shape)
    limits = byars(count, z_quantile(confidence))  # a fresh, writable array (np.where's)
    small = count < _EXACT_BELOW  # exact below 10 events, see EXACT_BELOW
    if np.count_nonzero(small):  # small.any(), without its Python-level wrapper
        alpha = 1 - confidence
        if alpha.ndim:
            alpha = np.broadcast_to(alpha, shape)[small]
        limits[0, small], limits[1, small] = _exact_shared(count[small], alpha)
    return limits, small


def _count_arguments(count, confidence) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    arrays, shape = as_arrays(count=count, confidence=confidence)
    if not clean((arrays["count"], non_negative_number), (arrays["confidence"], fraction)):
        problems = Problems()
        problems.finite(arrays)
        problems.non_negative("count", arrays["count"])
        problems.confidence(arrays["confidence"])
        problems.raise_if_any()
    return arrays["count"], arrays["confidence"], shape


def byars_limits(count, confidence=0.95) -> PoissonLimits:
    """Byar's approximate Poisson limits on a count (Breslow & Day 1987).

    Good from about 10 events; below that prefer :func:`exact_poisson_limits`. A negative lower limit
    is reported as NaN, as PHE does; so is the lower limit at count 0, where the formula is undefined.

    :param count: observed events, ≥ 0 (not necessarily whole); scalar or array.
    :param confidence: a fraction in (0, 1).
    :raise ValueError: negative count, confidence outside (0, 1), infinities, shapes not broadcasting.
    """
    count, confidence, shape = _count_arguments(count, confidence)
    limits = byars(count, z_quantile(confidence))
    return PoissonLimits(lower=out(limits[0], shape), upper=out(limits[1], shape))


def exact_poisson_limits(count, confidence=0.95) -> PoissonLimits:
    """Exact Poisson limits on a count via the chi-squared distribution (Ulm 1990).

    Lower ``χ²(α/2; 2O)/2`` (0 when O = 0), upper ``χ²(1 − α/2; 2O + 2)/2``, α = 1 − confidence.

    :param count: observed events, ≥ 0; scalar or array.
    :param confidence: a fraction in (0, 1).
    :raise ValueError: negative count, confidence outside (0, 1), infinities, shapes not broadcasting.
    """
    count, confidence, shape = _count_arguments(count, confidence)
    count, alpha = np.broadcast_arrays(count, 1 - confidence)
    lower, upper = exact(count, alpha)
    return PoissonLimits(lower=out(lower, shape), upper=out(upper, shape))


def rate(numerator, denominator, confidence=0.95, multiplier=100_000) -> RateInterval:
    """A crude rate (numerator ÷ denominator × multiplier) with Poisson limits on the numerator.

    The limits are exact (chi-squared) when the numerator is below :data:`EXACT_BELOW` and Byar's
    otherwise, chosen per element and reported in ``method``. The numerator may exceed the denominator
    (events are not persons: e.g. 250 admissions among 220 people).

    :param numerator: events, ≥ 0; scalar or array (all arguments broadcast).
    :param denominator: population or person-time, > 0.
    :param confidence: a fraction in (0, 1).
    :param multiplier: scale, e.g. 100000 for "per 100,000".
    :return: :class:`RateInterval`; floats and a str for scalar input, arrays otherwise. A NaN input gives
        NaN limits (method "") in that position only.
    :raise ValueError: naming each argument and offending positions.
    """
    arrays, shape = as_arrays(numerator=numerator, denominator=denominator, confidence=confidence,
                              multiplier=multiplier)
    o, n, c, k = arrays.values()
    if not clean((o, non_negative_number), (n, positive_number), (c, fraction), (k, positive_number)):
        problems = Problems()
        problems.finite(arrays)
        problems.non_negative("numerator", o)
        problems.positive("denominator", n)
        problems.confidence(c)
        problems.positive("multiplier", k)
        problems.raise_if_any()

    limits, small = count_limits(o, c)
    method = np.where(small, _EXACT, _BYARS)
    if np.count_nonzero(np.isnan(o)):
        method = np.where(np.broadcast_to(np.isnan(o), small.shape), "", method)
    scale = k / n
    limits = limits * scale  # both rows in one operation
    return RateInterval(
        value=out(o * scale, shape),
        lower=out(limits[0], shape),
        upper=out(limits[1], shape),
        method=out_text(method, shape),
        confidence=out(c, c.shape),
    )
