"""GET /api/v1/audit: every write is there (who, when, what, diff); filters and pages."""

from datetime import UTC, datetime, timedelta

from storage_support import HWB_A, HWB_B


def test_filters_pages_and_diffs(client, auth, plan_body):
    start = datetime.now(UTC) - timedelta(seconds=1)
    client.put(f"/api/v1/hwbs/{HWB_A}/plan", json=plan_body, headers=auth["a"])
    client.put(f"/api/v1/hwbs/{HWB_A}/plan", json={**plan_body, "p4p_pool": 5.0},
               headers={**auth["a"], "If-Match": '"1"'})
    client.put(f"/api/v1/hwbs/{HWB_B}/plan", json=plan_body, headers=auth["b"])
    end = datetime.now(UTC) + timedelta(seconds=1)

    page = client.get(f"/api/v1/audit?board={HWB_A}", headers=auth["assurance"]).get_json()
    puts = [e for e in page["items"] if e["action"] == "plan.put"]
    assert [(e["version"], e["actor"]["name"], e["resource"]) for e in puts] == [
        (2, "a token", f"/api/v1/hwbs/{HWB_A}/plan"), (1, "a token", f"/api/v1/hwbs/{HWB_A}/plan")]
    assert puts[0]["diff"] == [{"op": "replace", "path": "/p4p_pool", "from_value": 1000000.0, "value": 5.0}]
    assert puts[1]["diff"][0]["op"] == "add" and puts[0]["actor"]["token_id"] == auth.ids["a"]

    by_actor = client.get(f"/api/v1/audit?actor={auth.ids['b']}", headers=auth["admin"]).get_json()
    assert [(e["action"], e["hwb_code"]) for e in by_actor["items"]] == [("plan.put", HWB_B)]

    def count(query):
        return client.get("/api/v1/audit?" + query, headers=auth["admin"]).get_json()["total"]

    assert count("") == 4 + 3  # four test tokens made, three PUTs
    window = f"from={start.isoformat().replace('+00:00', 'Z')}&to={end.isoformat().replace('+00:00', 'Z')}"
    assert count(window.replace("+", "%2B")) == 7
    assert count(f"from={end.isoformat().replace('+00:00', 'Z')}") == 0
    assert count(f"to={start.isoformat().replace('+00:00', 'Z')}") == 0

    first = client.get("/api/v1/audit?page_size=3", headers=auth["admin"]).get_json()
    second = client.get("/api/v1/audit?page_size=3&page=3", headers=auth["admin"]).get_json()
    assert (len(first["items"]), len(second["items"]), first["total"]) == (3, 1, 7)
    assert first["items"][0]["action"] == "plan.put"  # newest first

    bad = client.get("/api/v1/audit?from=yesterday&page=0", headers=auth["admin"])
    assert bad.status_code == 422 and {e["location"] for e in bad.get_json()["errors"]} == {"from", "page"}
