"""Benchmark of the statistics library (metrics/): run on demand, never as a timed test.

    .venv/bin/python benchmarks/stats.py

Times the public functions end to end (validation included) on realistic synthetic inputs, 5 runs each,
and prints min and median in the Markdown of docs/performance.md. Targets on a 2-core machine: 1,000,000
Wilson intervals < 0.5 s; 1,000,000 rate intervals, mixed exact and Byar's, < 0.5 s; DSRs for 5,000
areas × 19 age bands < 0.2 s.
"""

import platform
import statistics
import time

import numpy as np
import scipy

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


def main() -> None:
    data = inputs(np.random.default_rng(2015))
    exact_share = float(np.mean(data["events"] < metrics.EXACT_BELOW))
    cases = [
        (
            "1,000,000 Wilson intervals (`proportion`)",
            0.5,
            lambda: metrics.proportion(data["numerator"], data["denominator"]),
        ),
        (
            f"1,000,000 rate intervals (`rate`, {exact_share:.0%} exact, rest Byar's)",
            0.5,
            lambda: metrics.rate(data["events"], data["population"]),
        ),
        (
            f"DSRs for {AREAS:,} areas × {ESP2013.size} bands (`dsr`)",
            0.2,
            lambda: metrics.dsr(data["band_events"], data["band_population"], ESP2013),
        ),
    ]
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"{RUNS} runs each\n"
    )
    print("| case | min (s) | median (s) | target (s) |")
    print("|---|---|---|---|")
    for name, target, call in cases:
        call()  # warm-up: imports and first-call caches are not what we measure
        best, median = timed(call)
        verdict = "" if median < target else " **missed**"
        print(f"| {name} | {best:.3f} | {median:.3f} | < {target}{verdict} |")


if __name__ == "__main__":
    main()
