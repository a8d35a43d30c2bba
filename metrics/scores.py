"""Mean scores (e.g. ASCOF quality-of-life scores) with Student's t confidence intervals.

Method: mean ± t(1 − α/2; n − 1) × sd ÷ √n, the standard small-sample interval for a mean from its summary
statistics (Student 1908), as PHEindicatormethods ``phe_mean`` does. Survey scores arrive as mean, standard
deviation and respondents, never as individual answers, so the interval is built from those three.
"""

from dataclasses import dataclass

import numpy as np
from scipy import special

from ._checks import (
    AT_LEAST_TWO,
    Problems,
    as_arrays,
    clean,
    finite_number,
    fraction,
    non_negative_number,
    two_or_more,
)
from ._shared import out, upper_level


@dataclass(frozen=True)
class ScoreInterval:
    """A mean score and its t-based confidence limits (same units as the score)."""

    value: float | np.ndarray
    lower: float | np.ndarray
    upper: float | np.ndarray
    confidence: float | np.ndarray
    method: str = "t"


def mean_score(mean, sd, n, confidence=0.95) -> ScoreInterval:
    """A mean with its confidence interval mean ± t(n−1)·sd/√n.

    Method: Student's t interval (Student 1908), as PHEindicatormethods ``phe_mean``.

    :param mean: the sample mean; any finite number (or NaN).
    :param sd: the sample standard deviation, ≥ 0.
    :param n: the number of respondents, ≥ 2 (one answer has no spread to estimate).
    :param confidence: a fraction in (0, 1).
    :return: :class:`ScoreInterval`; floats for scalar input, arrays otherwise.
    :raise ValueError: sd < 0, n < 2, confidence outside (0, 1), infinities, shapes not broadcasting.
    """
    arrays, shape = as_arrays(mean=mean, sd=sd, n=n, confidence=confidence)
    m, s, k, c = arrays.values()
    if not clean((m, finite_number), (s, non_negative_number), (k, two_or_more), (c, fraction)):
        problems = Problems()
        problems.finite(arrays)
        problems.non_negative("sd", s)
        problems.flag("n", k, k < 2, AT_LEAST_TWO)
        problems.confidence(c)
        problems.raise_if_any()

    t = special.stdtrit(k - 1, upper_level(c))   # Student's t quantile, as scipy.stats.t.ppf
    half_width = t * s / np.sqrt(k)
    return ScoreInterval(value=out(m, shape), lower=out(m - half_width, shape),
                         upper=out(m + half_width, shape), confidence=out(c, c.shape))
