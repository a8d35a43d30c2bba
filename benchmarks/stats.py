"""Benchmark of the statistics library (metrics/): run on demand, never as a timed test.

    .venv/bin/python benchmarks/stats.py

Times the public functions end to end (validation included) on realistic synthetic inputs, 5 runs each,
beside the same formula written in bare numpy/scipy with no checks and no result object (the floor a
vectorised library can reach), and prints the Markdown of docs/performance.md. Targets on a 2-core
machine (issue 14): each within 3× of its bare formula; and 1,000,000 Wilson intervals < 0.5 s,
1,000,000 rate intervals, mixed exact and Byar's, < 0.5 s, DSRs for 5,000 areas × 19 bands < 0.2 s.
"""

import platform
import statistics
import time

import numpy as np
import scipy
from scipy import stats

import metrics

RUNS = 5
SIZE = 1_000_000
AREAS = 5_000

#: European Standard Population 2013, 19 five-year bands 0-4 … 90+ (timings do not depend on the values)
ESP2013 = np.array(
    [
        5000,
        5500,
        5500,
        5500,
        6000,
        6000,
        6500,
        7000,
        7000,
        7000,
        7000,
        6500,
        6000,
        5500,
        5000,
        4000,
        2500,
        1500,
        1000,
    ],
    dtype=float,
)


def inputs(rng: np.random.Generator) -> dict:
    denominator = rng.integers(20, 50_000, SIZE).astype(float)
    numerator = rng.binomial(denominator.astype(np.int64), rng.uniform(0.01, 0.9, SIZE)).astype(float)
    # rate numerators: means spread over 1 … 5,000 events on a log scale, so about a fifth fall below
    # EXACT_BELOW and take the exact method while the rest take Byar's
    events = rng.poisson(np.exp(rng.uniform(0, np.log(5_000), SIZE))).astype(float)
    population = rng.integers(1_000, 400_000, SIZE).astype(float)
    band_population = rng.integers(200, 20_000, (AREAS, ESP2013.size)).astype(float)
    band_events = rng.poisson(band_population * rng.uniform(0.001, 0.05, (AREAS, ESP2013.size))).astype(float)
    return {
        "numerator": numerator,
        "denominator": denominator,
        "events": events,
        "population": population,
        "band_events": band_events,
        "band_population": band_population,
    }


def timed(call) -> tuple[float, float]:
    seconds = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return min(seconds), statistics.median(seconds)


Z = stats.norm.ppf(0.975)


def bare_wilson(x: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wilson's interval (metrics.md), nothing else."""
    root = Z * np.sqrt(Z**2 + 4 * x * (1 - x / n))
    return (2 * x + Z**2 - root) / (2 * (n + Z**2)) * 100, (2 * x + Z**2 + root) / (2 * (n + Z**2)) * 100


def bare_rate(o: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Byar's from 10 events, exact Poisson below (metrics.md), nothing else."""
    with np.errstate(divide="ignore", invalid="ignore"):  # o = 0: Byar's is undefined, exact replaces it
        lower = o * (1 - 1 / (9 * o) - Z / (3 * np.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + Z / (3 * np.sqrt(o + 1))) ** 3
    exact = o < 10
    lower[exact] = stats.chi2.ppf(0.025, 2 * o[exact]) / 2
    upper[exact] = stats.chi2.ppf(0.975, 2 * o[exact] + 2) / 2
    return lower / n * 100_000, upper / n * 100_000


def bare_dsr(events: np.ndarray, population: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Dobson's interval (metrics.md), Byar's limits of the total count, nothing else."""
    total = events.sum(axis=1)
    value = (events / population * weights).sum(axis=1) / weights.sum() * 100_000
    variance = (weights**2 * events / population**2).sum(axis=1) / weights.sum() ** 2 * 100_000**2
    o = total
    lower = o * (1 - 1 / (9 * o) - Z / (3 * np.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + Z / (3 * np.sqrt(o + 1))) ** 3
    spread = np.sqrt(variance / o)
    return value + spread * (lower - o), value + spread * (upper - o)


def main() -> None:
    data = inputs(np.random.default_rng(2015))
    exact_share = float(np.mean(data["events"] < metrics.EXACT_BELOW))
    cases = [
        (
            "1,000,000 Wilson intervals (`proportion`)",
            0.5,
            lambda: metrics.proportion(data["numerator"], data["denominator"]),
            lambda: bare_wilson(data["numerator"], data["denominator"]),
        ),
        (
            f"1,000,000 rate intervals (`rate`, {exact_share:.0%} exact, rest Byar's)",
            0.5,
            lambda: metrics.rate(data["events"], data["population"]),
            lambda: bare_rate(data["events"], data["population"]),
        ),
        (
            f"DSRs for {AREAS:,} areas × {ESP2013.size} bands (`dsr`)",
            0.2,
            lambda: metrics.dsr(data["band_events"], data["band_population"], ESP2013),
            lambda: bare_dsr(data["band_events"], data["band_population"], ESP2013),
        ),
    ]
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"{RUNS} runs each\n"
    )
    print("| case | median (s) | bare numpy/scipy median (s) | ratio | target |")
    print("|---|---|---|---|---|")
    for name, target, call, bare in cases:
        call(), bare()  # warm-up: imports and first-call caches are not what we measure
        _, median = timed(call)
        _, floor = timed(bare)
        ratio = median / floor
        verdict = "" if median < target and ratio <= 3 else " **missed**"
        print(f"| {name} | {median:.3f} | {floor:.3f} | {ratio:.2f}× | < {target} s, ≤ 3×{verdict} |")


if __name__ == "__main__":
    main()
