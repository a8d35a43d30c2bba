"""Shared set-up for the page tests (a uniquely named module: every test room has a conftest).

A board with a stored determination (Hartlepool, plan and outturn of the storage tests: the October
metrics fall short, so a recovery plan is needed) and one without (Middlesbrough), and a token of each
role, made through the same code the CLI and the API use.
"""

from __future__ import annotations

import copy

from storage import tokens
from storage.audit import Actor

HWB_A, HWB_B = "E06000001", "E06000002"  # Hartlepool (determined), Middlesbrough (nothing yet)

PLAN = {
    "p4p_pool": 1000000.00,
    "metrics": [
        {"metric": "delayed_transfers", "periods": {
            "april-2015": {"baseline": {"numerator": 3100, "denominator": 72000}, "plan": 450.0},
            "october-2015": {"baseline": {"numerator": 2100, "denominator": 72400}, "plan": 460.0}}},
        {"metric": "reablement", "periods": {
            "october-2015": {"baseline": {"numerator": 800, "denominator": 1000}, "plan": 85.0}}},
    ],
}
ACTUALS = {
    "april-2015": {"delayed_transfers": {"numerator": 2000, "denominator": 72400}},
    "october-2015": {"delayed_transfers": {"numerator": 2300, "denominator": 72400},
                     "reablement": {"numerator": 700, "denominator": 1000}},
}


def make_tokens(app) -> dict[str, str]:
    """Secrets by key: ``a`` (hwb, Hartlepool), ``b`` (hwb, Middlesbrough), ``assurance``, ``admin``."""
    secrets = {}
    with app.extensions["bcf_sessions"].begin() as session:
        for key, role, code in (("a", "hwb", HWB_A), ("b", "hwb", HWB_B), ("assurance", "assurance", None),
                                ("admin", "admin", None)):
            _, secrets[key] = tokens.create(session, Actor(None, "test-setup"), name=f"{key} token",
                                            role=role, hwb_code=code)
    return secrets


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def determine(client, secret: str, code: str = HWB_A) -> dict:
    """Store the plan and actuals for ``code`` and make a determination, through the API."""
    headers = bearer(secret)
    plan = client.put(f"/api/v1/hwbs/{code}/plan", json=copy.deepcopy(PLAN), headers=headers)
    assert plan.status_code == 201, plan.get_json()
    for period, body in ACTUALS.items():
        actuals = client.put(f"/api/v1/hwbs/{code}/actuals/{period}", json=body, headers=headers)
        assert actuals.status_code == 201, actuals.get_json()
    created = client.post(f"/api/v1/hwbs/{code}/determinations", headers=headers)
    assert created.status_code == 201, created.get_json()
    return created.get_json()
