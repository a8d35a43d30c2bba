"""What the browser tests share: a real headless Chromium and an app served on loopback.

Chromium runs with its background networking off and a fresh profile, so every request a page makes
is one the page asked for. Outside CI a missing browser skips the test (``make test`` sets
``CHROMIUM``); in CI it is a failure, not a skip.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,900")


@contextmanager
def chromium(what: str) -> Iterator:
    """A selenium driver for headless Chromium, its console log kept (CSP refusals show there).

    :param what: what the test looks at, for the message when CI has no browser.
    """
    binary, chromedriver = os.environ.get("CHROMIUM"), os.environ.get("CHROMEDRIVER")
    if not binary:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but CHROMIUM is not set: {what} must be tested in a real browser")
        pytest.skip("CHROMIUM not set (make test sets it)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="bcf-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = binary
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(executable_path=chromedriver) if chromedriver else Service()
        driver = webdriver.Chrome(options=options, service=service)
        try:
            yield driver
        finally:
            driver.quit()


@contextmanager
def served(app) -> Iterator[str]:
    """``app`` served by werkzeug on 127.0.0.1 in a thread; yields its base address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
