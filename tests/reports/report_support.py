"""Plans for the report tests, determined by the real calculator (never hand-written answers)."""

from __future__ import annotations

import copy
from typing import Any

from reports import BoardInput
from tests.bcf.conftest import ALL_MET  # every condition met, as JSON


def plan(code: str, pool: str = "1000000.00", *, dt_april: int | None = 2950, dt_october: int | None = 1990,
         reablement: int | None = 335, conditions: Any = ALL_MET, local: dict | None = None) -> dict:
    """A board's request; an actual of None leaves that metric and period pending."""

    def period(baseline, denominator, target, actual, actual_denominator):
        out = {"baseline": {"numerator": baseline, "denominator": denominator}, "plan": target}
        if actual is not None:
            out["actual"] = {"numerator": actual, "denominator": actual_denominator}
        return out

    body: dict[str, Any] = {"hwb_code": code, "p4p_pool": pool, "metrics": [
        {"metric": "delayed_transfers", "periods": {
            "april-2015": period(3100, 72000, 450.0, dt_april, 72400),
            "october-2015": period(2100, 72400, 460.0, dt_october, 72600)}},
        {"metric": "reablement", "periods": {
            "october-2015": period(310, 370, 88.0, reablement, 380)}},
    ]}
    if local is not None:
        body["metrics"].append(copy.deepcopy(local))
    if conditions is not None:
        body["conditions"] = copy.deepcopy(conditions)
    return body


def determine(calculator, payloads: list[dict]) -> dict[str, BoardInput]:
    """Each payload through the calculator's one code path, as a report input."""
    answers = calculator.calculate_many([calculator.prepare(p) for p in payloads])
    return {p["hwb_code"]: BoardInput(answer, p) for p, answer in zip(payloads, answers, strict=True)}


QUARTERS = ("q4-2014-15", "q1-2015-16", "q2-2015-16", "q3-2015-16")


def revised_plan(code: str, pool: str, quarters: list[tuple[int, int, int | None]]) -> dict:
    """A board under the July 2014 revised scheme: (baseline, plan, actual or None) per quarter."""
    periods = {}
    for quarter, (baseline, target, actual) in zip(QUARTERS, quarters, strict=False):
        periods[quarter] = {"baseline": {"value": baseline}, "plan": target}
        if actual is not None:
            periods[quarter]["actual"] = {"value": actual}
    return {"hwb_code": code, "rule_set": "bcf-2015-16-revised", "p4p_pool": pool,
            "metrics": [{"metric": "non_elective_admissions", "periods": periods}]}
