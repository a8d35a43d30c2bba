"""The pages through Flask's test client: who may read what, the sign-in session, what a board page says."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from pages_support import HWB_A, HWB_B, bearer, determine

from api import create_app
from api.page_setup import KEY_FILE, percent, pounds, status, when
from api.security import CONTENT_SECURITY_POLICY as CSP
from bcf.money import stored_money as money
from storage import tokens


def form_key(client, path="/sign-in") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="form_key" value="([^"]+)"', page).group(1)


def sign_in(client, secret: str, next_page: str | None = None):
    data = {"token": secret, "form_key": form_key(client)}
    if next_page is not None:
        data["next"] = next_page
    return client.post("/sign-in", data=data)


def main(response) -> str:
    page = response.get_data(as_text=True)
    return page[page.index("<main"):page.index("</main>")]


def no_inline_script_or_style(page: str) -> None:
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert " style=" not in page and "<style" not in page


@pytest.mark.parametrize("path", ["/", "/api/v1"])
def test_index_links_everything(client, path):
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == CSP
    page = response.get_data(as_text=True)
    for link in ("/api/v1/docs", "/api/v1/openapi.json", "/reports/national", "/api/v1/reports/national",
                 "/api/v1/templates/metrics.csv", "/api/v1/templates/conditions.csv",
                 "/api/v1/templates/pools.csv", f"/reports/boards/{HWB_A}", "/sign-in"):
        assert f'href="{link}' in page, link
    assert page.count('href="/reports/boards/') == 152
    no_inline_script_or_style(page)
    for link in re.findall(r'(?:href|src)="(/[^"]*)"', page):
        # the national report may 404 until it lands; the board pages need a sign-in
        if not link.startswith(("/reports/", "/api/v1/reports/", "/sign-in")):
            with client.get(link) as linked:
                assert linked.status_code == 200, link


def test_api_root_answers_json_to_a_client_asking_for_json(client):
    response = client.get("/api/v1", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    links = response.get_json()
    assert links["docs"] == "/api/v1/docs" and links["openapi"] == "/api/v1/openapi.json"
    assert links["template_pools"] == "/api/v1/templates/pools.csv"


def test_a_signed_in_hwb_sees_only_its_own_board_in_the_index(client, secrets):
    page = client.get("/", headers=bearer(secrets["a"])).get_data(as_text=True)
    assert re.findall(r'href="/reports/boards/(E\d{8})"', page) == [HWB_A]
    assert "Signed in as a token (hwb, E06000001)" in page


def test_board_page_needs_a_sign_in(client):
    response = client.get(f"/reports/boards/{HWB_A}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/sign-in?next=/reports/boards/{HWB_A}"


def test_board_page_roles_are_the_apis(client, secrets):
    assert client.get(f"/reports/boards/{HWB_A}", headers=bearer(secrets["a"])).status_code == 200
    assert client.get(f"/reports/boards/{HWB_A}", headers=bearer(secrets["assurance"])).status_code == 200
    other = client.get(f"/reports/boards/{HWB_A}", headers=bearer(secrets["b"]))
    unknown = client.get("/reports/boards/E09999999", headers=bearer(secrets["assurance"]))
    assert other.status_code == unknown.status_code == 404  # another board's page is as if it did not exist
    assert main(other) == main(unknown) and other.mimetype == "text/html"
    admin = client.get(f"/reports/boards/{HWB_A}", headers=bearer(secrets["admin"]))
    assert admin.status_code == 403
    assert "An admin token may not read this page" in admin.get_data(as_text=True)
    bad = client.get(f"/reports/boards/{HWB_A}", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401 and 'error="invalid_token"' in bad.headers["WWW-Authenticate"]
    assert "The token is unknown or has been revoked." in bad.get_data(as_text=True)


def test_board_with_no_determination_says_so(client, secrets):
    response = client.get(f"/reports/boards/{HWB_B}", headers=bearer(secrets["b"]))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "No determination yet" in page and "Middlesbrough" in page
    assert response.headers["Cache-Control"] == "no-store"


def test_board_page_explains_every_figure_of_the_stored_determination(client, secrets):
    stored = determine(client, secrets["a"])
    result = stored["result"]
    response = client.get(f"/reports/boards/{HWB_A}", headers=bearer(secrets["a"]))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    no_inline_script_or_style(page)
    text = re.sub(r"\s+", " ", html.unescape(re.sub("<[^>]+>", " ", page))).replace(" ,", ",")

    # headline first: the pool and what each payment released
    headline = text[:text.index("The money, tranche by tranche")]  # the headline comes first
    assert "£1,000,000.00" in headline and "£83,333.33" in headline and "£916,666.67" in headline
    assert "A recovery plan is required" in headline
    assert f"Determination {stored['id']} under Better Care Fund 2015/16 payment for performance" in text

    # every tranche, every line's pennies and the sentence that explains it
    for tranche in result["tranches"]:
        assert tranche["explanation"] in text
        for line in tranche["lines"]:
            assert line["explanation"] in text
            assert pounds(line["available"]) in text
    # every metric: baseline, plan, actual with intervals, achievement, and its explanation
    for metric in result["metrics"]:
        assert metric["explanation"] in text and metric["name"] in text
        places = 2 if metric["type"] == "proportion" else 1
        for block in ("baseline", "actual"):
            figures = [f"{metric[block][key]:,.{places}f}" for key in ("value", "ci_lower", "ci_upper")]
            assert f"{figures[0]} ({figures[1]} to {figures[2]})" in text.replace("( ", "(")
        assert percent(metric["achievement"], 1) in text
    for condition in result["conditions"]:
        assert condition["explanation"] in text
    assert result["warnings"][0]["message"] in text

    # the achievement chart, followed by its data table
    chart = page.index('<svg ')
    assert 'role="img"' in page[chart:chart + 400] and "<desc" in page
    assert page.index('id="metrics-table"') > page.index("</figure>") > chart


def test_board_page_shows_the_recovery_plan_state_from_the_workflow(client, secrets):
    determine(client, secrets["a"])
    page = client.get(f"/reports/boards/{HWB_A}", headers=bearer(secrets["a"])).get_data(as_text=True)
    assert "Recovery plan for the October 2015 payment: required." in page
    assert "Held back for: recovery plan" in page


def test_sign_in_keeps_the_token_in_a_strict_http_only_session(client, secrets):
    response = sign_in(client, secrets["a"], next_page=f"/reports/boards/{HWB_A}")
    assert response.status_code == 303 and response.headers["Location"] == f"/reports/boards/{HWB_A}"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get(f"/reports/boards/{HWB_A}").status_code == 200  # no header: the session
    assert client.get(f"/reports/boards/{HWB_B}").status_code == 404

    key = form_key(client, "/")
    assert client.post("/sign-out", data={"form_key": key}).status_code == 303
    assert client.get(f"/reports/boards/{HWB_A}").status_code == 303  # signed out


def test_the_session_keeps_the_tokens_id_never_its_secret(client, secrets):
    """A leaked cookie must be no key to the API: it holds the token's id, signed, and not the secret."""
    response = sign_in(client, secrets["a"])
    value = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    app = client.application
    kept = app.session_interface.get_signing_serializer(app).loads(value)
    with app.app_context():
        token_id = tokens.authenticate(app.extensions["bcf_sessions"](), secrets["a"]).id
    assert kept["token"] == token_id
    assert secrets["a"] not in repr(kept) and tokens.hash_secret(secrets["a"]) not in repr(kept)


def test_sign_in_refuses_bad_tokens_and_forged_forms(client, secrets):
    refused = sign_in(client, "not-a-token")
    assert refused.status_code == 401
    assert "The token is unknown or has been revoked." in refused.get_data(as_text=True)
    forged = client.post("/sign-in", data={"token": secrets["a"], "form_key": "guessed"})
    assert forged.status_code == 400  # and it signed no one in:
    assert client.get(f"/reports/boards/{HWB_A}").status_code == 303
    assert client.post("/sign-out", data={"form_key": "guessed"}).status_code == 400


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "javascript:alert(1)"])
def test_sign_in_goes_back_only_to_this_site(client, secrets, target):
    response = sign_in(client, f"Bearer {secrets['a']}", next_page=target)  # pasted with its scheme
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_a_revoked_token_signs_the_person_out(app, client, secrets):
    sign_in(client, secrets["a"])
    with app.extensions["bcf_sessions"].begin() as session:
        tokens.lookup(session, secrets["a"]).revoked_at = tokens.utcnow()
    assert client.get(f"/reports/boards/{HWB_A}").status_code == 303


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("BCF_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                "ALLOCATIONS_FILE": str(tmp_path / "allocations.csv")}
    first = create_app(settings)
    second = create_app(settings)
    key_file = tmp_path / "instance" / KEY_FILE
    assert key_file.exists() and (key_file.stat().st_mode & 0o777) == 0o600
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) == 64
    assert first.config["SESSION_COOKIE_SECURE"] is True  # not testing, not debugging: HTTPS only
    monkeypatch.setenv("SECRET_KEY", "from the environment")
    assert create_app(settings).secret_key == "from the environment"


def test_filters():
    assert pounds(1234567.8) == "£1,234,567.80" and pounds("83333.33") == "£83,333.33"
    assert pounds(-5) == "−£5.00" and pounds(None) == "—"
    assert money(0.1) == Decimal("0.10") and money(83333.33) == Decimal("83333.33")
    assert percent(0.7) == "70%" and percent(-1.965409, 1) == "−196.5%"
    assert when("2026-12-04T02:49:34.979290Z") == "4 December 2026, 02:49 UTC"
    assert status("unassessable") == "Cannot be assessed" and status("not_assessed") == "Not assessed"


def test_one_policy_for_pages_docs_and_static_files(client):
    """Pages, Swagger UI (its start-up script is a file) and static files share api/security.py's policy."""
    assert client.get("/api/v1/docs").headers["Content-Security-Policy"] == CSP
    with client.get("/static/sortable.js") as script:
        assert script.headers["Content-Security-Policy"] == CSP and script.mimetype == "text/javascript"
