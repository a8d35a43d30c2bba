"""Stored determinations: the calculator's one code path on the stored plan and actuals, kept as answered."""

import copy
import json

import pytest
from sqlalchemy import func, select
from storage_support import ACTUALS_BAD, HWB_A

from storage import workflow
from storage.models import AuditEntry, Determination


def store(client, auth, plan_body, actuals=ACTUALS_BAD):
    assert client.put(f"/api/v1/hwbs/{HWB_A}/plan", json=plan_body, headers=auth["a"]).status_code == 201
    for period, body in actuals.items():
        response = client.put(f"/api/v1/hwbs/{HWB_A}/actuals/{period}", json=body, headers=auth["a"])
        assert response.status_code == 201, response.get_json()


def test_no_plan_no_determination(client, auth):
    response = client.post(f"/api/v1/hwbs/{HWB_A}/determinations", headers=auth["a"])
    assert response.status_code == 409 and "PUT /api/v1/hwbs/E06000001/plan" in response.get_json()["detail"]


def test_determination_is_the_calculator_answer_kept_exactly(app, client, auth, plan_body):
    store(client, auth, plan_body)
    created = client.post(f"/api/v1/hwbs/{HWB_A}/determinations", headers=auth["a"])
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/hwbs/{HWB_A}/determinations/{body['id']}")
    assert (body["plan_version"], body["actuals_versions"]) == (1, {"april-2015": 1, "october-2015": 1})
    assert body["rule_set"] == "bcf-2015-16" and body["requested_by"]["name"] == "a token"

    # The same request built by hand (plan + each actual) through the calculator: the same answer.
    merged = {"hwb_code": HWB_A, **copy.deepcopy(plan_body)}
    dt, reablement = merged["metrics"][0]["periods"], merged["metrics"][1]["periods"]
    dt["april-2015"]["actual"] = ACTUALS_BAD["april-2015"]["delayed_transfers"]
    dt["october-2015"]["actual"] = ACTUALS_BAD["october-2015"]["delayed_transfers"]
    reablement["october-2015"]["actual"] = ACTUALS_BAD["october-2015"]["reablement"]
    assert body["request"] == merged
    calculated = app.extensions["calculator"].calculate(merged)
    assert body["result"] == json.loads(app.json.dumps(calculated))  # as sent

    again = client.get(f"/api/v1/hwbs/{HWB_A}/determinations/{body['id']}", headers=auth["assurance"])
    assert again.status_code == 200 and again.get_json() == body

    # a later plan change does not touch the stored determination
    changed = {**plan_body, "p4p_pool": 2000000.0}
    assert client.put(f"/api/v1/hwbs/{HWB_A}/plan", json=changed,
                      headers={**auth["a"], "If-Match": '"1"'}).status_code == 200
    second = client.post(f"/api/v1/hwbs/{HWB_A}/determinations", headers=auth["assurance"]).get_json()
    assert second["plan_version"] == 2 and second["result"]["p4p_pool"] == 2000000.0
    assert second["requested_by"]["name"] == "assurance token"
    unchanged = client.get(f"/api/v1/hwbs/{HWB_A}/determinations/{body['id']}", headers=auth["a"])
    assert unchanged.get_json() == body
    listing = client.get(f"/api/v1/hwbs/{HWB_A}/determinations", headers=auth["a"]).get_json()
    assert [d["id"] for d in listing] == [body["id"], second["id"]] and "result" not in listing[0]


def test_failed_determination_changes_nothing(client, auth, plan_body):
    """No pool sent and no allocation table: 422, and neither a determination nor an audit row is kept."""
    del plan_body["p4p_pool"]
    store(client, auth, plan_body)
    response = client.post(f"/api/v1/hwbs/{HWB_A}/determinations", headers=auth["a"])
    assert response.status_code == 422
    assert [e["location"] for e in response.get_json()["errors"]] == ["p4p_pool"]
    assert client.get(f"/api/v1/hwbs/{HWB_A}/determinations", headers=auth["a"]).get_json() == []
    actions = [e["action"] for e in client.get("/api/v1/audit", headers=auth["admin"]).get_json()["items"]]
    assert "determination.create" not in actions


def test_recovery_plan_opened_and_current_reflects_it(client, auth, plan_body):
    store(client, auth, plan_body)
    determination = client.post(f"/api/v1/hwbs/{HWB_A}/determinations", headers=auth["a"]).get_json()
    result = determination["result"]
    assert result["recovery_plan_required"] is True  # reablement 70% against a baseline of 80%
    needing = [t["tranche"] for t in result["tranches"] if t["recovery_plan_required"]]
    assert needing == ["october-2015/metrics"]

    rp = client.get(f"/api/v1/hwbs/{HWB_A}/recovery-plan", headers=auth["a"]).get_json()
    assert rp["state"] == "required" and rp["determination_id"] == determination["id"]
    assert rp["allowed_transitions"] == ["submitted"]

    def current_use():
        current = client.get(f"/api/v1/hwbs/{HWB_A}/determinations/current", headers=auth["a"]).get_json()
        return {t["tranche"]: t["held_back_use"] for t in current["result"]["tranches"]}

    assert current_use()["october-2015/metrics"] == "recovery_plan"
    base = f"/api/v1/hwbs/{HWB_A}/recovery-plan"
    submitted = client.post(base, json={"plan": {"actions": ["more reablement"]}}, headers=auth["a"])
    assert submitted.status_code == 200
    assert client.post(base + "/transitions", json={"to": "not_agreed"},
                       headers=auth["assurance"]).status_code == 200
    assert current_use()["october-2015/metrics"] == "recovery_plan"
    directed = client.post(base + "/transitions", json={"to": "nhs_england_direction",
                                                         "direction": "Fund reablement"},
                           headers=auth["assurance"])
    assert directed.status_code == 200
    uses = current_use()
    assert uses["october-2015/metrics"] == "nhs_england_direction"
    assert uses["april-2015/metrics"] == "contingency_plan"  # tranches without a recovery plan keep theirs
    # the stored determination itself is unchanged
    stored = client.get(f"/api/v1/hwbs/{HWB_A}/determinations/{determination['id']}", headers=auth["a"])
    assert stored.get_json() == determination


def test_crash_after_writes_rolls_everything_back(app, client, auth, plan_body, monkeypatch):
    """One transaction per request: a failure after the determination and audit rows were written
    (here, opening the recovery plan) leaves neither behind."""
    store(client, auth, plan_body)

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(workflow, "open_if_required", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.post(f"/api/v1/hwbs/{HWB_A}/determinations", headers=auth["a"])
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500 and "fire" not in response.get_data(as_text=True)
    with app.extensions["bcf_sessions"]() as session:
        assert session.scalar(select(func.count()).select_from(Determination)) == 0
        actions = session.scalars(select(AuditEntry.action)).all()
        assert "determination.create" not in actions and "plan.put" in actions


def test_the_list_shows_april_released_money_before_october_is_known(client, auth, plan_body):
    """totals.released is null until every tranche is determined; each payment's own totals are not."""
    assert client.put(f"/api/v1/hwbs/{HWB_A}/plan", json=plan_body, headers=auth["a"]).status_code == 201
    assert client.put(f"/api/v1/hwbs/{HWB_A}/actuals/april-2015", json=ACTUALS_BAD["april-2015"],
                      headers=auth["a"]).status_code == 201
    created = client.post(f"/api/v1/hwbs/{HWB_A}/determinations", headers=auth["a"]).get_json()
    [listed] = client.get(f"/api/v1/hwbs/{HWB_A}/determinations", headers=auth["a"]).get_json()
    assert listed["totals"]["released"] is None  # October is pending
    april, october = listed["payments"]["april-2015"], listed["payments"]["october-2015"]
    tranches = [t for t in created["result"]["tranches"] if t["payment"] == "april-2015"]
    assert april["released"] == pytest.approx(sum(t["released"] for t in tranches))
    assert april["released"] > 0 and october["released"] is None
    assert april["available"] + october["available"] == pytest.approx(listed["totals"]["available"])
