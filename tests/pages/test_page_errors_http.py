"""A page path's errors are HTML pages with the API's status codes and headers, wherever they arise: no
route, no ``<board:>`` code, the size check and the failed-token limit before any view (review of the
pages). The API's paths, and a client on a page path that asks for JSON alone, keep problem+json."""

from __future__ import annotations

import re

import pytest
from pages_support import HWB_A, bearer
from test_pages_http import sign_in

from api import create_app
from api.errors import PROBLEM

UNMATCHED = ["/reports/boards/x", "/reports/boards/e06000001", "/reports/boards/",
             f"/reports/boards/{HWB_A}/x", "/reports/nothing", "/reports"]


def heading(response) -> str:
    return re.search(r"<h1>(.*?)</h1>", response.get_data(as_text=True), re.S).group(1).strip()


@pytest.mark.parametrize("path", UNMATCHED)
def test_a_page_path_that_matches_no_page_is_a_404_page(client, path):
    response = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert (response.status_code, response.mimetype) == (404, "text/html")
    assert heading(response) == "Not Found"
    assert "There is no such page" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", UNMATCHED[:2])
def test_a_client_asking_for_json_alone_keeps_problem_json(client, path):
    response = client.get(path, headers={"Accept": "application/json"})
    assert (response.status_code, response.content_type) == (404, PROBLEM)


def test_the_api_paths_keep_problem_json(client):
    for path in ("/api/v1/nothing", "/api/v1/hwbs/x", "/api/v1/reports/nothing"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert (response.status_code, response.content_type) == (404, PROBLEM), path


def test_an_11_mb_sign_in_is_a_413_page(client):
    response = client.post("/sign-in", data={"token": "x" * (11 * 1024 * 1024)})
    assert (response.status_code, response.mimetype) == (413, "text/html")
    assert heading(response) == "Request Entity Too Large"
    assert "larger than this service accepts (10,485,760 bytes)." in response.get_data(as_text=True)


def test_a_forged_sign_out_is_a_400_page(client):
    response = client.post("/sign-out", data={"form_key": "guessed"})
    assert (response.status_code, response.mimetype) == (400, "text/html")
    assert "The form had expired; sign out again." in response.get_data(as_text=True)


def test_a_wrong_method_on_a_page_is_a_405_page_naming_the_allowed_ones(client):
    response = client.put("/sign-in")
    assert (response.status_code, response.mimetype) == (405, "text/html")
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_the_national_page_past_the_failed_token_limit_is_a_429_page(tmp_path):
    from storage import db

    url = f"sqlite:///{tmp_path / 'limit.sqlite3'}"
    db.upgrade(url=url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test only",
                      "ALLOCATIONS_FILE": str(tmp_path / "none.csv"), "TOKEN_FAILURE_LIMIT": "2 per minute"})
    client = app.test_client()
    wrong = bearer("guessed")
    assert [client.get("/reports/national", headers=wrong).status_code for _ in range(2)] == [401, 401]
    refused = client.get("/reports/national", headers=wrong)
    assert (refused.status_code, refused.mimetype) == (429, "text/html")
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert f"try again in {wait} seconds." in refused.get_data(as_text=True)
    app.extensions["bcf_db"].dispose()


def test_the_400_page_ends_its_sentence_once(client, secrets):
    sign_in(client, secrets["assurance"])
    page = client.get("/reports/national?grouping=county&tranche=may-2015")
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert ".." not in text
    assert re.search(r"The report cannot be shown: grouping: Must be one of: [a-z_, ]+area_team; "
                     r"tranche: Must be one of: [^<.]+[^.]\.</p>", text), text


@pytest.mark.parametrize("path, mimetype", [("/reports/national", "text/html"),
                                            ("/api/v1/hwbs/E06000001/plan", PROBLEM)])
def test_storage_unavailable_is_a_page_on_a_page_path(app, path, mimetype):
    """503 while the storage is away: the error page for a person, problem+json for the API; same wait."""
    import sqlite3

    from sqlalchemy import exc as sa_exc

    from api.database import storage_unavailable

    cause = sqlite3.OperationalError("attempt to write a readonly database")
    error = sa_exc.OperationalError("UPDATE", {}, cause)
    with app.test_request_context(path, headers={"Accept": "text/html,*/*;q=0.8"}):
        response = storage_unavailable(error)
    assert (response.status_code, response.mimetype) == (503, mimetype)
    assert response.headers["Retry-After"] == str(app.config["STORAGE_RETRY_AFTER"])
