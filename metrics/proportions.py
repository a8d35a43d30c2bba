"""Proportions with Wilson score confidence intervals.

Method: E. B. Wilson (1927), "Probable inference, the law of succession, and statistical inference",
JASA 22:209-212, as recommended by Newcombe (1998) and used by PHE Fingertips
(PHEindicatormethods ``phe_proportion``). Unlike the normal (Wald) interval it never leaves [0, 1] and
stays sensible for proportions near 0 or 1 and for small denominators.
"""

from dataclasses import dataclass

import numpy as np

from ._checks import Problems, as_arrays, clean, fraction, non_negative_number, positive_number
from ._shared import out, z_quantile


@dataclass(frozen=True)
class ProportionInterval:
    """A proportion and its confidence limits, all scaled by ``multiplier`` (100 = per cent)."""

    value: float | np.ndarray
    lower: float | np.ndarray
    upper: float | np.ndarray
    confidence: float | np.ndarray
    method: str = "wilson"


def wilson_limits(x: np.ndarray, n: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits as fractions, for already validated arrays (no scaling, no checks).

    ``(2x + z² ∓ z·√(z² + 4x(1 − x/n))) / (2(n + z²))``. At x = 0 and x = n the formula gives 0 and 1
    only up to rounding (√(z²) need not equal z), so those limits are set exactly.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
        lower = (2 * x + z**2 - spread) / (2 * (n + z**2))
        upper = (2 * x + z**2 + spread) / (2 * (n + z**2))
    lower = np.where(x == 0, 0.0, lower)
    upper = np.where(x == n, 1.0, upper)
    return lower, upper


def proportion(numerator, denominator, confidence=0.95, multiplier=100) -> ProportionInterval:
    """A proportion (numerator ÷ denominator × multiplier) with its Wilson score interval.

    Method: Wilson 1927, as recommended by Newcombe 1998 and PHE's Technical Guide "Confidence intervals".

    Non-integer numerators are accepted (PHE's own test data has 0.445 of 1).

    :param numerator: successes, ≥ 0 and ≤ denominator; scalar or array (all arguments broadcast).
    :param denominator: trials, > 0.
    :param confidence: a fraction in (0, 1), e.g. 0.95 or 0.998.
    :param multiplier: scale of value and limits: 100 for per cent, 1 for a fraction.
    :return: :class:`ProportionInterval`; floats for scalar input, arrays otherwise. NaN in any input
        gives NaN in that position only.
    :raise ValueError: naming each argument and offending positions (negative numerator, numerator >
        denominator, denominator ≤ 0, confidence outside (0, 1), non-positive multiplier, infinities,
        shapes that do not broadcast).
    """
    arrays, shape = as_arrays(numerator=numerator, denominator=denominator, confidence=confidence,
                              multiplier=multiplier)
    x, n, c, k = arrays.values()
    above = np.broadcast_to(x > n, shape)  # no warning for NaN: comparisons are quiet
    if not (clean((x, non_negative_number), (n, positive_number), (c, fraction), (k, positive_number))
            and not above.any()):
        problems = Problems()
        problems.finite(arrays)
        problems.non_negative("numerator", x)
        problems.positive("denominator", n)
        problems.flag("numerator", x, above, "must not be greater than the denominator")
        problems.confidence(c)
        problems.positive("multiplier", k)
        problems.raise_if_any()

    lower, upper = wilson_limits(x, n, z_quantile(c))
    return ProportionInterval(
        value=out(x / n * k, shape),
        lower=out(lower * k, shape),
        upper=out(upper * k, shape),
        confidence=out(c, c.shape),
    )
