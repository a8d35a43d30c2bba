"""The calculator: ``POST /api/v1/calculations`` and ``POST /api/v1/ambitions`` (issue 4).

Others import from here: :func:`calculate_payload` (THE path from an api.md request dict to the
response dict) and its halves :func:`prepare_payload` and :func:`calculate_plans` (many boards),
:func:`load_plan` (validation only), :func:`assess_payload`, :class:`CalculationRequestSchema`
(request → ``bcf.plan.Plan``) and :class:`DeterminationSchema` / :class:`AmbitionsSchema` (``bcf``
results → api.md JSON).
"""

from api.calculations.results import AmbitionsSchema, DeterminationSchema
from api.calculations.schemas import CalculationRequestSchema
from api.calculations.service import (
    assess_payload,
    calculate_payload,
    calculate_plans,
    load_plan,
    prepare_payload,
)

__all__ = [
    "AmbitionsSchema",
    "CalculationRequestSchema",
    "DeterminationSchema",
    "assess_payload",
    "calculate_payload",
    "calculate_plans",
    "load_plan",
    "prepare_payload",
]
