"""Simulated outturns: many draws of a statistic at once, one numpy call per distribution.

What a board's figures could turn out to be if the true value were a given one: the number of events of
a rate is Poisson, the successes of a proportion binomial, a mean score normal (its standard error
sd/√n, the central limit theorem), and a directly standardised rate a weighted sum of one Poisson count
per age band (Dobson et al. 1991 treat the DSR's events the same way). Each function takes one row per
line (any number of lines, of any number of plans) and gives ``(lines, draws)``: each line's draws are
contiguous, and there is never a Python loop per draw or per line.

Rates and proportions are computed with the same floating-point operations as :func:`metrics.rate` and
:func:`metrics.proportion`, so a drawn count gives exactly the value those functions give for it; a DSR
with the same formula as :func:`metrics.dsr` (tests/metrics/test_metrics_simulation.py). Draws come
from a caller's ``numpy.random.Generator``: the caller seeds it, so a result can be reproduced.
"""

from __future__ import annotations

import numpy as np

from ._checks import Problems, as_arrays

MAX_DRAWS = 1_000_000  # a safety bound: the service itself asks for at most 100,000


def _check_draws(draws: int) -> None:
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or not 1 <= draws <= MAX_DRAWS:
        raise ValueError(f"draws must be a whole number from 1 to {MAX_DRAWS:,} (got {draws!r})")


def _lines(**named) -> list[np.ndarray]:
    """The arguments as 1-D float arrays of one length (one element per line), with NaN and
    infinity refused: a simulation has no use for a missing value."""
    arrays, _ = as_arrays(**named)
    arrays = {name: np.atleast_1d(values) for name, values in arrays.items()}
    lengths = {values.shape for values in arrays.values()}
    if len(lengths) != 1 or len(next(iter(lengths))) != 1:
        raise ValueError("every argument must have one value per line (1-D arrays of one length; got "
                         + ", ".join(f"{name} {values.shape}" for name, values in arrays.items()) + ")")
    problems = Problems()
    for name, values in arrays.items():
        problems.flag(name, values, ~np.isfinite(values), "must be a finite number")
    problems.raise_if_any()
    return list(arrays.values())


def poisson_counts(expected, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Poisson counts, ``draws`` per line: the events of a rate whose expected count is ``expected``.

    :param expected: expected events per line (rate × person-time ÷ multiplier), ≥ 0.
    :return: int64 array ``(lines, draws)``.
    :raise ValueError: draws outside 1 to :data:`MAX_DRAWS`, a negative or non-finite expected count.
    """
    _check_draws(draws)
    [lam] = _lines(expected=expected)
    problems = Problems()
    problems.non_negative("expected", lam)
    problems.raise_if_any()
    return rng.poisson(lam[:, None], size=(lam.size, draws))


def binomial_counts(trials, probability, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Binomial counts, ``draws`` per line: the successes of a proportion among ``trials``.

    :param trials: whole numbers of trials per line, ≥ 0.
    :param probability: the probability of success per line, in [0, 1].
    :return: int64 array ``(lines, draws)``.
    :raise ValueError: draws out of range, trials negative or not whole, probability outside [0, 1].
    """
    _check_draws(draws)
    n, p = _lines(trials=trials, probability=probability)
    problems = Problems()
    problems.non_negative("trials", n)
    problems.whole("trials", n)
    problems.flag("probability", p, (p < 0) | (p > 1), "must be from 0 to 1")
    problems.raise_if_any()
    return rng.binomial(n.astype(np.int64)[:, None], p[:, None], size=(n.size, draws))


def normal_values(mean, sd, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Normal values, ``draws`` per line: a mean score with standard error ``sd`` (0 gives the mean).

    :return: float array ``(lines, draws)``.
    :raise ValueError: draws out of range, a negative or non-finite standard deviation or mean.
    """
    _check_draws(draws)
    m, s = _lines(mean=mean, sd=sd)
    problems = Problems()
    problems.non_negative("sd", s)
    problems.raise_if_any()
    return rng.normal(m[:, None], s[:, None], size=(m.size, draws))


def rate_values(counts: np.ndarray, person_time, multiplier) -> np.ndarray:
    """Rates from drawn counts, as :func:`metrics.rate` computes its value: ``count × (multiplier ÷
    person-time)``, one person-time per line (row of ``counts``)."""
    scale = np.asarray(multiplier, dtype=float) / np.asarray(person_time, dtype=float)
    return counts * np.reshape(scale, (-1, 1))


def proportion_values(counts: np.ndarray, denominator, multiplier) -> np.ndarray:
    """Proportions from drawn counts, as :func:`metrics.proportion` computes its value:
    ``count ÷ denominator × multiplier``, one denominator per line."""
    return counts / np.reshape(np.asarray(denominator, dtype=float), (-1, 1)) * float(multiplier)


def band_events_for(target, events, population, standard_population, multiplier) -> np.ndarray:
    """Expected events per age band that give a DSR of ``target``: the bands' rates in the proportions
    of ``events`` (a baseline), scaled; equal rates in every band when ``events`` are all zero.

    DSR = Σ wᵢ rᵢ ÷ Σ wᵢ × multiplier (metrics.dsr), so scaling every band's rate by k scales the DSR by k.

    :param target: the DSR wanted (≥ 0), per 1 × multiplier as :func:`metrics.dsr` reports it.
    :param events, population, standard_population: one row of bands (1-D), as :func:`metrics.dsr`.
    :return: expected events per band (1-D).
    """
    o, n, w = (np.asarray(x, dtype=float) for x in (events, population, standard_population))
    k, target = float(multiplier), float(target)
    rates = o / n
    weighted = (w * rates).sum() / w.sum() * k
    if weighted > 0:
        return rates * (target / weighted) * n
    return np.full(n.shape, target / k) * n  # no events to take proportions from: equal rates


def dsr_values(expected_events, population, standard_population, band_starts, draws: int, multiplier,
               rng: np.random.Generator) -> np.ndarray:
    """DSRs, ``draws`` per line, each from one Poisson count per age band (one call for every band of
    every line): ``Σ (wᵢ/nᵢ)·Oᵢ ÷ Σ wᵢ × multiplier``, as :func:`metrics.dsr` computes its value (which
    it does not report below 10 events; a simulation needs the number all the same).

    :param expected_events, population, standard_population: the bands of every line, end to end (1-D).
    :param band_starts: the index of each line's first band (sorted, the first 0).
    :return: float array ``(lines, draws)``.
    """
    _check_draws(draws)
    lam, n, w = _lines(expected=expected_events, population=population,
                       standard_population=standard_population)
    problems = Problems()
    problems.non_negative("expected", lam)
    problems.positive("population", n)
    problems.non_negative("standard_population", w)
    problems.raise_if_any()
    starts = np.asarray(band_starts, dtype=np.intp)
    counts = rng.poisson(lam[:, None], size=(lam.size, draws))
    weighted = np.add.reduceat((w / n)[:, None] * counts, starts, axis=0)
    total_weight = np.add.reduceat(w, starts)
    return weighted / total_weight[:, None] * float(multiplier)
