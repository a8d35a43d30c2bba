"""Tokens and roles on every stored path: 401 without a good token, 404 across boards, 403 by role."""

import pytest
from storage_support import ACTUALS_BAD, HWB_B

B = f"/api/v1/hwbs/{HWB_B}"
# Every stored path of a board, with each method it answers (bodies valid enough to pass if allowed).
BOARD_PATHS = [
    ("GET", B + "/plan", None), ("PUT", B + "/plan", {"metrics": []}),
    ("GET", B + "/plan/versions", None),
    ("GET", B + "/actuals/october-2015", None),
    ("PUT", B + "/actuals/october-2015", ACTUALS_BAD["october-2015"]),
    ("GET", B + "/actuals/october-2015/versions", None),
    ("GET", B + "/determinations", None), ("POST", B + "/determinations", None),
    ("GET", B + "/determinations/1", None), ("GET", B + "/determinations/current", None),
    ("GET", B + "/recovery-plan", None), ("POST", B + "/recovery-plan", {"plan": {"a": 1}}),
    ("POST", B + "/recovery-plan/transitions", {"to": "submitted", "plan": {"a": 1}}),
    ("POST", B + "/recovery-plan/agreements", {"party": "hwb"}),
    ("POST", B + "/recovery-plan/sign-off", {"minister": "M"}),
    ("GET", B + "/recovery-plans", None),
    ("GET", B + "/recovery-plan/october-2015", None),
    ("POST", B + "/recovery-plan/october-2015", {"plan": {"a": 1}}),
    ("POST", B + "/recovery-plan/october-2015/transitions", {"to": "submitted", "plan": {"a": 1}}),
    ("POST", B + "/recovery-plan/october-2015/agreements", {"party": "hwb"}),
    ("POST", B + "/recovery-plan/october-2015/sign-off", {"minister": "M"}),
]
ADMIN_PATHS = [("GET", "/api/v1/tokens", None),
               ("POST", "/api/v1/tokens", {"name": "x", "role": "assurance"}),
               ("DELETE", "/api/v1/tokens/1", None)]
ALL_PATHS = BOARD_PATHS + ADMIN_PATHS + [("GET", "/api/v1/audit", None)]


def call(client, method, path, body, headers):
    return client.open(path, method=method, json=body, headers=headers)


@pytest.fixture()
def board_b_has_everything(client, auth, plan_body):
    """Board B with a plan, actuals, a determination and a recovery plan: so 404 is not 'nothing there'."""
    assert client.put(B + "/plan", json=plan_body, headers=auth["b"]).status_code == 201
    for period, body in ACTUALS_BAD.items():
        assert client.put(f"{B}/actuals/{period}", json=body, headers=auth["b"]).status_code == 201
    assert client.post(B + "/determinations", headers=auth["b"]).status_code == 201
    assert client.get(B + "/recovery-plan", headers=auth["b"]).status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), BOARD_PATHS)
def test_other_boards_paths_are_404_for_an_hwb_token(client, auth, board_b_has_everything, method, path,
                                                      body):
    response = call(client, method, path, body, auth["a"])
    assert response.status_code == 404 and response.content_type == "application/problem+json"
    # indistinguishable from a board that does not exist
    unknown = call(client, method, path.replace(HWB_B, "E99999999"), body, auth["a"])
    assert (unknown.status_code, unknown.get_json()["detail"]) == (404, response.get_json()["detail"])
    # while board B's own token does reach it
    assert call(client, method, path, body, auth["b"]).status_code != 404


def test_other_board_writes_change_nothing(client, auth, board_b_has_everything, plan_body):
    for method, path, body in BOARD_PATHS:
        if method != "GET":
            call(client, method, path, body, auth["a"])
    audit = client.get(f"/api/v1/audit?board={HWB_B}&page_size=500", headers=auth["admin"]).get_json()
    assert all(entry["actor"]["name"] == "b token" or entry["action"] == "token.create"
               for entry in audit["items"])


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_PATHS + [("GET", "/api/v1/audit", None)])
def test_hwb_token_is_403_on_audit_and_token_management(client, auth, method, path, body):
    response = call(client, method, path, body, auth["a"])
    assert response.status_code == 403 and response.content_type == "application/problem+json"


@pytest.mark.parametrize(("method", "path", "body"), ALL_PATHS)
def test_no_or_bad_token_is_401_with_challenge(client, auth, method, path, body):
    for header in (None, "Bearer not-a-token", "Basic dXNlcjpwdw==", "Bearer "):
        headers = {"Authorization": header} if header else {}
        response = call(client, method, path, body, headers)
        assert response.status_code == 401 and response.content_type == "application/problem+json", header
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_roles(client, auth, plan_body):
    a = "/api/v1/hwbs/E06000001"
    assert client.put(a + "/plan", json=plan_body, headers=auth["assurance"]).status_code == 403
    assert client.put(a + "/plan", json=plan_body, headers=auth["admin"]).status_code == 403
    assert client.get(a + "/plan", headers=auth["admin"]).status_code == 403
    assert client.put(a + "/plan", json=plan_body, headers=auth["a"]).status_code == 201
    assert client.get(a + "/plan", headers=auth["assurance"]).status_code == 200
    assert client.get("/api/v1/audit", headers=auth["assurance"]).status_code == 200
    assert client.get("/api/v1/tokens", headers=auth["assurance"]).status_code == 403


def test_revoked_token_is_401(client, auth):
    assert client.get("/api/v1/hwbs/E06000001/plan", headers=auth["a"]).status_code == 404
    revoked = client.delete(f"/api/v1/tokens/{auth.ids['a']}", headers=auth["admin"])
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    response = client.get("/api/v1/hwbs/E06000001/plan", headers=auth["a"])
    assert response.status_code == 401 and 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_calculator_stays_open(client, plan_body):
    response = client.post("/api/v1/calculations", json={"hwb_code": "E06000001", **plan_body})
    assert response.status_code == 200


def test_openapi_documents_bearer_auth(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["paths"]["/api/v1/hwbs/{code}/plan"]["put"]["security"] == [{"bearerAuth": []}]
    assert "security" not in spec["paths"]["/api/v1/calculations"]["post"]
    body = spec["paths"]["/api/v1/hwbs/{code}/plan"]["put"]["requestBody"]["content"]["application/json"]
    name = body["schema"]["$ref"].rsplit("/", 1)[1]
    assert "hwb_code" not in spec["components"]["schemas"][name]["properties"]
