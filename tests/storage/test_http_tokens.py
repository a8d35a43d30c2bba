"""Token management: shown once, stored as a hash, revocable; the CLI does the same."""

import hashlib

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
