"""Benchmark: one full determination in-process (bcf/, no HTTP), median of many runs; target ≤ 5 ms.

A full plan: all six conditions with evidence, and every metric-period the 2015/16 rule set pays for
(nine: three in April, six in October, mixing rates, proportions, a DSR and a score), with actuals and
histories. Run with ``.venv/bin/python benchmarks/determination.py``; results go in docs/performance.md.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from bcf.catalogue import load_catalogue
from bcf.determination import determine
from bcf.plan import (
    AcuteSectorImpact,
    Band,
    Conditions,
    Counts,
    DataSharing,
    JointAssessment,
    MetricDefinition,
    MetricPlan,
    PeriodPlan,
    Plan,
    PlansJointlyAgreed,
    ProtectSocialCare,
    Score,
    SevenDayServices,
    Standardised,
)
from bcf.rules import load_rule_sets

ROOT = Path(__file__).resolve().parent.parent
RUNS, WARM_UP = 2000, 50


def full_plan() -> Plan:
    def bands(scale):
        return Standardised(
            tuple(
                Band(round(events * scale), population, weight)
                for events, population, weight in (
                    (120, 40000, 35000),
                    (310, 30000, 30000),
                    (700, 20000, 20000),
                    (900, 9000, 15000),
                )
            )
        )

    return Plan(
        hwb_code="E06000001",
        conditions=Conditions(
            PlansJointlyAgreed(True, True, True, True),
            ProtectSocialCare("Maintain eligibility at moderate"),
            SevenDayServices(True),
            DataSharing(True, None, False, date(2015, 3, 31), True),
            JointAssessment(True, 0.04),
            AcuteSectorImpact(("North Tees and Hartlepool NHS FT",), True),
        ),
        metrics=(
            MetricPlan(
                "delayed_transfers",
                {
                    "april-2015": PeriodPlan(Counts(3100, 72000), 450.0, Counts(2950, 72400)),
                    "october-2015": PeriodPlan(
                        Counts(2100, 72400), 460.0, Counts(1990, 72600), (510.2, 495.0, 480.3)
                    ),
                },
            ),
            MetricPlan(
                "avoidable_emergency_admissions",
                {
                    "april-2015": PeriodPlan(Counts(5400, 92000), 950.0, Counts(5250, 92300)),
                    "october-2015": PeriodPlan(bands(1), 160.0, bands(0.95), (180.0, 175.0, 170.0, 168.0)),
                },
            ),
            MetricPlan(
                "residential_admissions",
                {"october-2015": PeriodPlan(Counts(190, 18000), 980.0, Counts(175, 18300))},
            ),
            MetricPlan("reablement", {"october-2015": PeriodPlan(Counts(230, 280), 85.0, Counts(240, 285))}),
            MetricPlan(
                "patient_experience",
                {"october-2015": PeriodPlan(Score(7.6, 2.1, 400), 7.9, Score(7.8, 2.0, 410))},
                definition=MetricDefinition(
                    "Felt involved in care decisions", "score", "higher", "score 0-10", "local survey", None
                ),
            ),
            MetricPlan(
                "local",
                {
                    "april-2015": PeriodPlan(Counts(1450, 2000), 75.0, Counts(1480, 2000)),
                    "october-2015": PeriodPlan(Counts(1480, 2000), 76.0, Counts(1530, 2010)),
                },
                local_metric="NHSOF-2.1",
            ),
        ),
    )


def main() -> None:
    rule_set = load_rule_sets(ROOT / "reference_data" / "rules")["bcf-2015-16"]
    catalogue = load_catalogue(ROOT / "reference_data" / "metric_catalogue.yaml")
    plan, pool = full_plan(), Decimal("1000000.00")
    result = determine(plan, rule_set, catalogue, pool)
    assert len(result.metrics) == 9 and result.totals.released is not None
    for _ in range(WARM_UP):
        determine(plan, rule_set, catalogue, pool)
    wall, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        determine(plan, rule_set, catalogue, pool)
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    wall.sort()
    print(
        f"determination (bcf/, in-process): {len(result.metrics)} metric-periods, six conditions; "
        f"{RUNS} runs (target: median ≤ 5 ms)"
    )
    print(
        f"  wall clock: median {statistics.median(wall) * 1000:.3f} ms, "
        f"p95 {wall[int(0.95 * RUNS)] * 1000:.3f} ms, min {wall[0] * 1000:.3f} ms"
    )
    # CPU time of this process: what one determination costs when it has a core to itself
    print(f"  CPU time:   median {statistics.median(cpu) * 1000:.3f} ms")
    print(f"  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
