"""The recovery-plan workflow of Annex I paras 53–57, one per board and payment: allowed and refused
transitions, roles, distinct parties, audit."""

import pytest
from storage_support import HWB_A

from storage import workflow
from storage.audit import Actor
from storage.models import Determination

LEGACY = f"/api/v1/hwbs/{HWB_A}/recovery-plan"  # api.md's path: the board's plan while it has one
BASE = LEGACY + "/april-2015"
OCTOBER = LEGACY + "/october-2015"


def needing(*payments):
    """A determination result whose metrics tranches of ``payments`` need a recovery plan."""
    return {"recovery_plan_required": True, "tranches": [
        {"tranche": f"{p}/metrics", "payment": p, "held_back_use": "recovery_plan",
         "recovery_plan_required": True} for p in payments]}


def determine(app, result) -> int:
    """Store a determination directly (the workflow is tested, not the calculator) and open its plans."""
    with app.extensions["bcf_sessions"].begin() as session:
        row = Determination(hwb_code=HWB_A, rule_set="bcf-2015-16", plan_version=1, actuals_versions={},
                            request={}, result=result, requested_by_name="setup")
        session.add(row)
        session.flush()
        workflow.open_if_required(session, Actor(None, "setup"), row)
        return row.id


@pytest.fixture()
def required(app):
    """A board whose April determination needs a recovery plan."""
    determine(app, needing("april-2015"))


@pytest.fixture()
def parties(auth):
    """Assurance tokens that hold NHS England's and the peer reviewer's party."""
    auth.make("nhse", "assurance", party="nhs_england")
    auth.make("peer", "assurance", party="peer_reviewer")
    return auth


def move(client, headers, to, base=BASE, **extra):
    return client.post(base + "/transitions", json={"to": to, **extra}, headers=headers)


def agree_all(client, auth, base):
    for key, party in (("a", "hwb"), ("nhse", "nhs_england"), ("peer", "peer_reviewer")):
        response = client.post(base + "/agreements", json={"party": party}, headers=auth[key])
        assert response.status_code == 200, response.get_json()


def test_agreed_path_with_three_agreements_and_sign_off(client, auth, parties, required):
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
    assert agree("nhse", "hwb").status_code == 403
    assert agree("a", "hwb").status_code == 409  # twice
    early = move(client, auth["assurance"], "agreed")
    assert early.status_code == 409 and early.get_json()["missing"] == ["nhs_england", "peer_reviewer"]
    assert agree("nhse", "nhs_england").status_code == 200
    assert agree("nhse", "peer_reviewer").status_code == 403  # one token cannot stand in for both
    assert agree("peer", "peer_reviewer").status_code == 200
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
    assert sign.get_json()["payment"] == "april-2015"
    assert set(sign.get_json()["agreements"]) == {"hwb", "nhs_england", "peer_reviewer"}
    assert len({a["token_id"] for a in sign.get_json()["agreements"].values()}) == 3
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


def test_october_gets_its_own_plan_after_aprils_was_agreed(app, client, auth, parties, required):
    """Issue 15 item 3: one plan per payment, so October's shortfall is not refused as 'workflow has
    ended'."""
    assert client.post(LEGACY, json={"plan": {"actions": ["april"]}}, headers=auth["a"]).status_code == 200
    agree_all(client, auth, LEGACY)  # api.md's path acts on the board's only plan
    assert move(client, auth["assurance"], "agreed", base=LEGACY).get_json()["state"] == "agreed"
    assert client.get(OCTOBER, headers=auth["a"]).status_code == 404  # October has not needed one yet

    october_determination = determine(app, needing("april-2015", "october-2015"))  # April's continues
    october = client.get(OCTOBER, headers=auth["a"]).get_json()
    assert (october["payment"], october["state"], october["determination_id"]) == (
        "october-2015", "required", october_determination)
    assert client.get(BASE, headers=auth["a"]).get_json()["state"] == "agreed"  # April's is untouched
    listing = client.get(f"/api/v1/hwbs/{HWB_A}/recovery-plans", headers=auth["assurance"]).get_json()
    assert [(p["payment"], p["state"]) for p in listing] == [("april-2015", "agreed"),
                                                              ("october-2015", "required")]
    # api.md's path is ambiguous now: 409 naming the payments, never a guess
    ambiguous = client.get(LEGACY, headers=auth["a"])
    assert ambiguous.status_code == 409 and ambiguous.get_json()["payments"] == ["april-2015", "october-2015"]
    assert "recovery-plan/{payment}" in ambiguous.get_json()["detail"]

    submitted = client.post(OCTOBER, json={"plan": {"actions": ["october"]}}, headers=auth["a"])
    assert submitted.status_code == 200 and submitted.get_json()["state"] == "submitted"
    assert submitted.get_json()["awaiting_agreement"] == ["hwb", "nhs_england", "peer_reviewer"]
    agree_all(client, auth, OCTOBER)
    assert move(client, auth["assurance"], "not_agreed", base=OCTOBER).status_code == 200
    assert move(client, auth["assurance"], "nhs_england_direction", base=OCTOBER,
                direction="Fund reablement").status_code == 200

    # the current determination: each tranche follows its own payment's plan
    current = client.get(f"/api/v1/hwbs/{HWB_A}/determinations/current", headers=auth["a"]).get_json()
    assert {t["tranche"]: t["held_back_use"] for t in current["result"]["tranches"]} == {
        "april-2015/metrics": "recovery_plan", "october-2015/metrics": "nhs_england_direction"}
    assert {p: s["state"] for p, s in current["recovery_plans"].items()} == {
        "april-2015": "agreed", "october-2015": "nhs_england_direction"}

    resources = {e["resource"] for e in client.get(f"/api/v1/audit?board={HWB_A}&page_size=100",
                                                   headers=auth["assurance"]).get_json()["items"]
                 if e["action"].startswith("recovery_plan.")}
    assert resources == {BASE, OCTOBER}


def test_agreements_need_a_token_holding_that_party(client, auth, parties, required):
    client.post(BASE, json={"plan": {"actions": ["x"]}}, headers=auth["a"])
    agree = lambda key, party: client.post(BASE + "/agreements", json={"party": party}, headers=auth[key])  # noqa: E731
    no_party = agree("assurance", "nhs_england")
    assert no_party.status_code == 403 and no_party.content_type == "application/problem+json"
    assert no_party.get_json()["detail"].startswith(
        "The agreement of NHS England (nhs_england) is recorded by an assurance token that holds the party "
        "nhs_england; this token holds no party.")
    assert "--party nhs_england" in no_party.get_json()["detail"]
    wrong = agree("peer", "nhs_england")
    assert wrong.status_code == 403
    assert "this token holds the party peer_reviewer" in wrong.get_json()["detail"]
    by_board = agree("a", "peer_reviewer")
    assert by_board.status_code == 403
    assert "recorded by an assurance token, not an hwb one" in by_board.get_json()["detail"]
    assert agree("peer", "peer_reviewer").status_code == 200
    assert agree("peer", "peer_reviewer").status_code == 409  # twice
    assert client.get(BASE, headers=auth["a"]).get_json()["awaiting_agreement"] == ["hwb", "nhs_england"]


def test_one_token_cannot_record_two_parties(app, session, parties, required):
    """Even where a role would allow it (the operator's CLI actor, a token given two parties), a token
    that recorded one party's agreement cannot record another's."""
    from storage.errors import Conflict

    plan = workflow.find(session, HWB_A, "april-2015")
    plan.state = "submitted"
    session.flush()
    nhse = Actor(parties.ids["nhse"], "nhse token", "assurance", None, "nhs_england")
    workflow.record_agreement(session, nhse, plan, "nhs_england")
    with pytest.raises(Conflict, match="distinct token"):
        workflow.record_agreement(session, nhse, plan, "peer_reviewer")
    session.rollback()


def test_unknown_payment_is_404(client, auth, required):
    response = client.get(LEGACY + "/march-2016", headers=auth["a"])
    assert response.status_code == 404 and "march-2016" in response.get_json()["detail"]


def test_messages_name_roles_with_an(client, auth, required):
    """Issue 15 item 7: 'An assurance token', 'an admin one', never 'A assurance'."""
    refused = client.post(BASE, json={"plan": {"a": 1}}, headers=auth["assurance"])
    assert refused.get_json()["detail"] == "This step is recorded by an hwb token, not an assurance one."
    denied = client.get("/api/v1/tokens", headers=auth["assurance"])
    assert denied.get_json()["detail"].startswith("An assurance token may not do this")
    admin = client.get(BASE, headers=auth["admin"])
    assert admin.get_json()["detail"].startswith("An admin token may not do this")
