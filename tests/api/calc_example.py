"""The synthetic worked example of spec/api.md as a request, and the figures it implies by hand.

The expected values here are worked from the published formulas (metrics.md, rules-2015-16.md §5, §7,
§8), not copied from the service's output.
"""

from __future__ import annotations

import copy
import math
from decimal import ROUND_HALF_UP, Decimal

Z95 = 1.959963984540054  # Φ⁻¹(0.975)

_REQUEST = {
    "hwb_code": "E06000001",
    "rule_set": "bcf-2015-16",
    "p4p_pool": 1000000.00,
    "conditions": {
        "plans_jointly_agreed": {"hwb_signed_off": True, "councils_signed_off": True,
                                 "ccgs_signed_off": True, "providers_engaged": True},
        "protect_social_care": {"explanation": "Protection means maintaining eligibility at moderate"},
        "seven_day_services": {"confirmed": True},
        "data_sharing": {"nhs_number_primary_identifier": True, "open_apis": False,
                         "open_apis_planned_date": "2015-03-31", "ig_caldicott2": True},
        "joint_assessment": {"accountable_professional": True, "case_managed_proportion": 0.04},
        "acute_sector_impact": {"providers_assessed": ["North Tees and Hartlepool NHS FT"],
                                "mental_health_not_reduced": True},
    },
    "metrics": [
        {"metric": "delayed_transfers",
         "periods": {
             "april-2015": {"baseline": {"numerator": 3100, "denominator": 72000}, "plan": 450.0,
                            "actual": {"numerator": 2950, "denominator": 72400}},
             "october-2015": {"baseline": {"numerator": 2100, "denominator": 72400}, "plan": 460.0,
                              "actual": {"numerator": 1990, "denominator": 72600},
                              "history": [510.2, 495.0, 480.3]}}},
    ],
}


def request() -> dict:
    """A fresh copy (tests change it)."""
    return copy.deepcopy(_REQUEST)


def monthly_rate(count: float, months: int, population: float) -> float:
    """metrics.md: numerator ÷ months ÷ denominator × 100,000."""
    return count / months / population * 100_000


def byars_lower(count: float) -> float:
    """metrics.md: O(1 − 1/(9O) − z/(3√O))³."""
    return count * (1 - 1 / (9 * count) - Z95 / (3 * math.sqrt(count))) ** 3


def penny(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
