"""The board's current determination reflects the recovery-plan state only where money awaits that plan,
and each tranche the state of its own payment's plan."""

import pytest

from bcf.recovery import current_determination


def result(*tranches):
    return {"tranches": [dict(t, explanation="as determined") for t in tranches]}


@pytest.mark.parametrize("state", ["required", "submitted", "agreed", "not_agreed", "nhs_england_direction"])
def test_pending_assurance_and_none_are_never_overwritten(state):
    stored = result(
        {"tranche": "april-2015/metrics", "held_back_use": "pending_assurance",
         "recovery_plan_required": True},
        {"tranche": "october-2015/metrics", "held_back_use": "none", "recovery_plan_required": True},
    )
    current = current_determination(stored, {"april-2015": state, "october-2015": state})
    assert [t["held_back_use"] for t in current["tranches"]] == ["pending_assurance", "none"]


def test_direction_replaces_recovery_plan_use_and_says_so():
    stored = result({"tranche": "october-2015/metrics", "held_back_use": "recovery_plan",
                     "recovery_plan_required": True})
    current = current_determination(stored, {"october-2015": "nhs_england_direction"})
    assert current["tranches"][0]["held_back_use"] == "nhs_england_direction"
    assert "NHS England directs" in current["tranches"][0]["explanation"]
    assert stored["tranches"][0]["held_back_use"] == "recovery_plan"  # the stored result is untouched


@pytest.mark.parametrize("state", ["required", "submitted", "agreed", "not_agreed"])
def test_recovery_plan_use_stays_while_under_way_or_agreed(state):
    stored = result({"tranche": "april-2015/metrics", "held_back_use": "recovery_plan",
                     "recovery_plan_required": True})
    assert current_determination(stored, {"april-2015": state})["tranches"][0] == stored["tranches"][0]


def test_each_tranche_follows_its_own_payments_plan():
    """Issue 15 item 3: April's plan agreed, October's directed; no plan for a payment keeps its use."""
    stored = result(
        {"tranche": "april-2015/metrics", "payment": "april-2015", "held_back_use": "recovery_plan",
         "recovery_plan_required": True},
        {"tranche": "october-2015/metrics", "payment": "october-2015", "held_back_use": "recovery_plan",
         "recovery_plan_required": True},
    )
    uses = lambda states: [t["held_back_use"] for t in current_determination(stored, states)["tranches"]]  # noqa: E731
    assert uses({"april-2015": "agreed", "october-2015": "nhs_england_direction"}) == [
        "recovery_plan", "nhs_england_direction"]
    assert uses({"april-2015": "nhs_england_direction"}) == ["nhs_england_direction", "recovery_plan"]
    assert uses({}) == ["recovery_plan", "recovery_plan"]
    directed = current_determination(stored, {"october-2015": "nhs_england_direction"})["tranches"][1]
    assert "the october-2015 recovery plan was not agreed" in directed["explanation"]


def test_a_tranche_without_payment_takes_it_from_its_id():
    stored = result({"tranche": "october-2015/metrics", "held_back_use": "recovery_plan"})
    current = current_determination(stored, {"october-2015": "nhs_england_direction"})
    assert current["tranches"][0]["held_back_use"] == "nhs_england_direction"
