"""Crude rates and Poisson limits on counts: PHE's reference rows, the exact limits' definition, edges."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from phe_reference import cases, number, rtol
from scipy import stats

import metrics
from metrics import rates


@pytest.mark.parametrize("row", cases("rates.csv"))
def test_rate_matches_phe_reference(row):
    result = metrics.rate(number(row["numerator"]), number(row["denominator"]),
                          confidence=number(row["confidence"]), multiplier=number(row["multiplier"]))
    expected = [number(row[k]) for k in ("value", "lower", "upper")]
    assert_allclose([result.value, result.lower, result.upper], expected, rtol=rtol("rates.csv"))
    assert result.method == row["method"].lower()


@pytest.mark.parametrize("row", cases("byars_counts.csv"))
def test_byars_matches_phe_reference(row):
    result = metrics.byars_limits(number(row["count"]), number(row["confidence"]))
    assert_allclose([result.lower, result.upper], [number(row["lower"]), number(row["upper"])],
                    rtol=rtol("byars_counts.csv"))   # an NA lower (negative Byar's) must be NaN too


@pytest.mark.parametrize("row", cases("exact_poisson_counts.csv"))
def test_exact_matches_phe_reference(row):
    """PHE found these by bisection, so they agree with the closed form to ~5e-5 (README)."""
    result = metrics.exact_poisson_limits(number(row["count"]), number(row["confidence"]))
    assert_allclose([result.lower, result.upper], [number(row["lower"]), number(row["upper"])],
                    rtol=rtol("exact_poisson_counts.csv"))


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.998])
@pytest.mark.parametrize("count", [1, 2, 9, 10, 57, 3.5])
def test_exact_limits_are_the_poisson_means_that_just_allow_the_count(count, confidence):
    """Definition: P(X ≥ O | lower) = α/2 and P(X ≤ O | upper) = α/2 (via the gamma-Poisson relation
    for non-integer O), checked against scipy's distributions rather than our formula."""
    alpha = 1 - confidence
    result = metrics.exact_poisson_limits(count, confidence)
    assert stats.gamma.cdf(result.lower, count) == pytest.approx(alpha / 2, rel=1e-9)
    assert stats.gamma.sf(result.upper, count + 1) == pytest.approx(alpha / 2, rel=1e-9)
    if float(count).is_integer():
        assert stats.poisson.sf(count - 1, result.lower) == pytest.approx(alpha / 2, rel=1e-9)
        assert stats.poisson.cdf(count, result.upper) == pytest.approx(alpha / 2, rel=1e-9)


def test_many_small_counts_share_their_limits_without_changing_them():
    """Above a few dozen small counts the exact limits are computed once per distinct count."""
    counts = np.tile(np.arange(10.0), 50)
    (shared_lower, shared_upper), exact = rates.count_limits(counts, np.asarray(0.95))
    assert exact.all()
    with np.errstate(invalid="ignore"):
        expected_lower = np.where(counts == 0, 0.0, stats.chi2.ppf(0.025, 2 * counts) / 2)
    assert_allclose(shared_lower, expected_lower, rtol=1e-12)
    assert_allclose(shared_upper, stats.chi2.ppf(0.975, 2 * counts + 2) / 2, rtol=1e-12)


def test_zero_events_has_lower_zero_and_the_exact_upper():
    """No event: P(X = 0 | μ) = e^−μ = 0.025 gives the upper limit −ln 0.025 = 3.6889 per unit."""
    result = metrics.rate(0, 1000, confidence=0.95, multiplier=1000)
    assert result.value == 0.0 and result.lower == 0.0 and result.method == "exact"
    assert result.upper == pytest.approx(-math.log(0.025), rel=1e-12)
    assert metrics.exact_poisson_limits(0).upper == pytest.approx(3.6888794541139354, rel=1e-12)


def test_byars_lower_at_zero_is_undefined():
    assert math.isnan(metrics.byars_limits(0).lower)


@pytest.mark.parametrize(("count", "method"), [(0, "exact"), (9, "exact"), (9.999, "exact"),
                                               (10, "byars"), (10.5, "byars"), (12_345, "byars")])
def test_method_switches_at_ten_events(count, method):
    assert metrics.EXACT_BELOW == 10
    result = metrics.rate(count, 50_000)
    assert result.method == method
    chosen = metrics.exact_poisson_limits(count) if method == "exact" else metrics.byars_limits(count)
    assert result.lower == pytest.approx(chosen.lower * 2, rel=1e-12)  # × 100,000 ÷ 50,000


def test_mixed_array_chooses_per_element_and_nan_stays_local():
    result = metrics.rate([3, 30, np.nan, 0], [100, 100, 100, np.nan], multiplier=100)
    assert result.method.tolist() == ["exact", "byars", "", "exact"]
    assert_allclose(result.value, [3, 30, np.nan, np.nan])
    assert np.isnan(result.lower[2:]).all() and np.isnan(result.upper[2:]).all()
    assert_allclose(result.lower[:2], [metrics.exact_poisson_limits(3).lower, metrics.byars_limits(30).lower])


def test_numerator_may_exceed_denominator():
    result = metrics.rate(250, 220, multiplier=1)
    assert result.value == pytest.approx(250 / 220) and result.lower < result.value < result.upper


def test_scalar_and_array_results():
    scalar = metrics.rate(5, 100)
    assert type(scalar.value) is float and type(scalar.method) is str
    array = metrics.rate(np.array([[5, 50]]), 100)
    assert array.value.shape == (1, 2) and array.method.shape == (1, 2)


@pytest.mark.parametrize(("count_shape", "z_shape"), [((), ()), ((7,), ()), ((), (3,)), ((4, 3), (3,)),
                                                       ((4, 1), (1, 3)), ((500,), (500,))])
def test_byars_one_pass_is_the_formula_to_the_bit(count_shape, z_shape):
    """metrics.rates.byars gives the two formulas written out, bit for bit, for every shape count and
    z broadcast to."""
    from metrics.rates import byars

    rng = np.random.default_rng(6)
    count = np.floor(rng.uniform(0, 60, count_shape)) * rng.choice([1, 1, 0.37, 1000], count_shape)
    z = rng.uniform(0.5, 3.3, z_shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = count * (1 - 1 / (9 * count) - z / (3 * np.sqrt(count))) ** 3
        upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * np.sqrt(count + 1))) ** 3
    got_lower, got_upper = byars(count, z)
    np.testing.assert_array_equal(got_lower, np.where(lower < 0, np.nan, lower))
    np.testing.assert_array_equal(got_upper, upper)


def test_z_quantile_of_one_confidence_is_the_array_answer():
    """One confidence at a time gives the same bits as the array of them, for many levels."""
    from metrics._shared import z_quantile

    levels = np.concatenate([[0.8, 0.9, 0.95, 0.98, 0.99, 0.998, 1e-12, 1 - 1e-12],
                             np.random.default_rng(3).uniform(0, 1, 2000)])
    array_answer = z_quantile(levels)
    one_by_one = np.array([z_quantile(np.asarray(c)) for c in levels])
    assert one_by_one.tobytes() == array_answer.tobytes()
