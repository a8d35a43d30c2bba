"""Wilson score intervals: PHE's reference rows, the defining equation, and the edge cases."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from phe_reference import cases, number, rtol
from scipy import stats

import metrics

FILE = "proportions.csv"


@pytest.mark.parametrize("row", cases(FILE))
def test_matches_phe_reference(row):
    result = metrics.proportion(number(row["numerator"]), number(row["denominator"]),
                                confidence=number(row["confidence"]), multiplier=number(row["multiplier"]))
    assert row["method"] == "Wilson"
    expected = [number(row[k]) for k in ("value", "lower", "upper")]
    assert_allclose([result.value, result.lower, result.upper], expected, rtol=rtol(FILE))
    assert all(type(v) is float for v in (result.value, result.lower, result.upper))


def test_all_reference_rows_in_one_vectorised_call():
    table = [row.values[0] for row in cases(FILE)]
    column = {k: np.array([number(r[k]) for r in table])
              for k in ("numerator", "denominator", "confidence", "multiplier", "lower", "upper")}
    result = metrics.proportion(column["numerator"], column["denominator"], column["confidence"],
                                column["multiplier"])
    assert isinstance(result.lower, np.ndarray) and result.lower.shape == (len(table),)
    assert_allclose(result.lower, column["lower"], rtol=rtol(FILE))
    assert_allclose(result.upper, column["upper"], rtol=rtol(FILE))


@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.998])
@pytest.mark.parametrize(("x", "n"), [(1, 10), (7, 23), (500, 501), (0.445, 1), (3, 1_000_000)])
def test_limits_solve_the_score_equation(x, n, confidence):
    """Wilson's limits are the two p with |x/n − p| = z·√(p(1 − p)/n): an independent check."""
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    result = metrics.proportion(x, n, confidence, multiplier=1)
    for p in (result.lower, result.upper):
        assert math.isclose(abs(x / n - p), z * math.sqrt(p * (1 - p) / n), rel_tol=1e-9)
    assert result.lower < x / n < result.upper


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99, 0.998, 0.999])
@pytest.mark.parametrize("n", [1, 3, 7, 100, 123_457])
def test_none_and_all_give_exact_limits(n, confidence):
    """The raw formula misses 1 by an ulp for some of these (e.g. n = 1 at 90%, n = 100 at 99.9%)."""
    none = metrics.proportion(0, n, confidence)
    everyone = metrics.proportion(n, n, confidence)
    assert none.lower == 0.0 and none.value == 0.0 and none.upper > 0
    assert everyone.upper == 100.0 and everyone.value == 100.0 and everyone.lower < 100


def test_nan_only_spoils_its_own_position():
    result = metrics.proportion([5, np.nan, 5], [10, 10, np.nan])
    assert_allclose(result.value, [50, np.nan, np.nan])
    assert not np.isnan(result.lower[0]) and np.isnan(result.lower[1:]).all()
    assert np.isnan(result.upper[1:]).all()


def test_arguments_broadcast():
    result = metrics.proportion(np.array([[1], [2]]), np.array([10, 20, 40]), confidence=[0.9, 0.95, 0.99])
    assert result.lower.shape == (2, 3)
    assert_allclose(result.value, [[10, 5, 2.5], [20, 10, 5]])
    one = metrics.proportion(2, 40, 0.99)
    assert result.lower[1, 2] == pytest.approx(one.lower, rel=1e-12)
