"""Benchmark of the pages and their charts: run on demand, never as a timed test.

    .venv/bin/python benchmarks/pages.py

- each chart of ``charts/`` drawn for 152 boards (the whole country), SVG text out, 7 runs;
- ``GET /reports/boards/{code}`` through Flask's test client: a stored determination (SQLite) read,
  laid out, its achievement chart drawn and the page rendered, 21 runs;
- ``GET /``: the index with its 152-row sortable table, 21 runs;
- ``GET /reports/national`` with all 152 boards determined (outturns spread about their ambitions):
  every stored determination read, the report built, its charts drawn (released and held back, a
  funnel and an achievement chart per metric and period) and the page rendered, by region and for
  England as one (a bar per board), median of 5 runs each.

Targets (issue 12): a chart of 152 points well under 100 ms (≤ 60 ms median); a board page ≤ 0.2 s;
the index ≤ 0.1 s; the national page of 152 boards ≤ 0.5 s. Prints the median, the best, and the
load average beside them.
"""

import copy
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "pages"))

from charts import achievement_chart, funnel_chart, stacked_bars, xmr_chart  # noqa: E402
from metrics import proportion_funnel, xmr  # noqa: E402

BOARDS = 152
CHART_TARGET_MS = 60.0
BOARD_PAGE_TARGET_MS = 200.0
INDEX_TARGET_MS = 100.0
NATIONAL_PAGE_TARGET_MS = 500.0


def timed(call, runs: int) -> tuple[float, float, float]:
    """Median and best wall-clock ms, and the median CPU ms (on a shared machine the CPU time is the
    steadier figure: it does not count the time other processes held the cores)."""
    call()  # warm up (imports, font cache, first-call caches)
    seconds, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(seconds) * 1000, min(seconds) * 1000, statistics.median(cpu) * 1000


def chart_cases() -> dict:
    rng = np.random.default_rng(12)
    names = [f"Board number {i}" for i in range(BOARDS)]
    denominator = rng.integers(300, 6000, BOARDS)
    numerator = rng.binomial(denominator, 0.82)
    funnel = proportion_funnel(numerator, denominator)
    achievement = rng.normal(0.9, 0.3, BOARDS)
    released = rng.integers(1_000_000, 9_000_000, BOARDS)
    held = rng.integers(0, 2_000_000, BOARDS)
    series = rng.normal(480, 25, BOARDS)
    spc = xmr(series, "lower", target=450)
    months = [f"month {i + 1}" for i in range(BOARDS)]
    return {
        "funnel_chart (152 boards)": lambda: funnel_chart(
            funnel, denominator, 100 * numerator / denominator, names, title="Reablement", chart_id="f",
            x_label="Discharges", y_label="% at home"),
        "achievement_chart (152 boards, ranked)": lambda: achievement_chart(
            names, achievement, threshold=0.7, title="Achievement", chart_id="a"),
        "stacked_bars (152 boards)": lambda: stacked_bars(names, released, held, title="By board",
                                                         chart_id="b"),
        "stacked_bars (9 regions)": lambda: stacked_bars(names[:9], released[:9], held[:9], title="By region",
                                                        chart_id="r"),
        "xmr_chart (152 values)": lambda: xmr_chart(spc, months, title="XmR", chart_id="x",
                                                    y_label="per 100,000"),
    }


def _served(folder: str, name: str):
    """An app on a fresh SQLite file in ``folder``, its tokens, and Hartlepool determined."""
    from pages_support import determine, make_tokens

    from api import create_app
    from storage import db

    url = f"sqlite:///{folder}/{name}.sqlite3"
    db.upgrade(url=url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "benchmark",
                      "ALLOCATIONS_FILE": f"{folder}/allocations.csv"})
    secrets = make_tokens(app)
    client = app.test_client()
    determine(client, secrets["a"])
    return app, client, secrets


def page_cases(folder: str) -> dict:
    from pages_support import HWB_A, bearer

    app, client, secrets = _served(folder, "bench")
    headers = copy.deepcopy(bearer(secrets["a"]))

    def board_page():
        response = client.get(f"/reports/boards/{HWB_A}", headers=headers)
        assert response.status_code == 200 and b"<svg " in response.data

    def index():
        response = client.get("/")
        assert response.status_code == 200 and response.data.count(b'href="/reports/boards/') == BOARDS

    return {"GET /reports/boards/{code} (determined)": (board_page, BOARD_PAGE_TARGET_MS, 21),
            "GET / (152-row table)": (index, INDEX_TARGET_MS, 21)}


def national_cases(folder: str) -> dict:
    """The national page over 152 stored determinations (pages_support's spread of outturns)."""
    from pages_support import HWB_A, bearer, determine_many

    app, client, secrets = _served(folder, "national")
    determine_many(app, client, [code for code in app.extensions["boards"] if code != HWB_A])
    headers = bearer(secrets["assurance"])

    def page(grouping: str):
        def call():
            response = client.get(f"/api/v1/reports/national?grouping={grouping}",
                                  headers={**headers, "Accept": "text/html"})
            assert response.status_code == 200 and response.data.count(b"<svg ") == 7
            assert b"Boards with no determination</dt><dd>0 " in response.data
        return call

    return {f"GET /reports/national?grouping={grouping} (152 boards determined)":
            (page(grouping), NATIONAL_PAGE_TARGET_MS, 5) for grouping in ("region", "national")}


def main() -> None:
    print(f"Pages and charts ({platform.python_version()}, {platform.machine()}, "
          f"load average {os.getloadavg()[0]:.2f})\n")
    print("| what | median ms | best ms | median CPU ms | target |")
    print("|---|---:|---:|---:|---|")
    for name, call in chart_cases().items():
        median, best, cpu = timed(call, 7)
        verdict = "ok" if median <= CHART_TARGET_MS else "SLOW"
        print(f"| {name} | {median:.1f} | {best:.1f} | {cpu:.1f} | ≤ {CHART_TARGET_MS:.0f} ms {verdict} |")
    with tempfile.TemporaryDirectory(prefix="bcf-bench-pages-") as folder:
        os.environ.setdefault("BCF_ALLOCATIONS_FILE", f"{folder}/allocations.csv")
        for name, (call, target, runs) in {**page_cases(folder), **national_cases(folder)}.items():
            median, best, cpu = timed(call, runs)
            verdict = "ok" if median <= target else "SLOW"
            print(f"| {name} | {median:.1f} | {best:.1f} | {cpu:.1f} | ≤ {target:.0f} ms {verdict} |")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
