"""metrics.simulation: draws of each distribution, and values computed as the interval functions do."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

import metrics
from metrics import simulation as sim


def rng(seed: int = 1) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_one_call_gives_lines_by_draws_and_is_reproducible():
    counts = sim.poisson_counts([10.0, 2000.0, 0.0], 500, rng())
    assert counts.shape == (3, 500)
    assert (counts[2] == 0).all()
    assert np.array_equal(counts, sim.poisson_counts([10.0, 2000.0, 0.0], 500, rng()))
    assert abs(counts[1].mean() - 2000) < 4 * np.sqrt(2000 / 500)


def test_rate_values_are_metrics_rate_values_exactly():
    counts = sim.poisson_counts([2916.0, 176.4], 200, rng(2))
    person_time = [72000.0 * 9, 18000.0]
    values = sim.rate_values(counts, person_time, [100_000, 100_000])
    for row, t in zip(range(2), person_time, strict=True):
        expected = metrics.rate(counts[row].astype(float), np.full(200, t), 0.95, 100_000).value
        assert np.array_equal(values[row], expected)


def test_proportion_values_are_metrics_proportion_values_exactly():
    counts = sim.binomial_counts([370, 2000], [0.85, 0.75], 300, rng(3))
    values = sim.proportion_values(counts, [370.0, 2000.0], 100)
    for row, n in enumerate((370.0, 2000.0)):
        expected = metrics.proportion(counts[row].astype(float), np.full(300, n), 0.95, 100).value
        assert np.array_equal(values[row], expected)
    assert counts.min() >= 0 and counts[0].max() <= 370


def test_normal_with_no_spread_is_the_mean_itself():
    values = sim.normal_values([19.4, 7.9], [0.0, 0.0], 3, rng())
    assert (values == np.array([[19.4], [7.9]])).all()


def test_band_events_give_the_target_dsr():
    events, population, standard = [30.0, 80.0, 150.0], [20000.0, 15000.0, 8000.0], [5000.0, 4000.0, 2000.0]
    expected = sim.band_events_for(900.0, events, population, standard, 100_000)
    assert_allclose(metrics.dsr(expected, population, standard).value, 900.0, rtol=1e-12)
    assert_allclose(expected / np.array(events), expected[0] / events[0])  # the baseline's proportions
    flat = sim.band_events_for(900.0, [0.0, 0.0, 0.0], population, standard, 100_000)
    assert_allclose(metrics.dsr(flat, population, standard).value, 900.0, rtol=1e-12)


def test_dsr_values_use_the_dsr_formula():
    population = [20000.0, 15000.0, 8000.0, 30000.0, 10000.0]
    standard = [5000.0, 4000.0, 2000.0, 6000.0, 1000.0]
    expected = [30.0, 80.0, 150.0, 60.0, 40.0]
    values = sim.dsr_values(expected, population, standard, [0, 3], 400, 100_000, rng(4))
    assert values.shape == (2, 400)
    # the same stream of counts, priced by metrics.dsr
    counts = rng(4).poisson(np.asarray(expected)[:, None], size=(5, 400))
    first = metrics.dsr(counts[:3].T, population[:3], standard[:3]).value
    second = metrics.dsr(counts[3:].T, population[3:], standard[3:]).value
    assert_allclose(values[0], first, rtol=1e-13)
    assert_allclose(values[1], second, rtol=1e-13)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: sim.poisson_counts([1.0], 0, rng()), "draws must be a whole number from 1 to 1,000,000"),
    (lambda: sim.poisson_counts([1.0], 2.5, rng()), "draws must be a whole number"),
    (lambda: sim.poisson_counts([-1.0], 5, rng()), "expected must be greater than or equal to zero"),
    (lambda: sim.poisson_counts([np.nan], 5, rng()), "expected must be a finite number"),
    (lambda: sim.binomial_counts([10.5], [0.5], 5, rng()), "trials must be whole numbers"),
    (lambda: sim.binomial_counts([10], [1.5], 5, rng()), "probability must be from 0 to 1"),
    (lambda: sim.normal_values([1.0], [-0.1], 5, rng()), "sd must be greater than or equal to zero"),
    (lambda: sim.normal_values([1.0, 2.0], [0.1], 5, rng()), "one value per line"),
    (lambda: sim.dsr_values([1.0], [0.0], [1.0], [0], 5, 100_000, rng()),
     "population must be greater than zero"),
])
def test_each_rule_has_its_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
