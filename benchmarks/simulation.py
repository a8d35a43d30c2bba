"""The probability of reaching 70% (issue 13 §1): simulations of one plan and of all 152 boards.

Targets: one plan (benchmarks/determination.py's full plan: rates, proportions, a DSR and a score),
10,000 draws, ≤ 20 ms (median); all 152 boards of the batch template (its first board copied, as
benchmarks/batch.py), 10,000 draws each, ≤ 1.5 s and within 3× of the time numpy alone takes to draw
the same random numbers (the same Generator calls, measured in the same run).
Run: ``.venv/bin/python benchmarks/simulation.py``; record figures in docs/performance.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from batch import files  # noqa: E402
from determination import full_plan  # noqa: E402

from api import create_app  # noqa: E402
from bcf.determination import determine, determine_many  # noqa: E402
from bcf.simulation import SimulationSettings, simulate  # noqa: E402
from sheets.payloads import build_requests  # noqa: E402

DRAWS, RUNS = 10_000, 5


def median_time(step, runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of this process (CPU is less moved by a busy machine)."""
    times, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        step()
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(times), statistics.median(cpus)


def numpy_alone(plans, determinations, rule_set, catalogue) -> None:
    """The random numbers the simulations draw, drawn by numpy alone: per board and scenario, one
    Poisson call for its rates, one binomial call for its proportions (the template has no other)."""
    for _plan, determination in zip(plans, determinations, strict=True):
        results = [m for m in determination.metrics if m.tranche is not None]
        rates = [m for m in results if m.type == "rate"]
        proportions = [m for m in results if m.type == "proportion"]
        for child in np.random.SeedSequence(1).spawn(2):
            rng = np.random.default_rng(child)
            rng.poisson(np.full(len(rates), 2000.0)[:, None], size=(len(rates), DRAWS))
            rng.binomial(np.full(len(proportions), 370)[:, None], np.full(len(proportions), 0.85)[:, None],
                         size=(len(proportions), DRAWS))


def main() -> None:
    app = create_app({"TESTING": True})
    calculator = app.extensions["calculator"]
    rule_set, catalogue = calculator.rule_sets["bcf-2015-16"], calculator.catalogue
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    plan = full_plan()
    determination = determine(plan, rule_set, catalogue, Decimal("1000000.00"))
    settings = SimulationSettings(DRAWS, 42)
    simulate(plan, determination, rule_set, catalogue, settings)  # warm-up
    times = []
    for _ in range(50):
        start = time.perf_counter()
        simulate(plan, determination, rule_set, catalogue, settings)
        times.append(time.perf_counter() - start)
    times.sort()
    one = statistics.median(times)
    p95 = times[int(0.95 * len(times))]
    print(f"one plan, {DRAWS:,} draws: median {one * 1000:.1f} ms (p95 {p95 * 1000:.1f}, "
          f"min {times[0] * 1000:.1f} ms; target ≤ 20 ms: {'met' if one <= 0.020 else 'NOT met'})")

    requests, _ = build_requests(files(), calculator.boards)
    prepared = [calculator.prepare(r.payload) for r in requests]
    plans = [p.checked.plan for p in prepared]
    determinations = determine_many([p.checked for p in prepared], rule_set, catalogue,
                                    [p.pool for p in prepared])

    def all_boards():
        for each, made in zip(plans, determinations, strict=True):
            simulate(each, made, rule_set, catalogue, settings)

    # interleaved, so that a busy minute slows both alike; the minimum is the least disturbed run
    ours, bare = [], []
    for _ in range(RUNS):
        ours.append(median_time(all_boards, 1))
        bare.append(median_time(lambda: numpy_alone(plans, determinations, rule_set, catalogue), 1))
    (boards, boards_cpu), (alone, alone_cpu) = (tuple(statistics.median(x) for x in zip(*runs, strict=True))
                                                for runs in (ours, bare))
    best, best_alone = min(t for t, _ in ours), min(t for t, _ in bare)
    ratio = boards / alone
    met = "met" if boards <= 1.5 and ratio <= 3 else "NOT met"
    print(f"{len(plans)} boards, {DRAWS:,} draws each: median {boards:.3f} s (CPU {boards_cpu:.3f} s, min "
          f"{best:.3f} s); numpy alone drawing the same numbers {alone:.3f} s (CPU {alone_cpu:.3f} s, min "
          f"{best_alone:.3f} s); ratio {ratio:.2f}× (CPU {boards_cpu / alone_cpu:.2f}×, min "
          f"{best / best_alone:.2f}×) (target ≤ 1.5 s and ≤ 3×: {met})")

if __name__ == "__main__":
    main()
