"""Benchmark of the funnel plots (metrics/funnels.py): run on demand, never as a timed test.

    .venv/bin/python benchmarks/funnels.py

Times each funnel end to end (validation, average, PHE's default 100-point axis, the four limits and one
significance label per area) for 10,000 synthetic areas, 7 runs each, and prints the median and best.
Target (issue 12): each ≤ 20 ms.
"""

import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import metrics  # noqa: E402

RUNS = 7
AREAS = 10_000
TARGET_MS = 20.0


def inputs(rng: np.random.Generator) -> dict:
    denominator = rng.integers(50, 200_000, AREAS).astype(float)
    numerator = rng.binomial(denominator.astype(np.int64), rng.uniform(0.2, 0.3, AREAS)).astype(float)
    # events on a log scale from 1 to 5,000 so that a good share fall below 10 (exact limits)
    expected = np.exp(rng.uniform(0, np.log(5_000), AREAS))
    observed = rng.poisson(expected * rng.uniform(0.8, 1.25, AREAS)).astype(float)
    population = np.round(expected / 0.004) + 1
    rate = observed / population * 100_000
    return dict(numerator=numerator, denominator=denominator, observed=observed, expected=expected,
                population=population, rate=rate)


def timed(call) -> tuple[float, float]:
    call()  # warm up (imports, first-call caches)
    seconds = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds) * 1000, min(seconds) * 1000


def main() -> None:
    data = inputs(np.random.default_rng(12))
    cases = {
        "proportion_funnel": lambda: metrics.proportion_funnel(data["numerator"], data["denominator"]),
        "ratio_funnel": lambda: metrics.ratio_funnel(data["observed"], data["expected"]),
        "rate_funnel (crude, population)": lambda: metrics.rate_funnel(
            data["observed"], data["rate"], population=data["population"]),
        "rate_funnel (dsr)": lambda: metrics.rate_funnel(data["observed"], data["rate"], rate_type="dsr"),
    }
    print(f"Funnels for {AREAS:,} areas, median of {RUNS} runs ({platform.python_version()}, "
          f"numpy {np.__version__}, {platform.machine()})\n")
    print("| funnel | median ms | best ms | target |")
    print("|---|---:|---:|---|")
    for name, call in cases.items():
        median, best = timed(call)
        verdict = "ok" if median <= TARGET_MS else "SLOW"
        print(f"| {name} | {median:.2f} | {best:.2f} | ≤ {TARGET_MS:.0f} ms {verdict} |")


if __name__ == "__main__":
    main()
