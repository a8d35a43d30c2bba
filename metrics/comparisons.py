"""Two-sided tests of change between two values of the same statistic (baseline "1", later value "2").

Each test suits its statistic type (spec/rules §7): rates compare counts of rare events over person-time
with the exact conditional binomial test (Poisson counts given their total, Przyborowski & Wilenski 1940);
proportions with the pooled two-proportion z-test; mean scores with Welch's t-test (Welch 1947) with
Welch-Satterthwaite degrees of freedom; DSRs with a normal approximation on the difference. Signed
statistics are "2 minus 1": positive when the later value is larger.
"""

from dataclasses import dataclass

import numpy as np
from scipy import special

from ._checks import AT_LEAST_TWO, Problems, as_arrays, spread
from ._shared import out

#: R's binom.test (and scipy.stats.binomtest) count an outcome as "no more likely than the observed"
#: when its probability is at most (1 + 1e-7) times the observed one, so that ties survive rounding
RELATIVE_TOLERANCE = 1 + 1e-7


@dataclass(frozen=True)
class RateComparison:
    p_value: float | np.ndarray


@dataclass(frozen=True)
class ProportionComparison:
    z: float | np.ndarray
    p_value: float | np.ndarray


@dataclass(frozen=True)
class MeanComparison:
    t: float | np.ndarray
    df: float | np.ndarray
    p_value: float | np.ndarray


@dataclass(frozen=True)
class DSRComparison:
    z: float | np.ndarray
    p_value: float | np.ndarray


def _first_true(lo: np.ndarray, hi: np.ndarray, predicate, guess: np.ndarray | None = None,
                spread: np.ndarray | None = None) -> np.ndarray:
    """Vectorised bisection: per element, the smallest whole i in [lo, hi] with ``predicate(i)`` true,
    for a predicate that is monotone (false, then true) on that range; hi + 1 where it never holds.

    With a ``guess`` of the answer, the predicate is first tried at guess ± spread: each probe that
    holds moves the top down to it, each that fails moves the bottom above it, so a good guess leaves a
    few bisection steps instead of one per halving of [lo, hi]; a poor one costs two steps. The answer
    is the same either way (monotone predicate).
    """
    first = lo
    lo, hi = lo.copy(), hi + 1
    if guess is not None:
        for probe in (guess - spread, guess + spread):
            open_ = lo < hi
            probe = np.where(open_, np.clip(np.round(probe), lo, hi - 1), first)
            holds = predicate(probe) & open_
            hi = np.where(holds, probe, hi)
            lo = np.where(open_ & ~holds, probe + 1, lo)
    while True:
        open_ = lo < hi
        if not open_.any():
            return lo
        mid = np.floor((lo + hi) / 2)
        holds = predicate(mid) & open_
        hi = np.where(holds, mid, hi)
        lo = np.where(open_ & ~holds, mid + 1, lo)


def _binomial_log_pmf(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """log P(X = k) for X ~ Binomial(n, p), from log-gamma: exact enough (relative error ~1e-9 for
    counts in the millions) for the 1e-7 tie tolerance, and free of ``scipy.stats`` per-call overhead."""
    return (special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
            + special.xlogy(k, p) + special.xlog1py(n - k, -p))


def _binomial_cdf(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """P(X ≤ k) = I₁₋ₚ(n − k, k + 1), 0 for k < 0 and 1 for k ≥ n.

    ``special.betainc`` (Boost's incomplete beta) rather than ``special.bdtr``: Cephes' ``bdtr`` drifts by
    ~0.004 at n ≈ 2×10⁷, which moved p-values of large counts; ``betainc`` agrees with
    ``scipy.stats.binom`` to the last digits without its per-call overhead.
    """
    inside = special.betainc(np.maximum(n - k, 1), np.maximum(k, 0) + 1, 1 - p)
    return np.where(k < 0, 0.0, np.where(k >= n, 1.0, inside))


def _binomial_sf(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """P(X > k) = 1 − P(X ≤ k), computed directly as Iₚ(k + 1, n − k) to keep small tails exact."""
    inside = special.betainc(np.maximum(k, 0) + 1, np.maximum(n - k, 1), p)
    return np.where(k < 0, 1.0, np.where(k >= n, 0.0, inside))


def _binomial_two_sided(x: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Two-sided exact binomial p-value as R's binom.test: the total probability of every outcome no
    more likely than x, for finite 1-D arrays with 0 ≤ x ≤ n whole and 0 < p < 1.

    The binomial probabilities fall away monotonically on each side of the mean np, so on the far side
    of the mean the outcomes no more likely than x form a tail, found by bisection rather than by
    summing every outcome (counts may be in the millions).
    """
    log_threshold = _binomial_log_pmf(x, n, p) + np.log(RELATIVE_TOLERANCE)
    mean = n * p
    p_value = np.ones_like(x)

    below = x < mean      # far side is the upper tail [ceil(mean), n]: find where it drops to threshold
    if below.any():
        xb, nb, pb, tb = x[below], n[below], p[below], log_threshold[below]
        mirror, spread = 2 * nb * pb - xb, 2 + 0.1 * (nb * pb - xb)  # as far above the mean as x is below
        start = _first_true(np.ceil(nb * pb), nb, lambda i: _binomial_log_pmf(i, nb, pb) <= tb,
                            mirror, spread)
        p_value[below] = _binomial_cdf(xb, nb, pb) + _binomial_sf(start - 1, nb, pb)

    above = x > mean      # far side is the lower tail [0, floor(mean)]: find where it rises past it
    if above.any():
        xa, na, pa, ta = x[above], n[above], p[above], log_threshold[above]
        mirror, spread = 2 * na * pa - xa, 2 + 0.1 * (xa - na * pa)  # as far below the mean as x is above
        end = _first_true(np.zeros_like(xa), np.floor(na * pa), lambda i: _binomial_log_pmf(i, na, pa) > ta,
                          mirror, spread)
        p_value[above] = _binomial_cdf(end - 1, na, pa) + _binomial_sf(xa - 1, na, pa)

    return np.minimum(p_value, 1.0)


def compare_rates(count1, exposure1, count2, exposure2) -> RateComparison:
    """Exact conditional test that two Poisson counts come from the same rate.

    Given the total N = O₁ + O₂, under equal rates O₁ ~ Binomial(N, E₁ ÷ (E₁ + E₂)); the two-sided p-value
    is the probability of every split no more likely than the observed one (R's binom.test rule, with
    its relative tolerance :data:`RELATIVE_TOLERANCE`). Symmetric: swapping the two gives the same p.

    :param count1: events in the first period, whole and ≥ 0.
    :param exposure1: person-time of the first period (denominator × months), > 0.
    :param count2: events in the second period, whole and ≥ 0.
    :param exposure2: person-time of the second period, > 0.
    :return: :class:`RateComparison`; p = 1 when both counts are 0 (nothing to compare).
    :raise ValueError: negative or fractional counts, exposure ≤ 0, infinities, shapes not broadcasting.
    """
    arrays, shape = as_arrays(count1=count1, exposure1=exposure1, count2=count2, exposure2=exposure2)
    o1, e1, o2, e2 = arrays.values()
    problems = Problems()
    problems.finite(arrays)
    for name in ("count1", "count2"):
        problems.non_negative(name, arrays[name])
        problems.whole(name, arrays[name])
    problems.positive("exposure1", e1)
    problems.positive("exposure2", e2)
    problems.raise_if_any()

    o1, e1, o2, e2 = (spread(a, shape).ravel() for a in (o1, e1, o2, e2))
    p_value = np.full(o1.shape, np.nan)
    known = ~(np.isnan(o1) | np.isnan(e1) | np.isnan(o2) | np.isnan(e2))
    if known.any():
        x, total = o1[known], o1[known] + o2[known]
        share = e1[known] / (e1[known] + e2[known])
        p_value[known] = _binomial_two_sided(x, total, share)
    return RateComparison(p_value=out(p_value.reshape(shape), shape))


def _two_sided_normal(z: np.ndarray) -> np.ndarray:
    return 2 * special.ndtr(-np.abs(z))


def _ratio(difference: np.ndarray, se: np.ndarray) -> np.ndarray:
    """difference ÷ se, defined when se = 0: no spread and no difference is z = 0 (p = 1); no spread
    and a difference is certain (±inf, p = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(se == 0, np.where(difference == 0, 0.0, np.sign(difference) * np.inf),
                        difference / se)


def compare_proportions(x1, n1, x2, n2) -> ProportionComparison:
    """Two-proportion z-test with pooled variance: z = (p₂ − p₁) ÷ √(p̄(1 − p̄)(1/n₁ + 1/n₂)).

    :param x1: successes in the first sample, 0 ≤ x1 ≤ n1.
    :param n1: first sample size, > 0.
    :param x2: successes in the second sample, 0 ≤ x2 ≤ n2.
    :param n2: second sample size, > 0.
    :return: :class:`ProportionComparison`, z positive when the second proportion is larger,
        p = 2(1 − Φ(|z|)). Both proportions 0 (or both 1) give z = 0, p = 1.
    :raise ValueError: negative successes, successes above the sample size, size ≤ 0, infinities,
        shapes not broadcasting.
    """
    arrays, shape = as_arrays(x1=x1, n1=n1, x2=x2, n2=n2)
    x1, n1, x2, n2 = arrays.values()
    problems = Problems()
    problems.finite(arrays)
    for x_name, n_name in (("x1", "n1"), ("x2", "n2")):
        x, n = arrays[x_name], arrays[n_name]
        problems.non_negative(x_name, x)
        problems.positive(n_name, n)
        problems.flag(x_name, x, spread(x, shape) > spread(n, shape),
                      f"must not be greater than {n_name}")
    problems.raise_if_any()

    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = _ratio(x2 / n2 - x1 / n1, se)
    return ProportionComparison(z=out(z, shape), p_value=out(_two_sided_normal(z), shape))


def compare_means(mean1, sd1, n1, mean2, sd2, n2) -> MeanComparison:
    """Welch's unequal-variance t-test from summary statistics.

    t = (m₂ − m₁) ÷ √(s₁²/n₁ + s₂²/n₂), df = (s₁²/n₁ + s₂²/n₂)² ÷ Σ (sᵢ²/nᵢ)²/(nᵢ − 1).

    :param mean1: first mean. :param sd1: its standard deviation, ≥ 0. :param n1: its size, ≥ 2.
    :param mean2: second mean. :param sd2: its standard deviation, ≥ 0. :param n2: its size, ≥ 2.
    :return: :class:`MeanComparison`, t positive when the second mean is larger. With both sd 0 the
        df is undefined (NaN); equal means give t = 0, p = 1, different means t = ±inf, p = 0.
    :raise ValueError: sd < 0, n < 2, infinities, shapes not broadcasting.
    """
    arrays, shape = as_arrays(mean1=mean1, sd1=sd1, n1=n1, mean2=mean2, sd2=sd2, n2=n2)
    m1, s1, k1, m2, s2, k2 = arrays.values()
    problems = Problems()
    problems.finite(arrays)
    for sd_name, n_name in (("sd1", "n1"), ("sd2", "n2")):
        problems.non_negative(sd_name, arrays[sd_name])
        problems.flag(n_name, arrays[n_name], arrays[n_name] < 2, AT_LEAST_TWO)
    problems.raise_if_any()

    v1, v2 = s1**2 / k1, s2**2 / k2
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (v1 + v2) ** 2 / (v1**2 / (k1 - 1) + v2**2 / (k2 - 1))
        t = _ratio(m2 - m1, np.sqrt(v1 + v2))
        p_value = np.where(np.isinf(t), 0.0, 2 * special.stdtr(df, -np.abs(t)))
    p_value = np.where(t == 0, 1.0, p_value)
    return MeanComparison(t=out(t, shape), df=out(df, shape), p_value=out(p_value, shape))


def compare_dsrs(dsr1, var1, dsr2, var2) -> DSRComparison:
    """Normal-approximation test of two DSRs: z = (D₂ − D₁) ÷ √(var₁ + var₂), p = 2(1 − Φ(|z|)).

    :param dsr1: first DSR. :param var1: its variance (:attr:`DSRResult.variance`), ≥ 0.
    :param dsr2: second DSR, on the same multiplier. :param var2: its variance, ≥ 0.
    :return: :class:`DSRComparison`, z positive when the second DSR is larger.
    :raise ValueError: negative variance, infinities, shapes not broadcasting.
    """
    arrays, shape = as_arrays(dsr1=dsr1, var1=var1, dsr2=dsr2, var2=var2)
    d1, v1, d2, v2 = arrays.values()
    problems = Problems()
    problems.finite(arrays)
    problems.non_negative("var1", v1)
    problems.non_negative("var2", v2)
    problems.raise_if_any()

    z = _ratio(d2 - d1, np.sqrt(v1 + v2))
    return DSRComparison(z=out(z, shape), p_value=out(_two_sided_normal(z), shape))
