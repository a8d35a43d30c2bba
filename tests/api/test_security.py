"""Issue 15, security: headers on every answer, errors that give nothing away, a limit on failed token
attempts per client, and the upload size limit on every endpoint that takes a body."""

from __future__ import annotations

import importlib.metadata
import platform
import re

import pytest
from werkzeug.routing import Rule

from api import create_app
from api.errors import PROBLEM
from api.page_errors import is_page_path
from storage import db, tokens
from storage.audit import Actor

BOARD = "E06000001"
PATH_VALUES = {"code": BOARD, "period": "april-2015", "payment": "april-2015", "token_id": 1}
BODY_METHODS = {"POST", "PUT", "PATCH"}


def make_app(tmp_path, **settings):
    url = f"sqlite:///{tmp_path / 'bcf.sqlite3'}"
    db.upgrade(url=url)
    return create_app({"TESTING": True, "DATABASE_URL": url, "ALLOCATIONS_FILE": str(tmp_path / "none.csv"),
                       **settings})


def bearer(app, role: str = "admin", code: str | None = None) -> dict[str, str]:
    with app.extensions["bcf_sessions"].begin() as session:
        _, secret = tokens.create(session, Actor(None, "test"), name=f"{role} token", role=role,
                                  hwb_code=code)
    return {"Authorization": f"Bearer {secret}"}


def assert_security_headers(response) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";"))
    assert directives.get("script-src") == "'self'", csp
    assert directives.get("style-src") == "'self'", csp
    assert directives.get("frame-ancestors") == "'none'", csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "no-referrer"


# --- headers on every answer -------------------------------------------------------------------------

@pytest.fixture()
def app(tmp_path):
    return make_app(tmp_path)


@pytest.mark.parametrize("method, path, kwargs", [
    ("GET", "/api/v1/health", {}),
    ("GET", "/api/v1/docs", {}),  # the Swagger UI page
    ("GET", "/api/v1/docs/assets/swagger-ui-init.js", {}),
    ("GET", "/api/v1/openapi.json", {}),
    ("GET", f"/api/v1/hwbs/{BOARD}", {}),
    ("GET", "/api/v1/no-such-thing", {}),  # 404
    ("DELETE", "/api/v1/health", {}),  # 405
    ("POST", "/api/v1/calculations", {"json": {}}),  # 422
    ("POST", "/api/v1/calculations", {"data": "{", "content_type": "application/json"}),  # 400
    ("GET", "/api/v1/audit", {}),  # 401, a protected view
])
def test_every_answer_carries_the_security_headers(client, method, path, kwargs):
    with client.open(path, method=method, **kwargs) as response:  # closes a file sent as it is
        assert_security_headers(response)


def test_the_docs_page_has_no_inline_script(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert page.count("<script") == page.count("<script src=") == 3  # preset, bundle and our start-up file
    with client.get("/api/v1/docs/assets/swagger-ui-init.js") as init:
        assert init.status_code == 200 and "SwaggerUIBundle" in init.get_data(as_text=True)


# --- errors say nothing about the software ----------------------------------------------------------

def test_a_crash_answers_problem_json_without_traceback_path_or_version(tmp_path, caplog):
    app = make_app(tmp_path, TESTING=False)

    def boom():
        raise RuntimeError(f"secret detail from {__file__}")

    app.add_url_rule("/api/v1/boom", "boom", boom)
    response = app.test_client().get("/api/v1/boom")
    assert response.status_code == 500 and response.content_type == PROBLEM
    assert response.get_json()["detail"] == "An internal error occurred; it has been logged."
    assert_security_headers(response)
    leaks = ["Traceback", "RuntimeError", "secret detail", __file__, str(tmp_path), "/work", ".py",
             platform.python_version()] + [importlib.metadata.version(name) for name in
                                           ("flask", "werkzeug", "sqlalchemy", "flask-smorest")]
    text = response.get_data(as_text=True) + "".join(f"{k}: {v}\n" for k, v in response.headers.items())
    assert [leak for leak in leaks if leak in text] == []
    assert "secret detail" in caplog.text  # the operator still has it, in the log


@pytest.mark.parametrize("method, path, kwargs", [
    ("GET", "/api/v1/no-such-thing", {}),
    ("GET", "/api/v1/hwbs/E99999999", {}),
    ("POST", "/api/v1/calculations", {"data": "{\"hwb_code\": ", "content_type": "application/json"}),
    ("POST", "/api/v1/calculations", {"json": {"hwb_code": BOARD, "metrics": [{"metric": "nope"}]}}),
    ("GET", "/api/v1/audit", {"headers": {"Authorization": "Bearer wrong"}}),
])
def test_error_answers_name_no_file_or_version(tmp_path, method, path, kwargs):
    app = make_app(tmp_path, TESTING=False)
    response = app.test_client().open(path, method=method, **kwargs)
    assert response.status_code >= 400 and response.content_type == PROBLEM
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and str(tmp_path) not in text and "/work" not in text
    assert platform.python_version() not in text and importlib.metadata.version("flask") not in text


# --- the upload size limit on every endpoint that takes a body ---------------------------------------

class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *_args):
        raise AssertionError("the body was read")

    readline = read


def body_rules(app) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.methods & BODY_METHODS]


def test_every_body_endpoint_answers_413_before_reading_the_body(tmp_path):
    app = make_app(tmp_path, MAX_CONTENT_LENGTH=1000)
    rules = body_rules(app)
    assert len(rules) >= 15  # calculations, uploads, plans, actuals, workflow, tokens …
    client = app.test_client()
    answers = {}
    with app.test_request_context():
        for rule in rules:
            for method in sorted(rule.methods & BODY_METHODS):
                values = {name: PATH_VALUES[name] for name in rule.arguments}
                url = app.url_map.bind("localhost").build(rule.endpoint, values, method=method)
                unreadable = {"wsgi.input": UnreadableBody(), "CONTENT_LENGTH": "1001"}
                response = client.open(url, method=method, content_type="application/json",
                                       environ_overrides=unreadable)
                answers[f"{method} {url}"] = (response.status_code, response.content_type)
    # the API's answer problem+json; the sign-in and sign-out forms are pages: an HTML page
    expected = {key: (413, "text/html; charset=utf-8" if is_page_path(key.split(" ")[1]) else PROBLEM)
                for key in answers}
    assert {key for key in answers if is_page_path(key.split(" ")[1])} == {"POST /sign-in", "POST /sign-out"}
    assert answers == expected


def test_a_body_within_the_limit_is_read(tmp_path):
    app = make_app(tmp_path, MAX_CONTENT_LENGTH=1000)
    response = app.test_client().post("/api/v1/calculations", json={"padding": "x" * 900})
    assert response.status_code == 422  # read and validated, not refused for its size


# --- failed token attempts per client ---------------------------------------------------------------

def test_failed_token_attempts_are_limited_per_client(tmp_path):
    app = make_app(tmp_path, TOKEN_FAILURE_LIMIT="3 per minute")
    good = bearer(app)
    client = app.test_client()
    for _ in range(5):  # answered requests with a good token are not failures
        assert client.get("/api/v1/audit", headers=good).status_code == 200
    for _ in range(3):
        assert client.get("/api/v1/audit", headers={"Authorization": "Bearer guess"}).status_code == 401
    refused = client.get("/api/v1/audit", headers={"Authorization": "Bearer guess"})
    assert refused.status_code == 429 and refused.content_type == PROBLEM
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.get_json()["type"] == "/api/v1/problems/too-many-token-failures"
    assert_security_headers(refused)
    assert client.get("/api/v1/audit", headers=good).status_code == 429  # this client waits, whatever it has
    # requests without a token (the open calculator) are neither counted nor refused
    assert client.get("/api/v1/health").status_code == 200
    assert client.get(f"/api/v1/hwbs/{BOARD}").status_code == 200
    # another client address is counted on its own
    other = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.get("/api/v1/audit", headers=good, environ_base=other).status_code == 200
    wrong = {"Authorization": "Bearer x"}
    assert client.get("/api/v1/audit", headers=wrong, environ_base=other).status_code == 401


def sign_in_form(client, secret: str, environ_base: dict | None = None):
    """POST the sign-in form as a browser does: its anti-forgery value first, then the token."""
    where = {"environ_base": environ_base} if environ_base else {}
    page = client.get("/sign-in", **where).get_data(as_text=True)
    key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)
    return client.post("/sign-in", data={"token": secret, "form_key": key}, **where)


def test_wrong_tokens_typed_into_the_sign_in_form_are_limited(tmp_path):
    app = make_app(tmp_path, TOKEN_FAILURE_LIMIT="3 per minute", SECRET_KEY="test only")
    good = bearer(app)["Authorization"].removeprefix("Bearer ")
    client = app.test_client()
    assert [sign_in_form(client, "guess").status_code for _ in range(3)] == [401, 401, 401]
    refused = sign_in_form(client, good)  # past the limit even a good token is not looked at
    assert (refused.status_code, refused.mimetype) == (429, "text/html")
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert f"try again in {wait} seconds." in refused.get_data(as_text=True)
    assert_security_headers(refused)
    assert client.get("/reports/national").status_code == 303  # not signed in: to the sign-in page
    # the form itself is still shown (a GET offers no token), and another address is counted on its own
    assert client.get("/sign-in").status_code == 200
    assert sign_in_form(client, good, environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 303


def test_the_form_and_the_header_share_one_counter(tmp_path):
    app = make_app(tmp_path, TOKEN_FAILURE_LIMIT="3 per minute", SECRET_KEY="test only")
    client = app.test_client()
    wrong = {"Authorization": "Bearer guess"}
    assert client.get("/api/v1/audit", headers=wrong).status_code == 401
    assert client.get("/api/v1/audit", headers=wrong).status_code == 401
    assert sign_in_form(client, "guess").status_code == 401
    assert sign_in_form(client, "guess").status_code == 429  # blocked on the API: blocked on the form
    refused = client.get("/api/v1/audit", headers=bearer(app))  # and the form's failure counted there
    assert (refused.status_code, refused.content_type) == (429, PROBLEM)


def test_the_failed_token_limit_can_be_switched_off(tmp_path):
    app = make_app(tmp_path, TOKEN_FAILURE_LIMIT="2 per minute", RATELIMIT_ENABLED=False)
    client = app.test_client()
    statuses = {client.get("/api/v1/audit", headers={"Authorization": "Bearer guess"}).status_code
                for _ in range(6)}
    assert statuses == {401}
