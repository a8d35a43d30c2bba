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
)
from ._shared import out, out_text, z_quantile

EXACT_BELOW = 10  # events; Byar's is inaccurate for very small counts (PHE R/Rates.R, R/utils.R)

#: above this many small counts, exact limits are computed once per distinct count and shared: the
#: chi-squared quantile is an iterative inversion, and real counts below 10 take few distinct values
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


def byars(count: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Byar's limits for validated arrays (Breslow & Day 1987, p. 69; PHE Technical Guide "Confidence
    intervals"): lower ``O(1 − 1/(9O) − z/(3√O))³``, upper ``(O+1)(1 − 1/(9(O+1)) + z/(3√(O+1)))³``.

    A negative lower limit (tiny counts at high confidence) is meaningless, so it becomes NaN, as PHE
    reports it; at O = 0 the lower formula is undefined (NaN) too: use the exact limits there.
    """
    o = count
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
    return np.where(lower < 0, np.nan, lower), upper


def exact(count: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits for validated arrays: χ²(α/2; 2O)/2 and χ²(1 − α/2; 2O + 2)/2.

    χ²(q; 2a)/2 is the inverse regularised lower incomplete gamma function P⁻¹(a, q), which scipy gives
    directly (``gammaincinv``). The lower limit at O = 0 is 0 by definition (no event cannot rule out a
    zero rate).
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


def count_limits(count: np.ndarray,
                 confidence: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """Limits on validated counts: exact below :data:`EXACT_BELOW` events, Byar's from there on.

    :return: the limits (lower, upper), each of the broadcast shape, and the boolean "exact" mask.
    """
    shape = broadcast_shape(count.shape, confidence.shape)
    count = np.broadcast_to(count, shape)
    lower, upper = (np.asarray(limit) for limit in byars(count, z_quantile(confidence)))
    small = count < EXACT_BELOW
    if small.any():
        alpha = 1 - confidence
        if alpha.ndim:
            alpha = np.broadcast_to(alpha, shape)[small]
        lower[small], upper[small] = _exact_shared(count[small], alpha)
    return (lower, upper), small


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
    """Byar's approximate Poisson limits on a count (Breslow & Day 1987, Statistical Methods in Cancer
    Research vol. II, p. 69; PHE Technical Guide "Confidence intervals").

    Good from about 10 events; below that prefer :func:`exact_poisson_limits`. A negative lower limit
    is reported as NaN, as PHE does; so is the lower limit at count 0, where the formula is undefined.

    :param count: observed events, ≥ 0 (not necessarily whole); scalar or array.
    :param confidence: a fraction in (0, 1).
    :raise ValueError: negative count, confidence outside (0, 1), infinities, shapes not broadcasting.
    """
    count, confidence, shape = _count_arguments(count, confidence)
    lower, upper = byars(count, z_quantile(confidence))
    return PoissonLimits(lower=out(lower, shape), upper=out(upper, shape))


def exact_poisson_limits(count, confidence=0.95) -> PoissonLimits:
    """Exact Poisson limits on a count via the chi-squared distribution (Ulm 1990, Am J Epidemiol
    131:373-375; PHE Technical Guide "Confidence intervals").

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

    Methods: exact limits (Ulm 1990), Byar's approximation (Breslow & Day 1987), as in PHE's Technical
    Guide "Confidence intervals" and PHEindicatormethods ``phe_rate``.

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

    (lower, upper), small = count_limits(o, c)
    method = np.where(small, "exact", "byars")
    if np.isnan(o).any():
        method = np.where(np.broadcast_to(np.isnan(o), small.shape), "", method)
    scale = k / n
    return RateInterval(
        value=out(o * scale, shape),
        lower=out(lower * scale, shape),
        upper=out(upper * scale, shape),
        method=out_text(method, shape),
        confidence=out(c, c.shape),
    )
