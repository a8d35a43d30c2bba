"""The docs page in a real headless Chromium: Swagger UI renders every operation with no internet.

The app is served by werkzeug's ``make_server`` on 127.0.0.1 in a thread; Chromium runs with its
background networking off and a fresh profile, and every resource the page loaded must come from
that server. The page runs under the Content-Security-Policy every answer carries (api/security.py):
the console must show no refusal. Skipped only outside CI when ``CHROMIUM`` is unset (``make test``
sets it); in CI a missing browser is a failure, not a skip.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from api import create_app
from tests.browser_support import chromium, served

pytestmark = pytest.mark.browser

OPERATIONS = {("post", "/api/v1/calculations"), ("post", "/api/v1/ambitions"), ("get", "/api/v1/hwbs"),
              ("get", "/api/v1/hwbs/{code}"), ("get", "/api/v1/metrics"), ("get", "/api/v1/rule-sets"),
              ("get", "/api/v1/rule-sets/{rule_set_id}"), ("get", "/api/v1/health")}


@pytest.fixture()
def live_server(tmp_path):
    with served(create_app({"TESTING": True, "ALLOCATIONS_FILE": str(tmp_path / "allocations.csv")})) as base:
        yield base


@pytest.fixture()
def browser():
    with chromium("the docs page") as driver:
        yield driver


def test_swagger_ui_renders_every_operation_offline(live_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{live_server}/api/v1/docs")
    WebDriverWait(browser, 30).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) >= len(OPERATIONS))
    rendered = {
        (block.find_element(By.CSS_SELECTOR, ".opblock-summary-method").text.lower(),
         block.find_element(By.CSS_SELECTOR, ".opblock-summary-path").get_attribute("data-path"))
        for block in browser.find_elements(By.CSS_SELECTOR, ".opblock")
    }
    assert rendered >= OPERATIONS
    assert "BCF payment-for-performance service" in browser.find_element(By.CSS_SELECTOR, ".info .title").text
    assert not browser.find_elements(By.CSS_SELECTOR, ".errors-wrapper")  # Swagger UI parsed the spec

    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })")
    assert any(url.endswith("/api/v1/openapi.json") for url in loaded)
    assert {urlsplit(url).netloc for url in loaded} == {urlsplit(live_server).netloc}
    # the page works under the service's Content-Security-Policy (no inline script or style): nothing refused
    refused = [entry["message"] for entry in browser.get_log("browser")
               if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]]
    assert refused == []
