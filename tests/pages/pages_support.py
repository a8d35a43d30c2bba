"""Shared set-up for the page tests (a uniquely named module: every test room has a conftest).

A board with a stored determination (Hartlepool, plan and outturn of the storage tests: the October
metrics fall short, so a recovery plan is needed) and one without (Middlesbrough), and a token of each
role, made through the same code the CLI and the API use.
"""

from __future__ import annotations

import copy

from storage import tokens
from storage.audit import Actor
from tests.storage.storage_support import ACTUALS_BAD as ACTUALS
from tests.storage.storage_support import PLAN

HWB_A, HWB_B = "E06000001", "E06000002"  # Hartlepool (determined), Middlesbrough (nothing yet)
HWB_C = "E06000003"  # Redcar and Cleveland: the plan with a monthly series (the board page's XmR chart)

#: Hartlepool's delayed transfers of the README's worked example, April 2013 to December 2014: a winter
#: spike in February 2014 (above the upper limit) and a lower level from April 2014 (a shift)
MONTHLY = [{"month": f"{2013 + (i + 3) // 12}-{(i + 3) % 12 + 1:02d}", "value": v} for i, v in enumerate(
    [492, 505, 481, 498, 487, 510, 495, 483, 502, 489, 611, 497, 476, 468, 471, 462, 458, 466, 455, 461,
     452])]
PLAN_SPC = {**PLAN, "metrics": [{**PLAN["metrics"][0], "monthly": MONTHLY}, PLAN["metrics"][1]]}



def make_tokens(app) -> dict[str, str]:
    """Secrets by key: ``a`` (hwb, Hartlepool), ``b`` (hwb, Middlesbrough), ``c`` (hwb, Redcar and
    Cleveland), ``assurance``, ``admin``."""
    secrets = {}
    with app.extensions["bcf_sessions"].begin() as session:
        for key, role, code in (("a", "hwb", HWB_A), ("b", "hwb", HWB_B), ("c", "hwb", HWB_C),
                                ("assurance", "assurance", None),
                                ("admin", "admin", None)):
            _, secrets[key] = tokens.create(session, Actor(None, "test-setup"), name=f"{key} token",
                                            role=role, hwb_code=code)
    return secrets


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def determine(client, secret: str, code: str = HWB_A, plan_body: dict = PLAN,
              actuals: dict = ACTUALS) -> dict:
    """Store the plan and actuals for ``code`` and make a determination, through the API."""
    headers = bearer(secret)
    plan = client.put(f"/api/v1/hwbs/{code}/plan", json=copy.deepcopy(plan_body), headers=headers)
    assert plan.status_code == 201, plan.get_json()
    for period, body in actuals.items():
        actuals = client.put(f"/api/v1/hwbs/{code}/actuals/{period}", json=body, headers=headers)
        assert actuals.status_code == 201, actuals.get_json()
    created = client.post(f"/api/v1/hwbs/{code}/determinations", headers=headers)
    assert created.status_code == 201, created.get_json()
    return created.get_json()


#: a second board's outturn far from the first's: on a funnel of two, each is outside the other's limits
ACTUALS_APART = {
    "april-2015": {"delayed_transfers": {"numerator": 3400, "denominator": 72400}},
    "october-2015": {"delayed_transfers": {"numerator": 1500, "denominator": 72400},
                     "reablement": {"numerator": 900, "denominator": 1000}},
}


def varied_actuals(i: int) -> dict:
    """The ``i``-th board's outturn, spread about its ambition as boards' outturns are (deterministic:
    the same every run): achievements from about 20% to 140%, populations from 30,000 to 200,000."""
    delayed_april, delayed_october = 2880 + (i * 37) % 180, 1960 + (i * 29) % 120  # per 72,400 people
    people = 30000 + (i * 7919) % 170000
    discharged = 300 + (i * 53) % 1500
    return {
        "april-2015": {"delayed_transfers": {"numerator": delayed_april * people // 72400,
                                             "denominator": people}},
        "october-2015": {"delayed_transfers": {"numerator": delayed_october * people // 72400,
                                               "denominator": people},
                         "reablement": {"numerator": discharged * (81 + (i * 3) % 8) // 100,
                                        "denominator": discharged}},
    }


def determine_many(app, client, codes) -> None:
    """A stored plan, outturn and determination for each of ``codes`` (each board's own hwb token), the
    outturns varied: a national page with a real spread of boards (the browser test, the benchmark)."""
    for i, code in enumerate(codes):
        with app.extensions["bcf_sessions"].begin() as session:
            _, secret = tokens.create(session, Actor(None, "test-setup"), name=f"{code} token", role="hwb",
                                      hwb_code=code)
        determine(client, secret, code=code, actuals=varied_actuals(i))
