"""Held-back money while a recovery plan is worked out (rules-2015-16.md §6; Annex I paras 53-57).

A determination says ``held_back_use: recovery_plan`` where a metrics tranche fell below the threshold.
What that money is for then depends on where the board's recovery plan *for that tranche's payment*
(``april-2015``, ``october-2015``) stands: it funds the plan once agreed, and if the plan cannot be agreed
NHS England directs its use. Each payment has its own plan, so April's outcome never decides October's.
That rule is the scheme's, so it lives here; storage/ keeps the workflow's state and the determination
as answered, and never rewrites it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


def held_back_use(state: str) -> str:
    """What held-back money in a recovery-plan tranche is for, given where the workflow stands (§6)."""
    return "nhs_england_direction" if state == "nhs_england_direction" else "recovery_plan"


def tranche_payment(tranche: Mapping[str, Any]) -> str:
    """The payment a tranche of a determination pays (its ``payment``, else its id before ``/``)."""
    return str(tranche.get("payment") or str(tranche.get("tranche") or "").partition("/")[0])


def current_determination(result: dict[str, Any], states: Mapping[str, str]) -> dict[str, Any]:
    """The determination as it stands now: money held back for a recovery plan reports the state of the
    recovery plan for that tranche's payment.

    Only a tranche whose held-back money is for the recovery plan changes: money held back pending
    assurance stays so (§3), and a tranche that holds nothing back stays ``none`` (§6), even when its
    metrics fell below the threshold. A payment with no recovery plan keeps what was determined.
    ``result`` (as stored) is never changed; this returns a copy.

    :param result: a determination as the calculator answered it (api.md JSON).
    :param states: ``{payment: workflow state}`` of the board's recovery plans (none: ``{}``).
    """
    if not states:
        return result
    current = copy.deepcopy(result)
    for tranche in current.get("tranches", []):
        payment = tranche_payment(tranche)
        state = states.get(payment)
        if state is None:
            continue
        use = held_back_use(state)
        if tranche.get("held_back_use") == "recovery_plan" and use != "recovery_plan":
            tranche["held_back_use"] = use
            tranche["explanation"] = (f"{tranche.get('explanation', '')}; the {payment} recovery plan was "
                                      "not agreed, so NHS England directs how the held-back money is used")
    return current
