"""Mean scores (t interval) and the trend projection, against scipy/numpy references."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import metrics


def test_mean_score_matches_scipy_t_interval():
    rng = np.random.default_rng(1)
    mean = rng.uniform(0, 24, 200)
    sd = rng.uniform(0, 5, 200)
    n = rng.integers(2, 3000, 200).astype(float)
    for confidence in (0.95, 0.998):
        result = metrics.mean_score(mean, sd, n, confidence)
        lower, upper = stats.t.interval(confidence, n - 1, loc=mean, scale=sd / np.sqrt(n))
        assert_allclose(result.lower, lower, rtol=1e-12)
        assert_allclose(result.upper, upper, rtol=1e-12)
        assert_allclose(result.value, mean)


def test_mean_score_hand_worked():
    """n = 2: t(0.975; 1) = 12.7062047; mean 10, sd 2 → 10 ± 12.7062047 · 2/√2."""
    result = metrics.mean_score(10, 2, 2)
    assert result.upper == pytest.approx(10 + 12.706204736174707 * 2 / np.sqrt(2), rel=1e-12)
    assert type(result.lower) is float


def test_mean_score_nan_and_zero_spread():
    result = metrics.mean_score([18.2, np.nan, 7.0], [1.0, 1.0, 0.0], [50, 50, 50])
    assert np.isnan(result.lower[1]) and not np.isnan(result.lower[0])
    assert result.lower[2] == result.upper[2] == 7.0


@pytest.mark.parametrize("history", [[1.0, 2.0, 4.0], [105.2, 98.1, 99.0, 91.7], [3, 3, 3, 3, 3],
                                     [620.5, 640.0, 610.25, 700.0, 710.5, 690.0]])
def test_trend_matches_numpy_polyfit(history):
    slope, intercept = np.polyfit(np.arange(len(history)), history, 1)
    result = metrics.trend_projection(history)
    assert result.slope == pytest.approx(slope, rel=1e-9, abs=1e-12)
    assert result.intercept == pytest.approx(intercept, rel=1e-9)
    assert result.projection == pytest.approx(intercept + slope * len(history), rel=1e-9)
    assert type(result.projection) is float


def test_trend_hand_worked():
    """(0,1), (1,2), (2,4): x̄ = 1, h̄ = 7/3, slope = ((−1)(1) + 0 + (1)(4)) / 2 = 1.5, intercept 5/6,
    projection at x = 3: 5/6 + 4.5 = 16/3."""
    result = metrics.trend_projection([1, 2, 4])
    assert (result.slope, result.intercept, result.projection) == pytest.approx((1.5, 5 / 6, 16 / 3))


@pytest.mark.parametrize("history", [[], [5.0], [5.0, 6.0]])
def test_trend_needs_three_values(history):
    assert metrics.trend_projection(history) is None


def test_trend_for_many_series_at_once():
    result = metrics.trend_projection([[1, 2, 3], [3, 2, 1], [1, np.nan, 3]])
    assert_allclose(result.projection, [4, 0, np.nan])
