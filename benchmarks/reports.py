"""The national report: all 152 boards determined, then reported as JSON and as an XLSX workbook.

Target (issue 12): 152 boards → XLSX ≤ 1 s (median of 5). The determinations are the batch
benchmark's (the template's first board copied to all 152 boards: nine metric-periods, six conditions,
a pool each), made once; what is timed is what ``GET /api/v1/reports/national`` does with them: build
the report (groups, board rows, funnels) and write it. Also timed: the same through the endpoint's
upload route (``POST``, through the test client), which determines the boards too.
Run: ``.venv/bin/python benchmarks/reports.py``; record figures in docs/performance.md.
"""

from __future__ import annotations

import gc
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api import create_app  # noqa: E402
from api.reports import upload_inputs  # noqa: E402
from benchmarks.batch import files  # noqa: E402
from reports import build_report  # noqa: E402
from sheets.report_writing import render_report  # noqa: E402
from sheets.writing import JSON_MIME, XLSX_MIME  # noqa: E402

RUNS = 5


def median_of(step) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bcf-bench-reports-"))
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
                      "ALLOCATIONS_FILE": str(folder / "allocations.csv")})  # every board has its pool
    gc.collect()
    gc.freeze()
    data = files()
    print(f"152 boards; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with app.app_context():
        calculator = app.extensions["calculator"]
        inputs = upload_inputs(data, calculator)
        boards, rule_sets, catalogue = calculator.boards, calculator.rule_sets, calculator.catalogue

        def report(grouping="region"):
            return build_report(inputs, boards, rule_sets, catalogue, grouping=grouping)

        built = report()
        from api.reports import NationalReportSchema

        dump = NationalReportSchema().dump
        steps = {
            "build the report (region; groups, boards, funnels)": report,
            "write JSON (schema dump + JSON text)": lambda: app.json.dumps(dump(built)),
            "write XLSX (8 sheets)": lambda: render_report(built, XLSX_MIME),
            "152 boards → JSON (build + write)": lambda: app.json.dumps(dump(report())),
            "152 boards → XLSX (build + write)": lambda: render_report(report(), XLSX_MIME),
        }
        for name, step in steps.items():
            step()
            median = median_of(step)
            verdict = " (target ≤ 1.0 s: " + ("met" if median <= 1.0 else "NOT met") + ")" \
                if "→ XLSX" in name else ""
            print(f"  {name:<58} median {median:.3f} s{verdict}")
        workbook, text = len(render_report(built, XLSX_MIME)), len(render_report(built, JSON_MIME))
        print(f"  workbook {workbook / 1024:.0f} KiB, JSON {text / 1024:.0f} KiB, "
              f"{len(built['funnels'])} funnels")

    # the same 152 determinations stored, then GET → XLSX and POST (upload) → XLSX through the test client
    from storage import db, determinations, tokens
    from storage.audit import Actor

    db.upgrade(engine=app.extensions["bcf_db"])
    with app.extensions["bcf_sessions"].begin() as session:
        actor = Actor(None, "bench")
        for code, entry in inputs.items():
            determinations.record(session, actor, code, plan_version=1, actuals_versions={},
                                  request=dict(entry.request), result=dict(entry.result))
        _, secret = tokens.create(session, actor, name="bench", role="assurance")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}", "Accept": XLSX_MIME}

    def get():
        response = client.get("/api/v1/reports/national?grouping=region", headers=headers)
        assert response.status_code == 200, response.get_data()[:300]

    def upload():
        form = {name: (io.BytesIO(content), f"{name}.csv") for name, content in data.items()}
        response = client.post("/api/v1/reports/national?grouping=region", data=form, headers=headers,
                               content_type="multipart/form-data")
        assert response.status_code == 200, response.get_data()[:300]

    for name, step in (("GET /api/v1/reports/national, 152 stored determinations → XLSX", get),
                       ("POST …/reports/national, 152 boards uploaded → XLSX (determined too)", upload)):
        step()
        print(f"  {name:<70} median {median_of(step):.3f} s")


if __name__ == "__main__":
    main()
