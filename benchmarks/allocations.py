"""Benchmark: 211 CCGs × 152 boards split table → every board's allocation (target ≤ 0.2 s).

Inputs are SYNTHETIC (random shares and amounts adding up to the rule set's national figures), made
here in memory; the timing covers reading the three CSV texts, every input check, the CCG→board split
in whole pennies, pools, tranches and explanations. Prints min and median of 5 runs, wall clock and
CPU time (the CPU figure is what the code costs when the shared machine is busy).
Run: ``.venv/bin/python benchmarks/allocations.py``.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bcf.allocation_files import AllocationInputs, Table  # noqa: E402
from bcf.allocations import calculate_allocations  # noqa: E402
from bcf.boards import load_boards  # noqa: E402
from bcf.rules import current_rule_set, load_rule_sets  # noqa: E402

CCGS, RUNS, TARGET = 211, 5, 0.2


def split_amount(total_pennies: int, count: int, rng: random.Random) -> list[int]:
    weights = [rng.random() + 0.1 for _ in range(count)]
    parts = [int(total_pennies * w / sum(weights)) for w in weights[:-1]]
    return [*parts, total_pennies - sum(parts)]


def synthetic_inputs(rule_set, boards) -> dict[str, str]:
    rng = random.Random(2015)
    codes = sorted(boards)
    ccgs = [f"{i:02d}X" for i in range(CCGS)]
    split = ["ccg_code,hwb_code,share"]
    for ccg in ccgs:  # dense: every CCG in every board, shares as 12-decimal text adding up to 1 exactly
        weights = [rng.random() + 0.01 for _ in codes]
        shares = [Decimal(w / sum(weights)).quantize(Decimal("1e-12")) for w in weights[:-1]]
        shares.append(Decimal(1) - sum(shares))
        split += [f"{ccg},{code},{share}" for code, share in zip(codes, shares, strict=True)]
    ccg_ids = [c for c in rule_set.fund_components if c.held_by == "ccg"]
    council_ids = [c for c in rule_set.fund_components if c.held_by == "council"]
    by_ccg = {c.id: split_amount(int(c.national_amount * 100), CCGS, rng) for c in ccg_ids}
    by_board = {c.id: split_amount(int(c.national_amount * 100), len(codes), rng) for c in council_ids}
    amounts = [",".join(["ccg_code", *by_ccg])]
    amounts += [",".join([ccg, *(f"{Decimal(by_ccg[c][i]) / 100:.2f}" for c in by_ccg)])
                for i, ccg in enumerate(ccgs)]
    grants = [",".join(["council_code", *by_board])]
    grants += [",".join([code, *(f"{Decimal(by_board[c][i]) / 100:.2f}" for c in by_board)])
               for i, code in enumerate(codes)]
    return {"ccg_to_hwb": "\n".join(split) + "\n", "ccg_amounts": "\n".join(amounts) + "\n",
            "council_grants": "\n".join(grants) + "\n"}


def main() -> int:
    rule_set = current_rule_set(load_rule_sets(ROOT / "reference_data" / "rules"))
    boards = load_boards(ROOT / "reference_data" / "boards.csv")
    texts = synthetic_inputs(rule_set, boards)
    times, cpu, result = [], [], None
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        tables = {name: Table.from_csv(f"{name}.csv", text) for name, text in texts.items()}
        inputs = AllocationInputs(**tables)
        result = calculate_allocations(inputs, rule_set, boards)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    rows = texts["ccg_to_hwb"].count("\n") - 1
    pools = sum(b.p4p_pool.amount for b in result.boards)
    print(f"allocations: {CCGS} CCGs × {len(boards)} boards ({rows} split rows) → {len(result.boards)} "
          "boards; "
          f"min {min(times):.3f} s, median {statistics.median(times):.3f} s over {RUNS} runs "
          f"(target ≤ {TARGET} s); CPU min {min(cpu):.3f} s, median {statistics.median(cpu):.3f} s; "
          f"pools add up to £{pools:,}; warnings: {len(result.warnings)}")
    return 0 if min(times) <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
