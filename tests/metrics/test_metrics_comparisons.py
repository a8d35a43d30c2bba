"""Change tests against scipy's own implementations on a few hundred random inputs, plus edge cases."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import metrics

RANDOM_CASES = 300


@pytest.fixture()
def rng():
    return np.random.default_rng(20150401)


def random_rate_pairs(rng):
    """Counts from tiny to large, exposures from very unequal to equal; some exactly at the mean."""
    scale = rng.choice([3, 30, 300, 30_000], RANDOM_CASES)
    count1 = rng.poisson(scale).astype(float)
    count2 = rng.poisson(scale * rng.uniform(0.5, 1.5, RANDOM_CASES)).astype(float)
    exposure1 = rng.uniform(100, 1e6, RANDOM_CASES)
    exposure2 = exposure1 * rng.choice([0.1, 0.9, 1.0, 1.0, 3.0], RANDOM_CASES)
    return count1, exposure1, count2, exposure2


def test_compare_rates_matches_scipy_binomtest(rng):
    count1, exposure1, count2, exposure2 = random_rate_pairs(rng)
    result = metrics.compare_rates(count1, exposure1, count2, exposure2)
    expected = []
    for o1, e1, o2, e2 in zip(count1, exposure1, count2, exposure2, strict=True):
        n = int(o1 + o2)
        expected.append(stats.binomtest(int(o1), n, e1 / (e1 + e2)).pvalue if n else 1.0)
    assert result.p_value.shape == (RANDOM_CASES,)
    assert_allclose(result.p_value, expected, rtol=1e-9, atol=1e-300)


def test_compare_rates_is_symmetric(rng):
    count1, exposure1, count2, exposure2 = random_rate_pairs(rng)
    forward = metrics.compare_rates(count1, exposure1, count2, exposure2).p_value
    backward = metrics.compare_rates(count2, exposure2, count1, exposure1).p_value
    assert_allclose(forward, backward, rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize(("count1", "exposure1", "count2", "exposure2", "expected"), [
    (0, 1, 0, 1, 1.0),             # nothing happened in either period: no evidence of change
    (5, 1, 5, 1, 1.0),             # observed split is the expected one
    (0, 1, 10, 1, 2 * 0.5**10),    # all 10 on one side of a fair split: the two extreme outcomes
    # 3 of 6 at p = 2/3 (P(k) = C(6,k)·2^k / 729): P(3) = 160/729; beyond the mean 4 only P(6) = 64/729
    # is no more likely, so p = P(0..3) + P(6) = (1 + 12 + 60 + 160 + 64) / 729
    (3, 2, 3, 1, 297 / 729),
])
def test_compare_rates_hand_worked(count1, exposure1, count2, exposure2, expected):
    result = metrics.compare_rates(count1, exposure1, count2, exposure2)
    assert type(result.p_value) is float
    assert result.p_value == pytest.approx(expected, rel=1e-12)


def test_compare_rates_ties_count_as_no_more_likely():
    """p = 1/2, n = 4: outcomes 1 and 3 are equally likely, so x = 1 sums P(0, 1, 3, 4) = 10/16."""
    assert metrics.compare_rates(1, 1, 3, 1).p_value == pytest.approx(10 / 16, rel=1e-12)


def test_compare_rates_large_counts_and_nan():
    result = metrics.compare_rates([2_000_000, np.nan], [1e8, 1e8], [2_004_000, 5], [1e8, 1e8])
    assert result.p_value[0] == pytest.approx(stats.binomtest(2_000_000, 4_004_000, 0.5).pvalue, rel=1e-9)
    assert np.isnan(result.p_value[1])


@pytest.mark.parametrize(("count1", "count2"), [
    (10**7, 10**7 - 100),      # near the mean, where the tails nearly meet: p close to 1
    (10**8, 10**8 - 1_000),
    (10**6, 10**6 - 2_000),
    (123_457, 121_000),
])
def test_compare_rates_stays_exact_for_very_large_counts(count1, count2):
    """Regression: a Cephes binomial CDF drifted by ~0.009 in p at 10⁷ events (review finding)."""
    result = metrics.compare_rates(count1, 1.0, count2, 1.0)
    assert result.p_value == pytest.approx(stats.binomtest(count1, count1 + count2, 0.5).pvalue, rel=1e-9)


def test_compare_means_matches_scipy_welch(rng):
    mean1, mean2 = rng.normal(18, 2, (2, RANDOM_CASES))
    sd1, sd2 = rng.uniform(0.1, 6, (2, RANDOM_CASES))
    n1, n2 = rng.integers(2, 2000, (2, RANDOM_CASES)).astype(float)
    result = metrics.compare_means(mean1, sd1, n1, mean2, sd2, n2)
    expected = stats.ttest_ind_from_stats(mean1, sd1, n1, mean2, sd2, n2, equal_var=False)
    assert_allclose(result.t, -expected.statistic, rtol=1e-9)      # ours is "2 minus 1"
    assert_allclose(result.p_value, expected.pvalue, rtol=1e-9)
    v1, v2 = sd1**2 / n1, sd2**2 / n2
    assert_allclose(result.df, (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1)), rtol=1e-12)


def test_compare_means_without_spread():
    same = metrics.compare_means(5, 0, 10, 5, 0, 10)
    assert same.t == 0 and same.p_value == 1 and np.isnan(same.df)
    different = metrics.compare_means(5, 0, 10, 6, 0, 10)
    assert different.t == np.inf and different.p_value == 0


def test_compare_proportions_matches_chi_squared_on_the_two_by_two_table(rng):
    """The pooled z-test is the uncorrected Pearson chi-squared test of the 2×2 table: z² = χ²."""
    n1, n2 = rng.integers(20, 5000, (2, RANDOM_CASES)).astype(float)
    x1 = np.floor(rng.uniform(0.05, 0.95, RANDOM_CASES) * n1)
    x2 = np.floor(rng.uniform(0.05, 0.95, RANDOM_CASES) * n2)
    result = metrics.compare_proportions(x1, n1, x2, n2)
    for i in range(RANDOM_CASES):
        table = [[x1[i], n1[i] - x1[i]], [x2[i], n2[i] - x2[i]]]
        chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
        assert result.z[i] ** 2 == pytest.approx(chi2, rel=1e-9)
        assert result.p_value[i] == pytest.approx(p, rel=1e-9)
    assert (np.sign(result.z) == np.sign(x2 / n2 - x1 / n1)).all()


def test_compare_proportions_hand_worked():
    """10/100 vs 20/100: pooled 0.15, se = √(0.15·0.85·0.02) = 0.0504975, z = 0.1/se = 1.980295."""
    result = metrics.compare_proportions(10, 100, 20, 100)
    assert result.z == pytest.approx(0.1 / np.sqrt(0.15 * 0.85 * 0.02), rel=1e-12)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(1.9802950859533), rel=1e-9)


@pytest.mark.parametrize(("x", "n"), [(0, 50), (50, 50)])
def test_compare_proportions_without_spread(x, n):
    result = metrics.compare_proportions(x, n, x * 2, n * 2)
    assert result.z == 0 and result.p_value == 1


def test_compare_dsrs_hand_worked():
    """D₁ = 100 (var 9), D₂ = 110 (var 16): z = 10 / 5 = 2, p = 2(1 − Φ(2)) = 0.0455003."""
    result = metrics.compare_dsrs(100, 9, 110, 16)
    assert result.z == pytest.approx(2.0, rel=1e-12)
    assert result.p_value == pytest.approx(0.04550026389635842, rel=1e-9)
    arrays = metrics.compare_dsrs([100, 120], [9, 9], 110, [16, 16])
    assert_allclose(arrays.z, [2.0, -2.0])


def rate_pairs_near_and_far(rng, size, largest):
    """Totals from 1 to ``largest`` at shares from 0.01 to 0.99; x within a few standard deviations of
    the mean, or anywhere in [0, total] (mostly far out in a tail)."""
    total = np.floor(10 ** rng.uniform(0, np.log10(largest), size))
    share = rng.choice([0.01, 0.1, 1 / 3, 0.4999, 0.5, 0.7, 0.99], size)
    sd = np.sqrt(total * share * (1 - share))
    near = np.clip(np.round(total * share + rng.normal(0, 1, size) * sd), 0, total)
    far = np.floor(rng.uniform(0, total + 1))
    return total, share, near, far


def test_compare_rates_matches_scipy_binomtest_for_large_counts(rng):
    total, share, near, far = rate_pairs_near_and_far(rng, 150, 2e7)
    x = np.where(rng.uniform(size=150) < 0.5, near, far)
    result = metrics.compare_rates(x, share, total - x, 1 - share).p_value
    expected = [stats.binomtest(int(k), int(n), s).pvalue for k, n, s in zip(x, total, share, strict=True)]
    assert_allclose(result, expected, rtol=1e-9, atol=1e-300)


def test_ratio_without_zero_spread_is_the_general_formula(rng):
    """``_ratio`` returns the bare quotient when no se is 0: bit for bit the general formula's answer on
    generated inputs (with NaN, infinities, zero differences), and the general formula where se has 0s."""
    from metrics.comparisons import _ratio

    for _ in range(200):
        size = int(rng.integers(1, 9))
        difference = rng.normal(0, 10, size) * rng.choice([1, 1, 0, 1e-300, 1e300], size)
        se = np.abs(rng.normal(0, 5, size)) * rng.choice([1, 1, 1, 0, 1e-300, 1e300], size)
        for values in (difference, se):
            values[rng.random(size) < 0.1] = rng.choice([np.nan, np.inf, -np.inf])
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            general = np.where(se == 0, np.where(difference == 0, 0.0, np.sign(difference) * np.inf),
                               difference / se)
            got = _ratio(difference, se)
        np.testing.assert_array_equal(got, general)
        assert got.tobytes() == general.tobytes()  # the same bits, signed zeros included
