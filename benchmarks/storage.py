"""Benchmark: 1,000 stored-plan PUTs and 1,000 stored determinations against PostgreSQL (target p99 ≤ 50 ms).

Each request goes the whole way through the app (token check, validation with the calculator's schema,
one transaction with its audit row), in process through Flask's test client, so the figures are the
service's own time without network. PostgreSQL comes from TEST_DATABASE_URL; without it the script
re-runs itself under scripts/test-services, which starts a throwaway cluster.

    .venv/bin/python benchmarks/storage.py [--requests 1000]
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PLAN = {
    "p4p_pool": 1000000.00,
    "metrics": [
        {"metric": "delayed_transfers", "periods": {
            "april-2015": {"baseline": {"numerator": 3100, "denominator": 72000}, "plan": 450.0},
            "october-2015": {"baseline": {"numerator": 2100, "denominator": 72400}, "plan": 460.0}}},
        {"metric": "reablement", "periods": {
            "october-2015": {"baseline": {"numerator": 800, "denominator": 1000}, "plan": 85.0}}},
    ],
}
ACTUALS = {
    "april-2015": {"delayed_transfers": {"numerator": 3000, "denominator": 72400}},
    "october-2015": {"delayed_transfers": {"numerator": 2000, "denominator": 72400},
                     "reablement": {"numerator": 850, "denominator": 1000}},
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def report(name: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"{name:<28} n={len(ms):5d}  p50={percentile(ms, 0.50):6.1f} ms  "
          f"p99={percentile(ms, 0.99):6.1f} ms  mean={statistics.fmean(ms):6.1f} ms  max={max(ms):6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--boards", type=int, default=10)
    args = parser.parse_args()

    admin_url = os.environ.get("TEST_DATABASE_URL")
    if not admin_url:
        os.execv(str(ROOT / "scripts" / "test-services"),
                 [str(ROOT / "scripts" / "test-services"), sys.executable, *sys.argv])

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from api import create_app
    from storage import db, tokens
    from storage.audit import Actor

    name = f"bcf_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        app = create_app({"TESTING": True, "DATABASE_URL": url})
        db.upgrade(engine=app.extensions["bcf_db"])
        boards = sorted(app.extensions["boards"])[: args.boards]
        headers = {}
        with app.extensions["bcf_sessions"].begin() as session:
            for code in boards:
                _, secret = tokens.create(session, Actor(None, "bench"), name=f"{code} finance", role="hwb",
                                          hwb_code=code)
                headers[code] = {"Authorization": f"Bearer {secret}"}
        client = app.test_client()
        etags: dict[str, str | None] = dict.fromkeys(boards)

        put_times: list[float] = []
        for i in range(args.requests):
            code = boards[i % len(boards)]
            body = copy.deepcopy(PLAN)
            body["p4p_pool"] = 1000000.0 + i
            extra = {"If-Match": etags[code]} if etags[code] else {}
            start = time.perf_counter()
            response = client.put(f"/api/v1/hwbs/{code}/plan", json=body, headers={**headers[code], **extra})
            put_times.append(time.perf_counter() - start)
            assert response.status_code in (200, 201), response.get_json()
            etags[code] = response.headers["ETag"]

        for code in boards:
            for period, body in ACTUALS.items():
                path = f"/api/v1/hwbs/{code}/actuals/{period}"
                response = client.put(path, json=body, headers=headers[code])
                assert response.status_code == 201, response.get_json()

        determination_times: list[float] = []
        for i in range(args.requests):
            code = boards[i % len(boards)]
            start = time.perf_counter()
            response = client.post(f"/api/v1/hwbs/{code}/determinations", headers=headers[code])
            determination_times.append(time.perf_counter() - start)
            assert response.status_code == 201, response.get_json()

        read_times: list[float] = []
        for i in range(args.requests):
            code = boards[i % len(boards)]
            start = time.perf_counter()
            response = client.get(f"/api/v1/hwbs/{code}/plan", headers=headers[code])
            read_times.append(time.perf_counter() - start)
            assert response.status_code == 200

        print(f"PostgreSQL {app.extensions['bcf_db'].dialect.server_version_info}, {len(boards)} boards")
        report("PUT …/plan (new version)", put_times)
        report("POST …/determinations", determination_times)
        report("GET …/plan", read_times)
        app.extensions["bcf_db"].dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
