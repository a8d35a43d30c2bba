from api import create_app


def test_config_defaults_and_override(tmp_path):
    assert not create_app().testing
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    assert app.testing
    assert app.config["DATABASE_URL"] == "sqlite://"


def test_an_operator_sets_settings_by_environment(tmp_path, monkeypatch):
    """BCF_NAME sets NAME (JSON where it parses, else text); the app's own test config still wins."""
    monkeypatch.setenv("BCF_STORAGE_RETRY_AFTER", "11")
    monkeypatch.setenv("BCF_TOKEN_FAILURE_LIMIT", "5 per minute")
    monkeypatch.setenv("BCF_RATELIMIT_ENABLED", "false")
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "RATELIMIT_ENABLED": True})
    assert app.config["STORAGE_RETRY_AFTER"] == 11
    assert app.config["TOKEN_FAILURE_LIMIT"] == "5 per minute"
    assert app.config["RATELIMIT_ENABLED"] is True
    monkeypatch.delenv("BCF_STORAGE_RETRY_AFTER")
    assert create_app({"TESTING": True, "DATABASE_URL": "sqlite://"}).config["STORAGE_RETRY_AFTER"] == 5


def test_health(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_unknown_path_is_problem_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404 and body["title"] == "Not Found" and body["type"] == "about:blank"


def test_wrong_method_is_problem_json_with_allow(client):
    response = client.delete("/api/v1/health")
    assert response.status_code == 405
    assert response.content_type == "application/problem+json"
    assert "GET" in response.headers["Allow"]


def test_crash_is_generic_problem_json(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.content_type == "application/problem+json"
    assert "secret" not in response.get_data(as_text=True)


def test_wsgi_exposes_app():
    import wsgi

    assert wsgi.app.name == "api"
