"""Funnel plots: PHE's published limits and axis, independent brute-force and scipy computations,
significance at the boundaries, properties, and input checking."""

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import optimize, stats

import metrics
from metrics import funnels

FIXTURES = Path(__file__).resolve().parent / "fixtures"
Z95 = stats.norm.ppf(0.975)
Z998 = stats.norm.ppf(0.999)
LIMITS = ("lower_95", "upper_95", "lower_998", "upper_998")


def table(name: str) -> dict[str, np.ndarray]:
    with (FIXTURES / name).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {key: np.array([float(row[key]) for row in rows]) for key in rows[0]}


def limits(funnel) -> np.ndarray:
    return np.array([getattr(funnel, name) for name in LIMITS])


# --- PHE's published values ---------------------------------------------------------------------------


def test_proportion_funnel_reproduces_phe_axis_and_limits():
    """PHE's 100-row output for an average of 80.642448 % and denominators 16,386 … 102,950."""
    phe = table("funnel_proportions_phe.csv")
    assert len(phe["population"]) == 100
    average = 0.80642448
    funnel = metrics.proportion_funnel(np.array([16386, 102950]) * average, [16386, 102950])
    assert funnel.average == pytest.approx(80.642448, rel=1e-12)
    assert_array_equal(funnel.at, phe["population"])
    assert_allclose(limits(funnel), [phe[name] for name in LIMITS], atol=1e-5)


def test_axis_of_close_denominators_starts_near_the_smallest():
    """PHE's "axis variation" output: denominators within a factor of 2 give an axis from 0.95 × the
    smallest rounded down (10,000) to 1.05 × the largest rounded up to two figures (33,000)."""
    phe_start = [10000, 10121, 10244, 10368, 10494, 10621, 10750, 10880, 11012, 11146]
    phe_end = [31068, 31445, 31827, 32213, 32604, 33000]
    funnel = metrics.proportion_funnel([13000, 25000], [16000, 31000])
    assert len(funnel.at) == 100
    assert_array_equal(funnel.at[:10], phe_start)
    assert_array_equal(funnel.at[-6:], phe_end)


def test_ratio_funnel_reproduces_phe_limits_and_axis():
    phe = table("funnel_ratios_phe.csv")
    funnel = metrics.ratio_funnel([8, 6], [4.293052052, 706.7669173], at=phe["observed"])
    assert_allclose(limits(funnel), [phe[name] for name in LIMITS], rtol=1e-4)
    # PHE's default axis for expected counts 4.29 … 706.8: 1 … 33, then 35, 37, …, ending short at 716
    axis = metrics.ratio_funnel([8, 6], [4.293052052, 706.7669173]).at
    assert len(axis) == 100
    assert_array_equal(axis[:33], np.arange(1, 34))
    assert_array_equal(axis[33:36], [35, 37, 39])
    assert_array_equal(axis[-3:], [653, 684, 716])


def test_rate_funnel_reproduces_phe_limits():
    """One DSR area whose rate is PHE's average of 116.1720835 per 100,000 sets that average."""
    phe = table("funnel_rates_phe.csv")
    funnel = metrics.rate_funnel([500], [116.1720835], rate_type="dsr", at=phe["events"])
    assert funnel.average == pytest.approx(116.1720835, rel=1e-12)
    assert_allclose(limits(funnel), [phe[name] for name in LIMITS], rtol=1e-4)


# --- independent computations -------------------------------------------------------------------------


def wilson_bounds(p_hat, n, z):
    centre = (p_hat + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p_hat * (1 - p_hat) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


@pytest.mark.parametrize("average", [0.03, 0.5, 0.8064, 0.97])
def test_proportion_limits_are_where_the_wilson_interval_reaches_the_average(average):
    """Brute force, per point: brentq finds the observed proportion whose Wilson interval (written out
    here from Wilson 1927) has its lower end at the average (upper limit) or upper end (lower limit)."""
    at = np.array([3, 10, 50, 200, 1000, 25_000, 400_000], dtype=float)
    funnel = metrics.proportion_funnel([average * 1000], [1000], at=at)
    for i, n in enumerate(at):
        for z, lower, upper in ((Z95, funnel.lower_95, funnel.upper_95),
                                (Z998, funnel.lower_998, funnel.upper_998)):
            def lower_end(p, n=n, z=z):
                return wilson_bounds(p, n, z)[0] - average

            def upper_end(p, n=n, z=z):
                return wilson_bounds(p, n, z)[1] - average

            # the Wilson interval of p̂ = 1 (or 0) may still hold the average: then the limit is clipped
            hi = optimize.brentq(lower_end, average, 1, xtol=1e-14) if lower_end(1) > 0 else 1.0
            lo = optimize.brentq(upper_end, 0, average, xtol=1e-14) if upper_end(0) < 0 else 0.0
            assert upper[i] == pytest.approx(100 * hi, abs=1e-5)
            assert lower[i] == pytest.approx(100 * lo, abs=1e-5)


@pytest.mark.parametrize("multiplier", [1, 100, 1000])
def test_proportion_limits_are_clipped_to_zero_and_the_multiplier(multiplier):
    funnel = metrics.proportion_funnel([9], [10], multiplier=multiplier, at=[1, 2, 5])
    assert funnel.average == pytest.approx(0.9 * multiplier)
    assert (funnel.upper_95 == multiplier).all() and (funnel.upper_998 == multiplier).all()
    assert funnel.lower_998[0] == 0.0
    assert (limits(funnel) >= 0).all() and (limits(funnel) <= multiplier).all()


@pytest.mark.parametrize("count", [1, 2, 5, 9, 10, 57, 300, 2.5])
def test_ratio_limits_are_exact_poisson_means(count):
    """lower = O/μ⁺ and upper = O/μ⁻ where P(X ≤ O | μ⁺) = α/2 and P(X ≥ O | μ⁻) = α/2 (scipy's
    distributions; the gamma form for a non-whole count)."""
    funnel = metrics.ratio_funnel([10], [10], at=[count])
    for alpha, lower, upper in ((0.05, funnel.lower_95, funnel.upper_95),
                                (0.002, funnel.lower_998, funnel.upper_998)):
        mean_high, mean_low = count / lower[0], count / upper[0]
        assert stats.gamma.sf(mean_high, count + 1) == pytest.approx(alpha / 2, rel=1e-9)
        assert stats.gamma.cdf(mean_low, count) == pytest.approx(alpha / 2, rel=1e-9)
        if float(count).is_integer():
            assert stats.poisson.cdf(count, mean_high) == pytest.approx(alpha / 2, rel=1e-9)
            assert stats.poisson.sf(count - 1, mean_low) == pytest.approx(alpha / 2, rel=1e-9)


def test_rate_limits_are_the_average_times_the_ratio_limits():
    at = np.array([1, 4, 12, 80, 1500.0])
    rates = metrics.rate_funnel([20, 30, 50], [100, 200, 250], rate_type="crude", at=at)
    ratios = metrics.ratio_funnel([1], [1], at=at)
    # derived denominators 20000, 15000, 20000: average 100 / 55000 per person
    assert rates.average == pytest.approx(100 / 55_000 * 100_000, rel=1e-12)
    assert_allclose(limits(rates), limits(ratios) * rates.average, rtol=1e-12)
    expected_lower = rates.average * at / (stats.chi2.ppf(0.975, 2 * at + 2) / 2)
    assert_allclose(rates.lower_95, expected_lower, rtol=1e-9)


# --- significance -------------------------------------------------------------------------------------


def test_proportion_significance_matches_phe_label_for_label():
    """Areas of PHE's own input table (New Forest … Wyre Forest) with PHE's labels: within a funnel
    whose average is set by them all, each label follows from the value and its own limits."""
    numerator = np.array([35078.488, 24803.6256, 50050.7443, 35795.6324, 22030.9072, 26789.238])
    denominator = np.array([41980, 31824, 61921, 45449, 27388, 33012.0])
    funnel = metrics.proportion_funnel(numerator, denominator)
    p = numerator.sum() / denominator.sum()
    value = numerator / denominator
    half_95 = Z95 * np.sqrt(p * (1 - p) / denominator)
    half_998 = Z998 * np.sqrt(p * (1 - p) / denominator)
    expected = np.where(value < p - half_998, "Low (0.001)",
               np.where(value < p - half_95, "Low (0.025)",
               np.where(value > p + half_998, "High (0.001)",
               np.where(value > p + half_95, "High (0.025)", "Not significant"))))
    assert_array_equal(funnel.significance, expected)
    assert set(funnel.significance) >= {"High (0.001)", "Low (0.001)"}


@pytest.mark.parametrize(("offset", "label"), [
    (-1e-6, "Not significant"),        # just inside the 95% limit
    (+1e-6, "High (0.025)"),           # just outside it
])
def test_proportion_label_flips_at_the_95_limit(offset, label):
    """The area's proportion sits just either side of p̄ + z₉₅·√(p̄(1−p̄)/n); a huge balancing area
    keeps the average at 0.5 (to 1e-9) so that the limit is known in advance."""
    n = 400.0
    value = 0.5 + Z95 * math.sqrt(0.25 / n) + offset
    big = 4e9
    numerator = [value * n, 0.5 * big - (value - 0.5) * n]
    funnel = metrics.proportion_funnel(numerator, [n, big])
    assert funnel.average == pytest.approx(50, abs=1e-12)
    assert funnel.significance[0] == label
    assert funnel.significance[1] == "Not significant"


@pytest.mark.parametrize(("offset", "label"), [(-1e-6, "High (0.025)"), (+1e-6, "High (0.001)"),
                                               (None, "Low (0.001)")])
def test_proportion_label_flips_at_the_998_limit(offset, label):
    n = 400.0
    half = Z998 * math.sqrt(0.25 / n)
    value = 0.5 - half - 1e-6 if offset is None else 0.5 + half + offset
    big = 4e9
    funnel = metrics.proportion_funnel([value * n, 0.5 * big - (value - 0.5) * n], [n, big])
    assert funnel.significance[0] == label


def test_ratio_significance_uses_exact_below_ten_and_byars_from_ten():
    """Against 1: High when the lower limit of O/E is above 1, Low when the upper is below 1."""
    observed = np.array([0, 3, 9, 10, 10, 25, 40, 100, 100, 9])
    expected = np.array([4.0, 0.5, 3.5, 4.5, 5.0, 25, 25, 80, 130, 1.0])
    funnel = metrics.ratio_funnel(observed, expected)
    labels = []
    for o, e in zip(observed, expected, strict=True):
        if o < 10:
            low95, low998 = (stats.chi2.ppf(a / 2, 2 * o) / 2 if o else 0.0 for a in (0.05, 0.002))
            up95, up998 = (stats.chi2.ppf(1 - a / 2, 2 * o + 2) / 2 for a in (0.05, 0.002))
        else:
            low95, low998 = (o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3 for z in (Z95, Z998))
            up95, up998 = ((o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
                           for z in (Z95, Z998))
        labels.append("Low (0.001)" if up998 / e < 1 else "Low (0.025)" if up95 / e < 1 else
                      "High (0.001)" if low998 / e > 1 else "High (0.025)" if low95 / e > 1 else
                      "Not significant")
    assert_array_equal(funnel.significance, labels)
    assert len(set(labels)) >= 4   # the case list covers most labels
    assert funnel.average == pytest.approx(observed.sum() / expected.sum())


def test_ratio_significance_at_the_ten_event_switch():
    """At 10 events the High test uses Byar's lower limit (4.7937), not the exact one (4.7954): an expected
    count between the two shows which method was used; at 9 events the exact limit decides."""
    exact_lower = stats.chi2.ppf(0.025, 20) / 2                       # 4.7954
    byars_lower = 10 * (1 - 1 / 90 - Z95 / (3 * math.sqrt(10))) ** 3  # 4.7937
    expected = (exact_lower + byars_lower) / 2
    assert byars_lower < expected < exact_lower
    funnel = metrics.ratio_funnel([10, 500], [expected, 500])
    assert funnel.significance[0] == "Not significant"   # Byar's: 4.7937/E < 1
    below = metrics.ratio_funnel([9, 500], [stats.chi2.ppf(0.025, 18) / 2 * 0.999, 500])
    assert below.significance[0] == "High (0.025)"         # exact at 9 events


def test_dsr_significance_not_applicable_below_ten_events():
    numerator = np.array([0, 5, 9, 10, 400, 30])
    rate = np.array([0, 50.0, 90, 15, 100, 400])
    funnel = metrics.rate_funnel(numerator, rate, rate_type="dsr")
    na = "Not applicable for events less than 10 for dsrs"
    assert list(funnel.significance[:3]) == [na, na, na]
    assert na not in funnel.significance[3:]
    # the zero-event DSR adds no denominator; the others give multiplier × O ÷ rate
    denominators = 100_000 * numerator[1:] / rate[1:]
    assert funnel.average == pytest.approx(numerator.sum() / denominators.sum() * 100_000, rel=1e-12)
    assert funnel.significance[3] == "Low (0.001)" and funnel.significance[5] == "High (0.001)"


def test_crude_rate_significance_and_population():
    """A crude rate with no events takes its population; the same area as a DSR is not assessed."""
    numerator = np.array([0, 40, 400, 4000])
    population = np.array([50_000, 20_000, 400_000, 3_000_000.0])
    rate = numerator / population * 100_000
    funnel = metrics.rate_funnel(numerator, rate, population=population)
    average = numerator.sum() / population.sum()
    assert funnel.average == pytest.approx(average * 100_000, rel=1e-12)
    # 0 events in 50,000 at an average of 1.27 per 1,000: expected 64, exact upper 3.69: Low (0.001)
    assert funnel.significance[0] == "Low (0.001)"
    (low, up), _ = metrics.rates.count_limits(numerator.astype(float), np.asarray(0.95))
    for i in range(1, 4):
        outside = low[i] / population[i] > average or up[i] / population[i] < average
        assert (funnel.significance[i] != "Not significant") == outside


def test_missing_rows_are_left_out_and_labelled_empty():
    funnel = metrics.proportion_funnel([10, np.nan, 30], [100, 100, np.nan])
    assert funnel.average == pytest.approx(10.0)
    assert list(funnel.significance) == ["Not significant", "", ""]
    ratio = metrics.ratio_funnel([5, np.nan], [5, 5])
    assert list(ratio.significance) == ["Not significant", ""]


# --- properties ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [
    lambda: metrics.proportion_funnel([120, 3000, 45], [1000, 20_000, 300]),
    lambda: metrics.proportion_funnel([2, 999], [1000, 1000], multiplier=1),
    lambda: metrics.ratio_funnel([12, 300, 45], [10.0, 280, 60]),
    lambda: metrics.rate_funnel([12, 300, 45], [30.0, 45, 12]),
    lambda: metrics.rate_funnel([12, 300, 45], [30.0, 45, 12], rate_type="dsr", multiplier=1000),
], ids=["proportion", "extreme proportion", "ratio", "crude rate", "dsr"])
def test_funnel_shape(make):
    funnel = make()
    centre = 1.0 if funnel.statistic == "ratio" else funnel.average
    assert len(funnel.at) == 100 and (np.diff(funnel.at) > 0).all()
    # 99.8% outside 95%, the centre between them
    assert (funnel.lower_998 <= funnel.lower_95).all() and (funnel.upper_95 <= funnel.upper_998).all()
    assert (funnel.lower_95 <= centre).all() and (centre <= funnel.upper_95).all()
    # limits widen as the denominator (or count) falls: monotone towards the centre along the axis
    assert (np.diff(funnel.lower_95) >= 0).all() and (np.diff(funnel.lower_998) >= 0).all()
    assert (np.diff(funnel.upper_95) <= 0).all() and (np.diff(funnel.upper_998) <= 0).all()
    assert funnel.upper_95[0] - funnel.lower_95[0] > funnel.upper_95[-1] - funnel.lower_95[-1]


def test_funnel_is_frozen():
    funnel = metrics.proportion_funnel([1], [10])
    with pytest.raises(AttributeError):
        funnel.average = 3


def test_axis_helpers_round_as_phe():
    assert funnels.axis_range(16386, 102950) == (0.0, 110000)
    assert funnels.axis_range(11000, 21000) == (10000, 23000)
    assert funnels.axis_range(4.2930, 706.77) == (0.0, 750)
    assert funnels.axis_range(3.0, 5.0) == (2.0, 5.3)
    points = funnels.axis_points(0, 110000)
    assert points[0] == 1 and points[-1] == 110000 and len(points) == 100


def test_large_funnel_has_one_label_per_row():
    rng = np.random.default_rng(5)
    denominator = rng.integers(50, 100_000, 10_000).astype(float)
    numerator = rng.binomial(denominator.astype(int), 0.3).astype(float)
    funnel = metrics.proportion_funnel(numerator, denominator)
    assert funnel.significance.shape == (10_000,)
    # binomial areas around their own average: most are within the 95% limits
    share = (funnel.significance == "Not significant").mean()
    assert 0.9 < share < 0.99


# --- input checking -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("call", "match"), [
    (lambda: metrics.proportion_funnel([1, -1], [10, 10]),
     "numerator must be greater than or equal to zero at positions 1"),
    (lambda: metrics.proportion_funnel([1, 11], [10, 10]),
     "numerator must not be greater than the denominator at positions 1"),
    (lambda: metrics.proportion_funnel([1, 1, 1], [10, 0, -2]),
     "denominator must be greater than zero at positions 1, 2"),
    (lambda: metrics.proportion_funnel([1], [10], multiplier=0), "multiplier must be greater than zero"),
    (lambda: metrics.proportion_funnel([1], [np.inf]), "denominator must be finite"),
    (lambda: metrics.proportion_funnel([[1]], [[10]]), "must be 1-D"),
    (lambda: metrics.proportion_funnel([1, 2], [10, 10, 10]), "shapes do not broadcast"),
    (lambda: metrics.proportion_funnel(["a"], [10]), "numerator must be numeric"),
    (lambda: metrics.proportion_funnel([np.nan], [10]), "no complete rows"),
    (lambda: metrics.proportion_funnel([1], [10], at=[10, 0, np.nan]),
     "at must be finite numbers at positions 2; at must be greater than zero at positions 1"),
    (lambda: metrics.ratio_funnel([1, -2], [3, 3]), "observed must be greater than or equal to zero at"),
    (lambda: metrics.ratio_funnel([1, 2], [3, 0]), "expected must be greater than zero at positions 1"),
    (lambda: metrics.ratio_funnel([1], [3], at=[-1]), "at must be greater than zero"),
    (lambda: metrics.rate_funnel([1], [3], rate_type="isr"), "rate_type must be 'crude' or 'dsr'"),
    (lambda: metrics.rate_funnel([1, -1], [3, 3]), "numerator must be greater than or equal to zero at"),
    (lambda: metrics.rate_funnel([1, 1], [3, -3]), "rate must be greater than or equal to zero at"),
    (lambda: metrics.rate_funnel([1, 5], [3, 0]), "rate must be greater than zero where the numerator is"),
    (lambda: metrics.rate_funnel([0, 5], [0, 3]), "population is needed for a crude rate with no events"),
    (lambda: metrics.rate_funnel([1], [3], population=[0]), "population must be greater than zero"),
    (lambda: metrics.rate_funnel([1], [3], rate_type="dsr", population=[10]),
     "population applies to crude rates only"),
    (lambda: metrics.rate_funnel([0, 0], [0, 0], rate_type="dsr"), "no row has a denominator"),
    (lambda: metrics.rate_funnel([1], [3], multiplier=-5), "multiplier must be greater than zero"),
], ids=lambda value: value if isinstance(value, str) else "")
def test_bad_input_names_the_argument_and_rows(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValueError) as error:
        metrics.proportion_funnel([-1, 5], [10, 0])
    assert "numerator must be greater than or equal to zero at positions 0" in str(error.value)
    assert "denominator must be greater than zero at positions 1" in str(error.value)
