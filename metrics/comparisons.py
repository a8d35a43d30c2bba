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

from ._checks import (
    AT_LEAST_TWO,
    Problems,
    as_arrays,
    clean,
    finite_number,
    non_negative_number,
    positive_number,
    spread,
    two_or_more,
    whole_count,
)
from ._shared import ONE, TWO, ZERO, operand, out

#: R's binom.test (and scipy.stats.binomtest) count an outcome as "no more likely than the observed"
#: when its probability is at most (1 + 1e-7) times the observed one, so that ties survive rounding
RELATIVE_TOLERANCE = 1 + 1e-7
_LOG_TOLERANCE = operand(np.log(RELATIVE_TOLERANCE))  # once, not per call; an array operand (metrics._shared)
_TENTH = operand(0.1)  # the literal's double, as an array operand (metrics._shared)

#: the exact test's first probes of the far tail, in one call (:func:`_binomial_two_sided`): the mirror
#: image of x about the mean and the 8 outcomes either side, where the tail starts for x within a few
#: standard deviations of the mean, ...
WINDOW = np.concatenate([[0.0], np.arange(-8.0, 9.0), [0.0]])
#: ... and the mirror image ± (2 + a tenth of its distance from the mean), which narrows the range for
#: x far out in its tail, where the skew of the binomial moves the tail's start further
FAR_PROBES = np.concatenate([[-1.0], np.zeros(17), [1.0]])


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


def _first_true(lo: np.ndarray, hi: np.ndarray, predicate, probes: np.ndarray | None = None,
                holds: np.ndarray | None = None) -> np.ndarray:
    """Vectorised bisection: per row, the smallest whole i in [lo, hi] with ``predicate(i)`` true, for a
    predicate that is monotone (false, then true) on that range; hi + 1 where it never holds.

    ``lo`` and ``hi`` are columns (m, 1) with lo ≤ hi; ``predicate`` takes an array of candidates of
    shape (m, 1) or (m, k), one row per element. ``probes`` (m, k), candidates near a guess of the
    answer, are all tried in ONE predicate call first (clipped into the range): the smallest that holds
    becomes the top, the largest that fails raises the bottom above it. When the answer is among them
    (or just above the largest failing one) the range is closed at once; otherwise bisection goes on in
    what is left. The answer is the same either way, as the predicate is monotone: probes only replace
    rounds of bisection, whose numpy calls cost more than the arithmetic for a few elements.
    ``holds`` is ``predicate(probes)`` when the caller has it already (its probes then within [lo, hi]).
    """
    # the numbers as arrays (ONE, TWO...): the same arithmetic, cheaper operations (metrics._shared)
    hi = hi + ONE  # exclusive from here on
    if probes is not None and holds is None:
        probes = np.minimum(np.maximum(probes, lo), hi - ONE)
        holds = predicate(probes)
    if probes is not None:
        hi = np.minimum.reduce(np.where(holds, probes, hi), axis=1, keepdims=True)
        lo = np.maximum.reduce(np.where(holds, lo, probes + ONE), axis=1, keepdims=True)
    while True:
        open_ = lo < hi
        if not np.count_nonzero(open_):
            return lo
        mid = np.floor((lo + hi) / TWO)
        holds = predicate(mid) & open_
        hi = np.where(holds, mid, hi)
        lo = np.where(open_ & ~holds, mid + ONE, lo)


def _binomial_log_pmf(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """log P(X = k) for X ~ Binomial(n, p), from log-gamma: exact enough (relative error ~1e-9 for
    counts in the millions) for the 1e-7 tie tolerance, and free of ``scipy.stats`` per-call overhead."""
    n_k = n - k
    return (special.gammaln(n + ONE) - special.gammaln(k + ONE) - special.gammaln(n_k + ONE)
            + special.xlogy(k, p) + special.xlog1py(n_k, -p))


def _binomial_cdf(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """P(X ≤ k) = I₁₋ₚ(n − k, k + 1), 0 for k < 0 and 1 for k ≥ n.

    ``special.betainc`` (Boost's incomplete beta) rather than ``special.bdtr``: Cephes' ``bdtr`` drifts by
    ~0.004 at n ≈ 2×10⁷, which moved p-values of large counts; ``betainc`` agrees with
    ``scipy.stats.binom`` to the last digits without its per-call overhead.
    """
    inside = special.betainc(np.maximum(n - k, ONE), np.maximum(k, ZERO) + ONE, ONE - p)
    return np.where(k < ZERO, ZERO, np.where(k >= n, ONE, inside))


def _binomial_sf(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """P(X > k) = 1 − P(X ≤ k), computed directly as Iₚ(k + 1, n − k) to keep small tails exact."""
    inside = special.betainc(np.maximum(k, ZERO) + ONE, np.maximum(n - k, ONE), p)
    return np.where(k < ZERO, ONE, np.where(k >= n, ZERO, inside))


def _binomial_two_sided(x: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Two-sided exact binomial p-value as R's binom.test: the total probability of every outcome no
    more likely than x, for finite 1-D arrays with 0 ≤ x ≤ n whole and 0 < p < 1.

    The binomial probabilities fall away monotonically on each side of the mean np, so on the far side
    of the mean the outcomes no more likely than x form a tail, found by bisection rather than by
    summing every outcome (counts may be in the millions). Its first outcome is usually within a few of
    the mirror image of x about the mean, so the bisection first tries :data:`WINDOW` around the mirror
    image (and the mirror image ± a tenth of the distance from the mean, for x far out in its tail).
    Elements on both sides of the mean go through one bisection, each with its own range and test.
    The answer is plain bisection's to the bit (tests, totals up to 5×10⁷); above ~10⁸ events the
    log-probabilities near the mean are not monotone in floating point (log-gamma errors exceed the step
    between neighbours), so any search order may stop a neighbour away, as scipy's binomtest does too.
    """
    x, n, p = x[:, None], n[:, None], p[:, None]  # columns: one row per element, probes across
    mean = n * p
    below = x < mean
    # x below the mean: the far side is the upper tail [ceil(mean), n], where the probabilities fall,
    # and its first outcome no more likely than x starts the far tail. x above the mean: the lower tail
    # [0, floor(mean)], where they rise, and its first outcome more likely than x ends the far tail.
    lo = np.where(below, np.ceil(mean), ZERO)  # ZERO, TWO...: numbers as arrays (metrics._shared)
    hi = np.where(below, n, np.floor(mean))
    mirror = TWO * mean - x  # as far beyond the mean as x is before it
    probes = np.rint(mirror + (TWO + _TENTH * np.abs(x - mean)) * FAR_PROBES) + WINDOW
    probes = np.minimum(np.maximum(probes, lo), hi)
    # x's own probability, the threshold, comes out of the same array call as the probes'
    log_pmf = _binomial_log_pmf(np.concatenate((x, probes), axis=1), n, p)
    log_threshold = log_pmf[:, :1] + _LOG_TOLERANCE

    def far_side(log_pmf: np.ndarray) -> np.ndarray:
        return np.where(below, log_pmf <= log_threshold, log_pmf > log_threshold)

    first = _first_true(lo, hi, lambda i: far_side(_binomial_log_pmf(i, n, p)), probes,
                        far_side(log_pmf[:, 1:]))
    # below: P(X ≤ x) + P(X ≥ first); above: P(X ≤ first − 1) + P(X ≥ x); at the mean every outcome counts
    p_value = (_binomial_cdf(np.where(below, x, first - ONE), n, p)
               + _binomial_sf(np.where(below, first - ONE, x - ONE), n, p))
    return np.minimum(np.where(x == mean, ONE, p_value), ONE).ravel()


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
    complete = clean((o1, whole_count), (e1, positive_number), (o2, whole_count), (e2, positive_number))
    if not complete:  # (clean's tests fail NaN too, so when they pass nothing is missing)
        problems = Problems()
        problems.finite(arrays)
        for name in ("count1", "count2"):
            problems.non_negative(name, arrays[name])
            problems.whole(name, arrays[name])
        problems.positive("exposure1", e1)
        problems.positive("exposure2", e2)
        problems.raise_if_any()

    o1, e1, o2, e2 = (spread(a, shape).ravel() for a in (o1, e1, o2, e2))
    if not complete:
        known = ~np.isnan(o1 + e1 + o2 + e2)  # a sum of numbers ≥ 0 is NaN only if one of them is
        complete = np.count_nonzero(known) == known.size
    if complete:  # the usual case: nothing missing, nothing to pick out
        p_value = _binomial_two_sided(o1, o1 + o2, e1 / (e1 + e2))
    else:
        p_value = np.full(o1.shape, np.nan)
        if np.count_nonzero(known):
            o1, e1, o2, e2 = o1[known], e1[known], o2[known], e2[known]
            p_value[known] = _binomial_two_sided(o1, o1 + o2, e1 / (e1 + e2))
    return RateComparison(p_value=out(p_value.reshape(shape), shape))


def _two_sided_normal(z: np.ndarray) -> np.ndarray:
    return TWO * special.ndtr(-np.abs(z))


def _ratio(difference: np.ndarray, se: np.ndarray) -> np.ndarray:
    """difference ÷ se, defined when se = 0: no spread and no difference is z = 0 (p = 1); no spread
    and a difference is certain (±inf, p = 0).

    Where no se is 0 (the usual call) the outer ``np.where`` would pick ``difference / se`` everywhere,
    so that quotient is the answer as it stands, without building the unused branch (four array
    operations); ``test_ratio_without_zero_spread_is_the_general_formula`` pins the two together.
    """
    zero = se == ZERO
    with np.errstate(divide="ignore", invalid="ignore"):
        if not np.count_nonzero(zero):
            return difference / se
        return np.where(zero, np.where(difference == 0, 0.0, np.sign(difference) * np.inf),
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
    above1, above2 = spread(x1, shape) > spread(n1, shape), spread(x2, shape) > spread(n2, shape)
    if not (clean((x1, non_negative_number), (n1, positive_number), (x2, non_negative_number),
                  (n2, positive_number))
            and not np.count_nonzero(above1) and not np.count_nonzero(above2)):
        problems = Problems()
        problems.finite(arrays)
        for x_name, n_name, above in (("x1", "n1", above1), ("x2", "n2", above2)):
            x, n = arrays[x_name], arrays[n_name]
            problems.non_negative(x_name, x)
            problems.positive(n_name, n)
            problems.flag(x_name, x, above, f"must not be greater than {n_name}")
        problems.raise_if_any()

    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (ONE - pooled) * (ONE / n1 + ONE / n2))  # ONE: see metrics._shared
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
    if not clean((m1, finite_number), (s1, non_negative_number), (k1, two_or_more),
                 (m2, finite_number), (s2, non_negative_number), (k2, two_or_more)):
        problems = Problems()
        problems.finite(arrays)
        for sd_name, n_name in (("sd1", "n1"), ("sd2", "n2")):
            problems.non_negative(sd_name, arrays[sd_name])
            problems.flag(n_name, arrays[n_name], arrays[n_name] < 2, AT_LEAST_TWO)
        problems.raise_if_any()

    v1, v2 = s1**2 / k1, s2**2 / k2
    v = v1 + v2  # once for both df and t
    with np.errstate(divide="ignore", invalid="ignore"):
        df = v**2 / (v1**2 / (k1 - ONE) + v2**2 / (k2 - ONE))  # ONE, ZERO...: see metrics._shared
        t = _ratio(m2 - m1, np.sqrt(v))
        p_value = np.where(np.isinf(t), ZERO, TWO * special.stdtr(df, -np.abs(t)))
    p_value = np.where(t == ZERO, ONE, p_value)
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
    if not clean((d1, finite_number), (v1, non_negative_number), (d2, finite_number),
                 (v2, non_negative_number)):
        problems = Problems()
        problems.finite(arrays)
        problems.non_negative("var1", v1)
        problems.non_negative("var2", v2)
        problems.raise_if_any()

    z = _ratio(d2 - d1, np.sqrt(v1 + v2))
    return DSRComparison(z=out(z, shape), p_value=out(_two_sided_normal(z), shape))
