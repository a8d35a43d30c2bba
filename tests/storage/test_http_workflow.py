"""The recovery-plan workflow of Annex I paras 53–57: allowed and refused transitions, roles, audit."""

import pytest
from storage_support import HWB_A

from storage import workflow
from storage.audit import Actor
from storage.models import Determination

BASE = f"/api/v1/hwbs/{HWB_A}/recovery-plan"


@pytest.fixture()
def required(app):
    """A board whose stored determination needs a recovery plan (made directly: the workflow is tested)."""
    with app.extensions["bcf_sessions"].begin() as session:
        row = Determination(hwb_code=HWB_A, rule_set="bcf-2015-16", plan_version=1, actuals_versions={},
                            request={}, result={"recovery_plan_required": True}, requested_by_name="setup")
        session.add(row)
        session.flush()
        workflow.open_if_required(session, Actor(None, "setup"), row)


def move(client, headers, to, **extra):
    return client.post(BASE + "/transitions", json={"to": to, **extra}, headers=headers)


def test_agreed_path_with_three_agreements_and_sign_off(client, auth, required):
    assert client.get(BASE, headers=auth["a"]).get_json()["state"] == "required"
    # refused: nothing to agree yet; the answer names what is allowed
    refused = move(client, auth["assurance"], "agreed")
    assert refused.status_code == 409 and refused.get_json()["allowed"] == ["submitted"]
    assert "allowed: submitted" in refused.get_json()["detail"]
    # the board submits; assurance may not submit for it
    assert client.post(BASE, json={"plan": {"a": 1}}, headers=auth["assurance"]).status_code == 403
    assert client.post(BASE, json={}, headers=auth["a"]).status_code == 422
    submitted = client.post(BASE, json={"plan": {"actions": ["x"]}, "note": "v1"}, headers=auth["a"])
    assert submitted.status_code == 200 and submitted.get_json()["state"] == "submitted"
    assert submitted.get_json()["awaiting_agreement"] == ["hwb", "nhs_england", "peer_reviewer"]
    assert move(client, auth["a"], "submitted", plan={"again": True}).status_code == 409
    assert move(client, auth["a"], "submitted").status_code == 422  # no plan: input first, then state

    # not all three have agreed: agreed is refused, naming who is missing
    agree = lambda key, party: client.post(BASE + "/agreements", json={"party": party}, headers=auth[key])  # noqa: E731
    assert agree("a", "hwb").status_code == 200
    assert agree("a", "nhs_england").status_code == 403  # the board cannot agree for NHS England
    assert agree("assurance", "hwb").status_code == 403
    assert agree("a", "hwb").status_code == 409  # twice
    early = move(client, auth["assurance"], "agreed")
    assert early.status_code == 409 and early.get_json()["missing"] == ["nhs_england", "peer_reviewer"]
    assert agree("assurance", "nhs_england").status_code == 200
    assert agree("assurance", "peer_reviewer").status_code == 200
    assert move(client, auth["a"], "agreed").status_code == 403  # the board cannot agree its own plan
    agreed = move(client, auth["assurance"], "agreed")
    assert agreed.status_code == 200 and agreed.get_json()["state"] == "agreed"
    assert agreed.get_json()["held_back_use"] == "recovery_plan"
    assert agreed.get_json()["allowed_transitions"] == []

    ended = move(client, auth["assurance"], "not_agreed")
    assert ended.status_code == 409 and ended.get_json()["allowed"] == []
    sign = client.post(BASE + "/sign-off", json={"minister": "Minister of State for Care"},
                       headers=auth["assurance"])
    assert sign.status_code == 200 and sign.get_json()["sign_off"]["minister"] == "Minister of State for Care"
    twice = client.post(BASE + "/sign-off", json={"minister": "again"}, headers=auth["assurance"])
    assert twice.status_code == 409

    history = [(h["from"], h["to"]) for h in sign.get_json()["history"]]
    assert history == [("required", "submitted"), ("submitted", "agreed")]
    actions = [e["action"] for e in client.get("/api/v1/audit?board=" + HWB_A,
                                               headers=auth["assurance"]).get_json()["items"]]
    assert actions[:7] == ["recovery_plan.sign_off", "recovery_plan.agreed",
                           "recovery_plan.agreement.peer_reviewer",
                           "recovery_plan.agreement.nhs_england", "recovery_plan.agreement.hwb",
                           "recovery_plan.submitted", "recovery_plan.open"]


def sign_off(client, auth):
    return client.post(BASE + "/sign-off", json={"minister": "M"}, headers=auth["assurance"])


def test_direction_path(client, auth, required):
    assert sign_off(client, auth).status_code == 409
    client.post(BASE, json={"plan": {"actions": ["x"]}}, headers=auth["a"])
    early = move(client, auth["assurance"], "nhs_england_direction", direction="d")  # not from submitted
    assert early.status_code == 409 and early.get_json()["allowed"] == ["agreed", "not_agreed"]
    assert move(client, auth["assurance"], "not_agreed").status_code == 200
    assert client.post(BASE + "/agreements", json={"party": "hwb"}, headers=auth["a"]).status_code == 409
    no_text = move(client, auth["assurance"], "nhs_england_direction")
    assert no_text.status_code == 422
    assert no_text.get_json()["errors"] == [{"location": "direction",
                                             "message": "Required when to is nhs_england_direction."}]
    directed = move(client, auth["assurance"], "nhs_england_direction", direction="Intermediate care")
    body = directed.get_json()
    assert directed.status_code == 200 and body["state"] == "nhs_england_direction"
    assert body["direction"]["text"] == "Intermediate care"
    assert body["held_back_use"] == "nhs_england_direction"
    assert sign_off(client, auth).status_code == 200


def test_unknown_state_and_no_recovery_plan(client, auth):
    assert client.get(BASE, headers=auth["a"]).status_code == 404
    assert move(client, auth["assurance"], "approved").status_code == 422
