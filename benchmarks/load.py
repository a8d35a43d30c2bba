"""Load and soak (issue 15): gunicorn, 2 workers on loopback, mixed traffic at 50 requests/s for 10 minutes;
targets 0 errors, p99 ≤ 50 ms, worker RSS growth < 10 %.

The mix, per 20 requests: 8 ``POST /api/v1/calculations`` (the full plan of ``determination.py``), and
stored-plan traffic on 20 boards with their own hwb tokens: 4 ``GET …/plan``, 2 ``PUT …/plan`` (with the
ETag last answered, so a write is never refused as stale), 2 ``POST …/determinations``, 2 ``GET
…/determinations/current``, and 2 ``GET /api/v1/hwbs/{code}``. When the service has
``GET /api/v1/reports/national`` (the assurance panels' national report), 1 of the 8 calculations
becomes that report, read with an assurance token (an expensive read, and a rare one: a panel reads
it, a board does not); otherwise the run says it left reports out.

Open loop: each request is due at a fixed time and is sent then by a pool of threads, whatever the
answers before it are doing; latency counts from when it was due, so a slow answer shows in the
figures instead of slowing the load. Errors: any answer that is not 2xx, and any request that got no
answer. RSS: each worker's resident memory after the warm-up and at the end (``/proc``), and its peak.

SQLite in a temporary directory by default (as ``make serve``), or ``--database-url`` (an empty,
migratable PostgreSQL database). Everything is loopback and bounded; gunicorn is stopped by its pid
(process group) whatever happens. Run: ``.venv/bin/python benchmarks/load.py [--minutes 10]``;
results go in docs/performance.md ("Load and soak").
"""

from __future__ import annotations

import argparse
import copy
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from determination_http import free_port, full_plan, stop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage import db, tokens  # noqa: E402 - after the project root is importable
from storage.audit import Actor  # noqa: E402

BOARDS = 20
STORED_METRICS = ("delayed_transfers", "avoidable_emergency_admissions", "residential_admissions",
                  "reablement")
REPORT = "/api/v1/reports/national"
# One cycle of 20 requests (see the docstring); "calculation" becomes "report" when reports exist.
CYCLE = (["calculation"] * 8 + ["get_plan"] * 4 + ["put_plan"] * 2 + ["determine"] * 2
         + ["current_determination"] * 2 + ["board"] * 2)


def stored_plan_and_actuals() -> tuple[dict, dict[str, dict]]:
    """The full plan's count metrics as a stored plan (no ``hwb_code``, no actuals), and its actuals."""
    plan = full_plan()
    metrics, actuals = [], defaultdict(dict)
    for metric in plan["metrics"]:
        if metric["metric"] not in STORED_METRICS:
            continue
        metric = copy.deepcopy(metric)
        for period, block in metric["periods"].items():
            actuals[period][metric["metric"]] = block.pop("actual")
        metrics.append(metric)
    return {"rule_set": plan["rule_set"], "p4p_pool": plan["p4p_pool"], "conditions": plan["conditions"],
            "metrics": metrics}, dict(actuals)


class Client:
    """One request on a fresh loopback connection (as a browser or script would), with a bearer token."""

    def __init__(self, port: int):
        self.port = port

    def send(self, method: str, path: str, body: bytes | None = None, secret: str | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            sent = {"Content-Type": "application/json", **(headers or {})}
            if secret:
                sent["Authorization"] = f"Bearer {secret}"
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return response.status, dict(response.headers), response.read()
        finally:
            connection.close()


class Boards:
    """The stored-plan side: 20 boards, each with its token, its last ETag and a lock for its writes."""

    def __init__(self, codes: list[str], secrets: dict[str, str], plan: dict):
        self.codes, self.secrets = codes, secrets
        self.etags: dict[str, str] = {}
        self.locks = {code: threading.Lock() for code in codes}
        self.plan = plan
        self.next = 0
        self._turn = threading.Lock()

    def pick(self) -> str:
        with self._turn:
            self.next += 1
            return self.codes[self.next % len(self.codes)]


def request_for(kind: str, client: Client, boards: Boards, calculation: bytes, assurance: str):
    """Send one request of ``kind``; its status."""
    if kind == "calculation":
        return client.send("POST", "/api/v1/calculations", calculation)[0]
    if kind == "report":
        return client.send("GET", REPORT, secret=assurance)[0]
    code = boards.pick()
    secret, base = boards.secrets[code], f"/api/v1/hwbs/{code}"
    if kind == "board":
        return client.send("GET", base)[0]
    if kind == "get_plan":
        return client.send("GET", base + "/plan", secret=secret)[0]
    if kind == "put_plan":
        with boards.locks[code]:  # one writer per board at a time, with the ETag it was last answered
            body = {**boards.plan, "p4p_pool": 1_000_000 + boards.next}
            status, headers, _ = client.send("PUT", base + "/plan", json.dumps(body).encode(), secret,
                                             {"If-Match": boards.etags[code]})
            if status < 300:
                boards.etags[code] = headers["ETag"]
            return status
    if kind == "determine":
        return client.send("POST", base + "/determinations", b"{}", secret)[0]
    if kind == "current_determination":
        return client.send("GET", base + "/determinations/current", secret=secret)[0]
    raise ValueError(kind)


def start_gunicorn(port: int, env: dict[str, str]) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning",
         "wsgi:app"],
        cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Client(port).send("GET", "/api/v1/health")[0] == 200:
                return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise SystemExit("gunicorn did not start within 60 s")


def worker_rss_kib(master: int) -> dict[int, int]:
    """Resident memory (KiB) of each gunicorn worker of ``master`` (Linux /proc)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    rss = {}
    for pid in map(int, children):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss[pid] = int(line.split()[1])
    return rss


def prepare(port: int, url: str, plan: dict, actuals: dict[str, dict]) -> tuple[Boards, str]:
    """Tokens for 20 boards and an assurance panel; each board's plan and actuals stored once."""
    engine = db.make_engine(url)
    codes = _board_codes()[:BOARDS]
    secrets = {}
    with db.session_factory(engine).begin() as session:
        for code in codes:
            _, secrets[code] = tokens.create(session, Actor(None, "load"), name=f"{code} load", role="hwb",
                                             hwb_code=code)
        _, assurance = tokens.create(session, Actor(None, "load"), name="load assurance", role="assurance")
    engine.dispose()
    boards = Boards(codes, secrets, plan)
    client = Client(port)
    for code in codes:
        status, headers, answer = client.send("PUT", f"/api/v1/hwbs/{code}/plan", json.dumps(plan).encode(),
                                              secrets[code])
        assert status == 201, answer[:500]
        boards.etags[code] = headers["ETag"]
        for period, block in actuals.items():
            status, _, answer = client.send("PUT", f"/api/v1/hwbs/{code}/actuals/{period}",
                                            json.dumps(block).encode(), secrets[code])
            assert status == 201, answer[:500]
        status, _, answer = client.send("POST", f"/api/v1/hwbs/{code}/determinations", b"{}", secrets[code])
        assert status in (200, 201), answer[:500]
    return boards, assurance


def _board_codes() -> list[str]:
    import csv

    with open(ROOT / "reference_data" / "boards.csv", newline="", encoding="utf-8") as handle:
        return [row["ons_code"] for row in csv.DictReader(handle)]


def run(port: int, kinds: list[str], seconds: float, rate: float, send, master: int) -> dict:
    """Open loop at ``rate`` for ``seconds``; latencies and statuses by kind, RSS samples every 10 s."""
    count = int(seconds * rate)
    results: list[tuple[str, float, int | str]] = []
    peak: dict[int, int] = {}
    started = time.perf_counter()

    def one(kind: str, due: float):
        try:
            status = send(kind)
        except (OSError, http.client.HTTPException) as error:
            status = type(error).__name__
        return kind, time.perf_counter() - due, status

    with ThreadPoolExecutor(max_workers=32) as pool:
        futures = []
        next_sample = started
        for i in range(count):
            due = started + i / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            futures.append(pool.submit(one, kinds[i % len(kinds)], due))
            if due >= next_sample:
                for pid, kib in worker_rss_kib(master).items():
                    peak[pid] = max(peak.get(pid, 0), kib)
                next_sample += 10
        results = [future.result() for future in futures]
    return {"elapsed": time.perf_counter() - started, "results": results, "peak": peak}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * (len(ordered) - 1)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the timed run (default 10)")
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second (default 50)")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite in a temp dir)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # still stop gunicorn (finally below)
    if not 0 < args.minutes <= 120 or not 0 < args.rate <= 500:
        parser.error("--minutes must be in (0, 120] and --rate in (0, 500]")

    # the SQLite file and instance folder of this run, removed afterwards
    with tempfile.TemporaryDirectory(prefix="bcf-load-") as directory:
        url = args.database_url or f"sqlite:///{directory}/bcf.sqlite3"
        db.upgrade(url=url)
        env = {"DATABASE_URL": url, "BCF_INSTANCE_PATH": directory,
               "BCF_ALLOCATIONS_FILE": str(Path(directory) / "allocations.csv")}  # no table: pools are given
        port = free_port()
        process = start_gunicorn(port, env)
        try:
            plan, actuals = stored_plan_and_actuals()
            boards, assurance = prepare(port, url, plan, actuals)
            client = Client(port)
            calculation = json.dumps(full_plan()).encode()
            reports = client.send("GET", REPORT, secret=assurance)[0] != 404
            kinds = [("report" if reports and kind == "calculation" and i == 3 else kind)
                     for i, kind in enumerate(CYCLE)]
            kinds = [kinds[(i * 7) % len(kinds)] for i in range(len(kinds))]  # interleaved, not in blocks

            def send(kind: str):
                return request_for(kind, client, boards, calculation, assurance)

            for i in range(200):  # warm both workers on every kind
                send(kinds[i % len(kinds)])
            rss_before = worker_rss_kib(process.pid)
            load_before = os.getloadavg()
            outcome = run(port, kinds, args.minutes * 60, args.rate, send, process.pid)
            rss_after = worker_rss_kib(process.pid)
            load_after = os.getloadavg()
        finally:
            stop(process)

    results = outcome["results"]
    errors = Counter(f"{kind} {status}" for kind, _, status in results
                     if not (isinstance(status, int) and 200 <= status < 300))
    latencies = [latency for _, latency, _ in results]
    by_kind = defaultdict(list)
    for kind, latency, _ in results:
        by_kind[kind].append(latency)
    print(f"{len(results):,} requests in {outcome['elapsed']:.0f} s "
          f"({len(results) / outcome['elapsed']:.1f}/s), {sum(errors.values())} errors {dict(errors) or ''}")
    print(f"all: p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
          f"max {max(latencies) * 1000:.1f} ms")
    for kind, values in sorted(by_kind.items()):
        print(f"  {kind:22} {len(values):6,}  p50 {percentile(values, 0.5):6.1f} ms  "
              f"p99 {percentile(values, 0.99):6.1f} ms")
    if not reports:
        print(f"  (no {REPORT} on this service: report traffic left out, calculations in its place)")
    for pid, before in sorted(rss_before.items()):
        after = rss_after.get(pid)
        if after is None:
            print(f"worker {pid}: RSS {before / 1024:.1f} MiB after warm-up, gone by the end (replaced)")
            continue
        peak = outcome["peak"].get(pid, after)
        print(f"worker {pid}: RSS {before / 1024:.1f} -> {after / 1024:.1f} MiB "
              f"({(after - before) / before * 100:+.1f} %), peak {peak / 1024:.1f} MiB")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min; 2 cores, shared)")


if __name__ == "__main__":
    main()
