"""Token management: shown once, stored as a hash, revocable; the CLI does the same."""

import hashlib
from datetime import UTC, datetime

from sqlalchemy import inspect, select

from api import create_app
from storage.models import Token


def test_admin_creates_lists_and_revokes(app, client, auth):
    created = client.post("/api/v1/tokens", json={"name": "Middlesbrough finance", "role": "hwb",
                                                  "hwb_code": "E06000002"}, headers=auth["admin"])
    assert created.status_code == 201
    body = created.get_json()
    secret = body["token"]
    assert len(secret) >= 43 and body["role"] == "hwb" and body["hwb_code"] == "E06000002"
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/hwbs/E06000002/determinations", headers=headers).status_code == 200

    with app.extensions["bcf_sessions"]() as session:  # only the hash is kept
        stored = session.scalars(select(Token).where(Token.id == body["id"])).one()
        assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        columns = {c.name for c in Token.__table__.columns}
        assert secret not in {str(getattr(stored, c)) for c in columns}

    listing = client.get("/api/v1/tokens", headers=auth["admin"]).get_json()
    assert body["id"] in [t["id"] for t in listing]
    assert all("token" not in t and "token_hash" not in t for t in listing)

    assert client.delete(f"/api/v1/tokens/{body['id']}", headers=auth["admin"]).status_code == 200
    assert client.get("/api/v1/hwbs/E06000002/determinations", headers=headers).status_code == 401
    assert client.delete(f"/api/v1/tokens/{body['id']}", headers=auth["admin"]).status_code == 409
    assert client.delete("/api/v1/tokens/9999", headers=auth["admin"]).status_code == 404

    actions = [(e["action"], e["actor"]["name"]) for e in
               client.get("/api/v1/audit?actor=admin token", headers=auth["admin"]).get_json()["items"]]
    assert actions == [("token.revoke", "admin token"), ("token.create", "admin token")]


def test_token_input_checked(client, auth):
    bad = [({"name": "x", "role": "hwb"}, "hwb_code"),
           ({"name": "x", "role": "admin", "hwb_code": "E06000001"}, "hwb_code"),
           ({"name": "x", "role": "hwb", "hwb_code": "E99999999"}, "hwb_code"),
           ({"name": "x", "role": "boss"}, "role")]
    for body, location in bad:
        response = client.post("/api/v1/tokens", json=body, headers=auth["admin"])
        assert response.status_code == 422, body
        assert [e["location"] for e in response.get_json()["errors"]] == [location]


def test_cli_create_and_revoke_token(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["bcf", "create-token", "--role", "hwb", "--hwb", "E06000001",
                                 "--name", "Hartlepool finance"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    secret = lines[-1]
    assert " " not in secret and len(secret) >= 43 and "Hartlepool finance" in lines[0]
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/hwbs/E06000001/determinations", headers=headers).status_code == 200
    assert client.get("/api/v1/hwbs/E06000002/determinations", headers=headers).status_code == 404

    token_id = lines[0].split()[2]
    assert runner.invoke(args=["bcf", "revoke-token", token_id]).exit_code == 0
    assert client.get("/api/v1/hwbs/E06000001/determinations", headers=headers).status_code == 401
    again = runner.invoke(args=["bcf", "revoke-token", token_id])
    assert again.exit_code != 0 and "already revoked" in again.output

    refused = runner.invoke(args=["bcf", "create-token", "--role", "hwb", "--name", "no board"])
    assert refused.exit_code != 0 and "board code" in refused.output


def test_cli_init_db_migrates_an_empty_database(database_url, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url,
                      "ALLOCATIONS_FILE": str(tmp_path / "allocations.csv")})
    try:
        result = app.test_cli_runner().invoke(args=["bcf", "init-db"])
        assert result.exit_code == 0, result.output
        assert "revision 0002" in result.output
        assert "plan_versions" in inspect(app.extensions["bcf_db"]).get_table_names()
    finally:
        app.extensions["bcf_db"].dispose()


def test_admin_cannot_revoke_its_own_last_admin_token(client, auth):
    """Issue 15 item 12: revoking the last live admin token with itself would leave no one to manage
    tokens."""
    own = client.delete(f"/api/v1/tokens/{auth.ids['admin']}", headers=auth["admin"])
    assert own.status_code == 409 and own.content_type == "application/problem+json"
    assert "last live admin token" in own.get_json()["detail"]
    assert "Create another admin token first" in own.get_json()["detail"]
    assert client.get("/api/v1/tokens", headers=auth["admin"]).status_code == 200  # still works
    # a revoked or expired second admin token does not count
    auth.make("old admin", "admin")
    assert client.delete(f"/api/v1/tokens/{auth.ids['old admin']}", headers=auth["admin"]).status_code == 200
    assert client.delete(f"/api/v1/tokens/{auth.ids['admin']}", headers=auth["admin"]).status_code == 409
    # with another live admin token it may
    auth.make("second admin", "admin")
    assert client.delete(f"/api/v1/tokens/{auth.ids['admin']}", headers=auth["admin"]).status_code == 200
    assert client.get("/api/v1/tokens", headers=auth["admin"]).status_code == 401


def test_token_names_refuse_control_characters(app, client, auth):
    for name in ("evil\nname", "bell\x07", "tab\there", "nul\x00", "line\u2028sep"):
        response = client.post("/api/v1/tokens", json={"name": name, "role": "assurance"},
                               headers=auth["admin"])
        assert response.status_code == 422, name
        errors = response.get_json()["errors"]
        assert [e["location"] for e in errors] == ["name"] and "control characters" in errors[0]["message"]
    assert client.post("/api/v1/tokens", json={"name": "Ærø – finance (café)", "role": "assurance"},
                       headers=auth["admin"]).status_code == 201
    refused = app.test_cli_runner().invoke(args=["bcf", "create-token", "--role", "admin",
                                                 "--name", "a\x1bb"])
    assert refused.exit_code != 0 and "control characters" in refused.output


def test_party_is_for_assurance_tokens(app, client, auth):
    created = client.post("/api/v1/tokens", json={"name": "NHS England panel", "role": "assurance",
                                                  "party": "nhs_england"}, headers=auth["admin"])
    assert created.status_code == 201 and created.get_json()["party"] == "nhs_england"
    for body, location in (({"name": "x", "role": "admin", "party": "nhs_england"}, "party"),
                           ({"name": "x", "role": "assurance", "party": "minister"}, "party")):
        response = client.post("/api/v1/tokens", json=body, headers=auth["admin"])
        assert response.status_code == 422, body
        assert [e["location"] for e in response.get_json()["errors"]] == [location]
    runner = app.test_cli_runner()
    made = runner.invoke(args=["bcf", "token", "create", "--role", "assurance", "--party", "peer_reviewer",
                               "--name", "LGA peer"])
    assert made.exit_code == 0, made.output
    assert "(assurance peer_reviewer)" in made.output.splitlines()[0]
    listing = client.get("/api/v1/tokens", headers=auth["admin"]).get_json()
    assert [t["party"] for t in listing if t["name"] == "LGA peer"] == ["peer_reviewer"]
    wrong = runner.invoke(args=["bcf", "create-token", "--role", "hwb", "--hwb", "E06000001",
                                "--party", "nhs_england", "--name", "x"])
    assert wrong.exit_code != 0 and "only an assurance token holds a party" in wrong.output


def test_tokens_may_expire(app, client, auth):
    """Issue 15 item 12: --expires DATE or a duration; an expired token is 401 saying so."""
    runner = app.test_cli_runner()
    dated = runner.invoke(args=["bcf", "create-token", "--role", "assurance", "--name", "panel 2026/27",
                                "--expires", "2999-03-31"])
    assert dated.exit_code == 0, dated.output
    assert "expires 2999-04-01T00:00:00Z" in dated.output  # valid to the end of that day (UTC)
    lasting = runner.invoke(args=["bcf", "token", "create", "--role", "admin", "--name", "temp",
                                  "--expires", "90d"])
    assert lasting.exit_code == 0, lasting.output
    for bad in ("2020-01-01", "yesterday", "2027-02-30", "2027-03-31T10:00:00"):
        refused = runner.invoke(args=["bcf", "create-token", "--role", "admin", "--name", "x",
                                      "--expires", bad])
        assert refused.exit_code != 0 and "--expires" in refused.output, bad

    created = client.post("/api/v1/tokens", json={"name": "short", "role": "assurance", "expires": "12h"},
                          headers=auth["admin"])
    assert created.status_code == 201 and created.get_json()["expires_at"].endswith("Z")
    past = client.post("/api/v1/tokens", json={"name": "x", "role": "assurance", "expires": "2001-01-01"},
                       headers=auth["admin"])
    assert past.status_code == 422 and [e["location"] for e in past.get_json()["errors"]] == ["expires"]

    headers = {"Authorization": f"Bearer {created.get_json()['token']}"}
    assert client.get("/api/v1/audit", headers=headers).status_code == 200
    with app.extensions["bcf_sessions"].begin() as session:  # time passes
        session.get(Token, created.get_json()["id"]).expires_at = datetime(2020, 1, 1, tzinfo=UTC)
    response = client.get("/api/v1/audit", headers=headers)
    assert response.status_code == 401 and 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert response.get_json()["detail"] == ("The token expired at 2020-01-01T00:00:00Z; "
                                             "ask an admin for a new one.")


def test_protected_answers_are_not_stored(client, auth, plan_body):
    """Issue 15 item 12: every protected answer, errors included, carries Cache-Control: no-store."""
    answers = [client.get("/api/v1/tokens", headers=auth["admin"]),
               client.get("/api/v1/audit", headers=auth["assurance"]),
               client.put("/api/v1/hwbs/E06000001/plan", json=plan_body, headers=auth["a"]),
               client.get("/api/v1/hwbs/E06000001/plan", headers=auth["a"]),
               client.get("/api/v1/hwbs/E06000002/plan", headers=auth["a"]),  # 404
               client.get("/api/v1/tokens", headers=auth["a"]),  # 403
               client.get("/api/v1/tokens"),  # 401
               client.post("/api/v1/tokens", json={"name": "x"}, headers=auth["admin"])]  # 422
    assert [r.status_code for r in answers] == [200, 200, 201, 200, 404, 403, 401, 422]
    assert all(r.headers.get("Cache-Control") == "no-store" for r in answers)
    assert "no-store" not in client.get("/api/v1/hwbs").headers.get("Cache-Control", "")
