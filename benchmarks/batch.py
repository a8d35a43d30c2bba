"""Spreadsheet batch: all 152 boards uploaded as CSV through the app's test client.

Targets (issue 6): CSV results ≤ 0.3 s end to end, XLSX ≤ 1 s (median of 5). Each board has every
metric-period of the 2015/16 rule set (9: rules §4 pays no more), all six conditions and a pool.
Run: ``.venv/bin/python benchmarks/batch.py [--profile]``; record figures in docs/performance.md.
"""

from __future__ import annotations

import csv
import gc
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api import create_app  # noqa: E402
from sheets.writing import CSV_MIME, JSON_MIME, XLSX_MIME  # noqa: E402

RUNS = 5


def files() -> dict[str, bytes]:
    """The template's first board (Hartlepool) copied to all 152 boards."""
    boards = (ROOT / "reference_data" / "boards.csv").read_text()
    codes = [row["ons_code"] for row in csv.DictReader(io.StringIO(boards))]
    out = {}
    for name in ("metrics", "conditions", "pools"):
        lines = (ROOT / "sheets" / "templates" / f"{name}.csv").read_text().splitlines()
        example = [line for line in lines[1:] if line.startswith("E06000001,")]
        out[name] = "\r\n".join([lines[0]] + [line.replace("E06000001", code, 1) for code in codes
                                               for line in example]).encode()
    return out


def run(client, data: dict[str, bytes], accept: str) -> tuple[float, float, int]:
    """One upload: wall-clock seconds, CPU seconds of this process (less sensitive to a busy machine)
    and the size of the answer."""
    form = {name: (io.BytesIO(content), f"{name}.csv") for name, content in data.items()}
    start, cpu = time.perf_counter(), time.process_time()
    response = client.post("/api/v1/calculations/csv", data=form, content_type="multipart/form-data",
                           headers={"Accept": accept})
    body = response.get_data()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert response.status_code == 200, body[:500]
    return elapsed, cpu, len(body)


def phases(app, data: dict[str, bytes]) -> None:
    """Where the time goes (median of RUNS, in-process, no HTTP): the same steps the upload takes."""
    from bcf.determination import determine_many
    from calculator.responses import DeterminationSchema
    from sheets.batch import calculate_upload
    from sheets.payloads import build_requests
    from sheets.writing import render

    calculator = app.extensions["calculator"]
    boards = calculator.boards
    requests, _ = build_requests(data, boards)
    results = calculate_upload(data, calculator).boards
    prepared = [calculator.prepare(r.payload) for r in requests]
    plans, rule_set, pools = [p.checked for p in prepared], prepared[0].rule_set, [p.pool for p in prepared]
    determinations = determine_many(plans, rule_set, calculator.catalogue, pools)
    dump = DeterminationSchema().dump
    steps = {
        "read CSV + build 152 api.md requests": lambda: build_requests(data, boards),
        "validate 152 boards (Calculator.prepare)": lambda: [calculator.prepare(r.payload) for r in requests],
        "determine 152 boards (determine_many, one call)":
            lambda: determine_many(plans, rule_set, calculator.catalogue, pools),
        "dump 152 determinations": lambda: [dump(d) for d in determinations],
        "write CSV": lambda: render(results, CSV_MIME),
        "write JSON": lambda: render(results, JSON_MIME),
        "write XLSX": lambda: render(results, XLSX_MIME),
    }
    for name, step in steps.items():
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
        print(f"  {name:<62} {statistics.median(times):.3f} s")


def main() -> None:
    app = create_app({"TESTING": True})
    gc.collect()  # the collector set up as wsgi.py sets it up for the service
    gc.freeze()
    gc.set_threshold(7000, 10, 10)
    client = app.test_client()
    data = files()
    rows, conditions = data["metrics"].count(b"\n"), data["conditions"].count(b"\n")
    print(f"152 boards, {rows} metric-period rows, {conditions} condition rows; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    run(client, data, CSV_MIME)  # warm-up: imports, first-call caches
    for accept, target in ((CSV_MIME, 0.3), (JSON_MIME, None), (XLSX_MIME, 1.0)):
        times, cpus, size = zip(*(run(client, data, accept) for _ in range(RUNS)), strict=True)
        median = statistics.median(times)
        met = "met" if target is not None and median <= target else "NOT met"
        verdict = "" if target is None else f" (target ≤ {target:.1f} s: {met})"
        print(f"{accept:<68} median {median:.3f} s (CPU {statistics.median(cpus):.3f} s)  "
              f"min {min(times):.3f}  max {max(times):.3f}  {size[0] / 1024:.0f} KiB{verdict}")
    phases(app, data)
    if "--profile" in sys.argv:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        run(client, data, CSV_MIME)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
