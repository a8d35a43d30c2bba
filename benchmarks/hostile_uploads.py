"""Hostile spreadsheet uploads (issue 15, 8): each answered within seconds, a 422 naming the problem.

Each case runs in a fresh process (so its peak memory is its own) and posts one upload to
``POST /api/v1/calculations/csv`` through the test client: a million rows (under the 10 MB limit),
20,000 rows with every cell bad (the row limit's worst case: 320,000 problems), a cell over the csv
module's field limit, a row of four million cells, and an allocation table of a million rows or with a
row of four million cells (pandas took minutes over that before the shape was checked first).
Target: every answer ≤ 10 s (a third of a gunicorn worker's 30 s timeout) and ≤ 1 MB, a worker's peak
memory ≤ 600 MB.
Run: ``.venv/bin/python benchmarks/hostile_uploads.py``; record figures in docs/performance.md.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ("million_rows", "every_cell_bad", "field_limit", "wide_row", "million_row_allocation",
         "wide_allocation_row")


def body(kind: str) -> tuple[str, bytes]:
    """The endpoint and the CSV of one case."""
    sys.path.insert(0, str(ROOT))
    from sheets.payloads import METRICS_COLUMNS
    from sheets.reading import MAX_ROWS

    header = (",".join(METRICS_COLUMNS) + "\n").encode()
    if kind == "million_rows":
        return "/api/v1/calculations/csv", b"hwb_code,metric,period,plan\n" + b",,,x\n" * 1_000_000
    if kind == "every_cell_bad":
        cells = ["x"] * (len(METRICS_COLUMNS) - 4)
        rows = "".join(",".join(["E06000001", "delayed_transfers", "", f"p{i}", *cells]) + "\n"
                       for i in range(MAX_ROWS))
        return "/api/v1/calculations/csv", header + rows.encode()
    if kind == "field_limit":
        return "/api/v1/calculations/csv", header + b'E06000001,"' + b"x,\n" * 1_000_000
    if kind == "wide_row":
        return "/api/v1/calculations/csv", header + b"x," * 4_000_000 + b"\n"
    if kind == "wide_allocation_row":
        return "/api/v1/allocations/calculate", b"ccg_code,hwb_code,share\n" + b"x," * 4_000_000 + b"\n"
    return "/api/v1/allocations/calculate", b"ccg_code,hwb_code,share\n" + b"00A,E06000001,x\n" * 500_000


def one(kind: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from api import create_app

    app = create_app({"TESTING": True, "ALLOCATIONS_FILE": f"{tempfile.mkdtemp()}/allocations.csv"})
    client = app.test_client()
    path, data = body(kind)
    name = "ccg_to_hwb" if "allocation" in path else "metrics"
    form = (f'--b\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.csv"\r\n\r\n'.encode()
            + data + b"\r\n--b--\r\n")
    client.get("/api/v1/hwbs")  # warm-up: imports and first-call caches
    start = time.perf_counter()
    response = client.post(path, data=form, content_type="multipart/form-data; boundary=b")
    elapsed = time.perf_counter() - start
    answer = response.get_json()
    return {"case": kind, "upload_mb": len(data) / 1e6, "status": response.status_code, "seconds": elapsed,
            "answer_kb": len(response.data) / 1024, "problem_count": answer.get("problem_count"),
            "first": answer["errors"][0]["message"][:70],
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(one(sys.argv[2])))
        return
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for kind in CASES:
        out = subprocess.run([sys.executable, __file__, "--one", kind], capture_output=True, text=True,
                             check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        met = r["seconds"] <= 10 and r["answer_kb"] <= 1024 and r["peak_rss_mb"] <= 600
        print(f"{r['case']:<24} {r['upload_mb']:5.1f} MB → {r['status']} in {r['seconds']:.2f} s, "
              f"{r['answer_kb']:.0f} KiB, problems {r['problem_count']}, peak {r['peak_rss_mb']:.0f} MB "
              f"({'met' if met else 'NOT met'}): {r['first']}")


if __name__ == "__main__":
    main()
