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


def test_plain_dates_and_messages_that_show_the_format(client, auth, plan_body):
    client.put(f"/api/v1/hwbs/{HWB_A}/plan", json=plan_body, headers=auth["a"])
    today, tomorrow = datetime.now(UTC).date(), datetime.now(UTC).date() + timedelta(days=1)

    def count(query):
        response = client.get("/api/v1/audit?" + query, headers=auth["admin"])
        assert response.status_code == 200, response.get_json()
        return response.get_json()["total"]

    everything = count("")
    assert count(f"from={today}&to={today}") == everything  # the whole of today, in UTC
    assert count(f"from={tomorrow}") == 0 and count(f"to={today - timedelta(days=1)}") == 0
    bad = client.get("/api/v1/audit?from=30/09/2015&to=2026-12-02T10:00:00", headers=auth["admin"])
    messages = {e["location"]: e["message"] for e in bad.get_json()["errors"]}
    assert "2026-12-02" in messages["from"] and "2026-12-02T10:00:00Z" in messages["from"]
    assert messages["to"].startswith("A time needs its offset: 2026-12-02T10:00:00Z")


def test_numbers_beyond_what_a_database_holds_are_refused_not_500(client, auth, plan_body):
    huge = 2**63
    assert client.get(f"/api/v1/audit?page={huge}", headers=auth["admin"]).status_code == 422
    assert client.get(f"/api/v1/hwbs/{HWB_A}/plan?version={huge}", headers=auth["a"]).status_code == 422
    assert client.get(f"/api/v1/hwbs/{HWB_A}/determinations/{huge}", headers=auth["a"]).status_code == 404
    assert client.delete(f"/api/v1/tokens/{huge}", headers=auth["admin"]).status_code == 404
    assert client.get("/api/v1/audit?nonsense=1", headers=auth["admin"]).status_code == 422
