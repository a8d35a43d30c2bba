"""The pages in a real headless Chromium: they load with no console error and no request to another
host, every chart is a drawn SVG, a table sorts on click, axe-core finds nothing serious or critical,
and a full-page screenshot of each is kept in ``tests/artefacts/`` (git-ignored) for a person to look at.

The harness is the docs page's (tests/api/test_docs_browser.py): werkzeug's server on 127.0.0.1 in a
thread, Chromium with background networking off and a fresh profile; skipped only outside CI when
``CHROMIUM`` is unset. axe-core comes from the npm registry (``npm pack``), once, into pytest's cache.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pages_support import HWB_A, HWB_B, HWB_C, PLAN_SPC, determine, determine_many, make_tokens

from api import create_app
from storage import db
from tests.browser_support import chromium
from tests.browser_support import served as serving

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parent.parent / "artefacts"
AXE_PACKAGE = "axe-core@4"
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="session")
def axe_source(pytestconfig) -> str:
    """axe.min.js from the npm registry, fetched once into pytest's cache and reused."""
    cache = Path(pytestconfig.cache.mkdir("axe-core"))
    script = cache / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to fetch axe-core for the accessibility check")
        with tempfile.TemporaryDirectory() as work:
            subprocess.run([npm, "pack", AXE_PACKAGE, "--silent", "--pack-destination", work], check=True,
                           capture_output=True, timeout=300)
            (tarball,) = Path(work).glob("axe-core-*.tgz")
            with tarfile.open(tarball) as archive:
                member = archive.extractfile("package/axe.min.js")
                assert member is not None
                script.write_bytes(member.read())
    return script.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A served app with Hartlepool determined and Middlesbrough not, Redcar and Cleveland with a monthly
    series, 40 more boards with outturns spread as boards' are (the national page), and the secrets."""
    folder = tmp_path_factory.mktemp("pages-browser")
    url = f"sqlite:///{folder / 'pages.sqlite3'}"
    db.upgrade(url=url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "browser test",
                      "ALLOCATIONS_FILE": str(folder / "allocations.csv")})
    secrets = make_tokens(app)
    client = app.test_client()
    determine(client, secrets["a"])
    determine(client, secrets["c"], code=HWB_C, plan_body=PLAN_SPC)
    others = [code for code in app.extensions["boards"] if code not in (HWB_A, HWB_B, HWB_C)]
    determine_many(app, client, others[:40])
    try:
        with serving(app) as base:
            yield base, secrets, app
    finally:
        app.extensions["bcf_db"].dispose()


@pytest.fixture(scope="module")
def site(served):
    """The served site's address and the tokens' secrets."""
    return served[0], served[1]


@pytest.fixture()
def browser():
    with chromium("the pages") as driver:
        driver.set_script_timeout(60)
        yield driver


def sign_in(browser, base: str, secret: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{base}/sign-in")
    browser.find_element(By.ID, "token").send_keys(secret)
    browser.find_element(By.CSS_SELECTOR, "form.sign-in button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: urlsplit(d.current_url).path == "/")


def check_page(browser, base: str, axe_source: str, name: str, served: bool = True) -> None:
    """What every page must do: no console error (a CSP refusal is one), no other host, axe clean;
    then the screenshot. ``served=False``: a file opened from disk, which must fetch nothing at all."""
    errors = [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })")
    if served:
        assert {urlsplit(url).netloc for url in loaded} <= {urlsplit(base).netloc}
        assert any(url.endswith("/static/pages.css") for url in loaded)  # the styles did load
    else:
        assert loaded == []

    browser.execute_script(axe_source)
    violations = browser.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document).then(function (r) { done(r.violations.map(function (v) {"
        "  return {id: v.id, impact: v.impact, help: v.help,"
        "          nodes: v.nodes.map(function (n) { return n.target.join(' '); }).slice(0, 5)}; })); },"
        "  function (e) { done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]); });")
    assert [v for v in violations if v["impact"] in SERIOUS] == []

    ARTEFACTS.mkdir(exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(max(height, 600), 12000))
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(ARTEFACTS / f"{name}.png"))
    browser.set_window_size(1280, 900)


def charts_drawn(browser) -> list[dict]:
    return browser.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('svg.chart'), function (svg) {"
        "  var box = svg.getBoundingClientRect();"
        "  return {id: svg.id, width: box.width, height: box.height,"
        "          shapes: svg.querySelectorAll('path, use, text').length,"
        "          title: (svg.querySelector('title') || {}).textContent,"
        "          next: svg.closest('figure').nextElementSibling.tagName}; })")


def column(browser, table_css: str, index: int) -> list[str]:
    from selenium.webdriver.common.by import By

    rows = browser.find_elements(By.CSS_SELECTOR, f"{table_css} tbody tr")
    return [row.find_elements(By.TAG_NAME, "td")[index].text for row in rows]


def test_index_page(site, browser, axe_source):
    from selenium.webdriver.common.by import By

    base, _ = site
    browser.get(f"{base}/")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Better Care Fund payment for performance")
    links = {a.get_attribute("href").removeprefix(base) for a in browser.find_elements(By.CSS_SELECTOR, "a")}
    assert {"/api/v1/docs", "/api/v1/openapi.json", "/reports/national", "/api/v1/templates/metrics.csv",
            "/api/v1/templates/conditions.csv", "/api/v1/templates/pools.csv",
            f"/reports/boards/{HWB_A}"} <= links

    names = column(browser, "table.sortable", 0)
    assert len(names) == 152 and names == sorted(names)
    heading = browser.find_element(By.CSS_SELECTOR, "table.sortable thead th:nth-child(2)")
    heading.find_element(By.TAG_NAME, "button").click()
    codes = column(browser, "table.sortable", 1)
    assert codes == sorted(codes) and heading.get_attribute("aria-sort") == "ascending"
    heading.find_element(By.TAG_NAME, "button").click()
    assert column(browser, "table.sortable", 1) == sorted(codes, reverse=True)
    assert heading.get_attribute("aria-sort") == "descending"
    check_page(browser, base, axe_source, "index")


def test_board_page_explains_the_determination(site, browser, axe_source):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base, secrets = site
    sign_in(browser, base, secrets["a"])
    browser.get(f"{base}/reports/boards/{HWB_A}")
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "Hartlepool: payment for performance" in text
    assert "£1,000,000.00" in text and "£83,333.33" in text and "A recovery plan is required" in text

    drawn = charts_drawn(browser)
    assert [c["id"] for c in drawn] == ["achievement"]
    assert all(c["width"] > 300 and c["height"] > 100 and c["shapes"] > 10 for c in drawn), drawn
    assert drawn[0]["next"] == "TABLE"  # every chart followed by its data

    # sort the metrics by achievement: pressed with the keyboard, as a keyboard user would
    heading = browser.find_element(By.CSS_SELECTOR, "#metrics-table thead th:nth-child(6)")
    heading.find_element(By.TAG_NAME, "button").send_keys(Keys.ENTER)
    achievements = [float(v.rstrip("%").replace("−", "-").replace(",", ""))
                    for v in column(browser, "#metrics-table", 5)]
    assert achievements == sorted(achievements) and len(achievements) == 3
    check_page(browser, base, axe_source, "board")

    # as printed for the Health and Wellbeing Board: no navigation or sort buttons' arrows, the chart kept
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    hidden = browser.execute_script(
        "return getComputedStyle(document.querySelector('.account')).display")
    assert hidden == "none" and charts_drawn(browser)[0]["width"] > 300
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1123, min(height, 12000))  # A4 landscape at 96 dpi
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(ARTEFACTS / "board-print.png"))


def test_board_page_with_no_determination(site, browser, axe_source):
    from selenium.webdriver.common.by import By

    base, secrets = site
    sign_in(browser, base, secrets["assurance"])
    browser.get(f"{base}/reports/boards/{HWB_B}")
    assert "No determination yet" in browser.find_element(By.TAG_NAME, "main").text
    check_page(browser, base, axe_source, "board-no-determination")


def test_sign_in_page(site, browser, axe_source):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, _ = site
    browser.get(f"{base}/reports/boards/{HWB_A}")  # not signed in: to the sign-in page and back
    assert urlsplit(browser.current_url).path == "/sign-in"
    browser.find_element(By.ID, "token").send_keys("not a token")
    browser.find_element(By.CSS_SELECTOR, "form.sign-in button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"))
    assert "The token was not accepted" in browser.find_element(By.TAG_NAME, "main").text
    browser.get_log("browser")  # the 401 of the refused sign-in is logged by Chromium as a failed load
    check_page(browser, base, axe_source, "sign-in")


@pytest.mark.parametrize("grouping", ["region", "national", "area_team"])
def test_national_page(site, browser, axe_source, grouping):
    from selenium.webdriver.common.by import By

    base, secrets = site
    sign_in(browser, base, secrets["assurance"])
    browser.get(f"{base}/reports/national?grouping={grouping}")
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "the national picture" in text
    headline = browser.find_element(By.CSS_SELECTOR, ".figures").text
    assert "Boards with no determination\n110" in headline, headline

    drawn = charts_drawn(browser)
    assert drawn[0]["id"] == "released-held-back" and len(drawn) == 7  # bars, 3 funnels, 3 achievement
    assert all(c["width"] > 300 and c["height"] > 100 and c["shapes"] > 10 for c in drawn), drawn
    assert all(c["next"] == "DETAILS" for c in drawn)  # every chart followed by its data

    names = column(browser, "#boards-table", 0)
    status = dict(zip(names, column(browser, "#boards-table", 3 if grouping != "national" else 2),
                      strict=True))
    assert len(status) == 152 and status["Middlesbrough"] == "No determination"
    released_column = 7 if grouping != "national" else 6
    heading = browser.find_element(By.CSS_SELECTOR,
                                   f"#boards-table thead th:nth-child({released_column + 1})")
    heading.find_element(By.TAG_NAME, "button").click()
    heading.find_element(By.TAG_NAME, "button").click()  # descending: the most released first
    released = [float(v.replace("£", "").replace(",", "")) for v in column(browser, "#boards-table",
                                                                           released_column) if v != "—"]
    assert len(released) == 42 and released == sorted(released, reverse=True)
    assert column(browser, "#boards-table", released_column)[-1] == "—"  # no determination: last
    check_page(browser, base, axe_source, f"national-{grouping}")


def test_board_page_with_monthly_series_and_both_schemes(site, browser, axe_source):
    from selenium.webdriver.common.by import By

    base, secrets = site
    sign_in(browser, base, secrets["assurance"])
    browser.get(f"{base}/reports/boards/{HWB_C}")
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "Month by month" in text and "Under the July 2014 revised scheme" in text
    assert "(the money was determined under this one)" in text
    drawn = charts_drawn(browser)
    assert [c["id"] for c in drawn] == ["achievement", "xmr-1"]
    assert all(c["width"] > 300 and c["height"] > 100 and c["shapes"] > 10 for c in drawn), drawn
    assert all(c["next"] == "TABLE" for c in drawn)
    check_page(browser, base, axe_source, "board-spc")


def test_the_report_file_works_opened_from_disk(served, browser, axe_source, tmp_path):
    from selenium.webdriver.common.by import By

    _, _, app = served
    out = tmp_path / "report.html"
    result = app.test_cli_runner().invoke(args=["bcf", "report", "national", "--grouping", "region",
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    browser.get(out.as_uri())
    drawn = charts_drawn(browser)
    assert len(drawn) == 7 and all(c["width"] > 300 and c["shapes"] > 10 for c in drawn), drawn
    heading = browser.find_element(By.CSS_SELECTOR, "#groups-table thead th:nth-child(1)")
    heading.find_element(By.TAG_NAME, "button").click()
    heading.find_element(By.TAG_NAME, "button").click()
    groups = [row.find_element(By.TAG_NAME, "th").text  # a group's name is its row's heading
              for row in browser.find_elements(By.CSS_SELECTOR, "#groups-table tbody tr")]
    assert len(groups) == 9 and groups == sorted(groups, reverse=True)  # the script is in the file
    assert heading.get_attribute("aria-sort") == "descending"
    check_page(browser, out.as_uri(), axe_source, "national-file", served=False)
