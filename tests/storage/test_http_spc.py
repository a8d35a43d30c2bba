"""Monthly series in stored plans and actuals (issue 13 §2): the plan's months and each period's outturn
months make one series, checked when stored, charted in the stored determination."""

import copy

from storage_support import ACTUALS_BAD, HWB_A

PLAN_MONTHS = [{"month": f"2014-{m:02d}", "value": v}
               for m, v in zip(range(1, 13), [44, 46, 43, 45, 44, 46, 43, 45, 44, 46, 43, 45], strict=True)]
OUTTURN = [{"month": f"2015-{m:02d}", "value": v} for m, v in ((1, 38), (2, 37), (3, 36))]


def plan_with_months(plan_body):
    body = copy.deepcopy(plan_body)
    body["metrics"][0]["monthly"] = PLAN_MONTHS
    return body


def test_plan_and_outturn_months_make_one_chart(client, auth, plan_body):
    assert client.put(f"/api/v1/hwbs/{HWB_A}/plan", json=plan_with_months(plan_body),
                      headers=auth["a"]).status_code == 201
    october = copy.deepcopy(ACTUALS_BAD["october-2015"])
    october["delayed_transfers"]["monthly"] = OUTTURN
    for period, body in (("april-2015", ACTUALS_BAD["april-2015"]), ("october-2015", october)):
        response = client.put(f"/api/v1/hwbs/{HWB_A}/actuals/{period}", json=body, headers=auth["a"])
        assert response.status_code == 201, response.get_json()
    created = client.post(f"/api/v1/hwbs/{HWB_A}/determinations", headers=auth["a"])
    assert created.status_code == 201, created.get_json()
    result = created.get_json()["result"]
    [chart] = result["spc"]
    assert (chart["first_month"], chart["last_month"], len(chart["points"])) == ("2014-01", "2015-03", 15)
    # the three low outturn months are below the lower limit: an improvement (lower is better)
    assert [p["type"] for p in chart["points"][-3:]] == ["special_cause_improvement"] * 3
    assert chart["icon"] == "improvement_low"
    # the counts still made the October actual
    october_line = next(m for m in result["metrics"] if (m["metric"], m["period"]) ==
                        ("delayed_transfers", "october-2015"))
    assert october_line["status"] == "determined"


def test_outturn_months_alone_leave_the_period_pending(client, auth, plan_body):
    assert client.put(f"/api/v1/hwbs/{HWB_A}/plan", json=plan_with_months(plan_body),
                      headers=auth["a"]).status_code == 201
    response = client.put(f"/api/v1/hwbs/{HWB_A}/actuals/october-2015",
                          json={"delayed_transfers": {"monthly": OUTTURN}}, headers=auth["a"])
    assert response.status_code == 201, response.get_json()
    result = client.post(f"/api/v1/hwbs/{HWB_A}/determinations", headers=auth["a"]).get_json()["result"]
    assert result["spc"][0]["last_month"] == "2015-03"
    assert {m["status"] for m in result["metrics"] if m["metric"] == "delayed_transfers"} == {"pending"}


def test_outturn_months_are_checked_with_the_plans(client, auth, plan_body):
    assert client.put(f"/api/v1/hwbs/{HWB_A}/plan", json=plan_with_months(plan_body),
                      headers=auth["a"]).status_code == 201
    months = [{"month": "2015-01", "value": 38}, {"month": "2015-02", "value": "lots"},
              {"month": "2015-04", "value": 36}]
    body = {"delayed_transfers": {"numerator": 2300, "denominator": 72400, "monthly": months},
            "reablement": {"numerator": 700, "denominator": 1000, "monthly": OUTTURN}}
    response = client.put(f"/api/v1/hwbs/{HWB_A}/actuals/october-2015", json=body, headers=auth["a"])
    assert response.status_code == 422
    locations = {e["location"] for e in response.get_json()["errors"]}
    assert locations == {"delayed_transfers.monthly[1].value", "reablement.monthly"}
    # the gap (no March) is found once the value can be read
    months[1]["value"] = 37
    del body["reablement"]
    response = client.put(f"/api/v1/hwbs/{HWB_A}/actuals/october-2015", json=body, headers=auth["a"])
    assert response.status_code == 422
    [problem] = response.get_json()["errors"]
    assert problem["location"] == "delayed_transfers.monthly" and "(2015-03)" in problem["message"]
    assert client.get(f"/api/v1/hwbs/{HWB_A}/actuals/october-2015", headers=auth["a"]).status_code == 404


def test_a_stored_plan_with_a_bad_series_is_refused(client, auth, plan_body):
    body = plan_with_months(plan_body)
    body["metrics"][1]["monthly"] = PLAN_MONTHS  # reablement takes none
    response = client.put(f"/api/v1/hwbs/{HWB_A}/plan", json=body, headers=auth["a"])
    assert response.status_code == 422
    assert [e["location"] for e in response.get_json()["errors"]] == ["metrics[1].monthly"]
