"""Benchmark: the calculator over HTTP, under gunicorn (2 workers) on loopback; target p99 ≤ 50 ms at
50 requests/s (issue 14: far above any real load — 152 boards submit a few times a year).

Starts ``gunicorn --workers 2 wsgi:app`` on 127.0.0.1 (a free port), checks that the full plan below
answers 200, then sends ``POST /api/v1/calculations`` at a fixed rate for a fixed time (open loop).
Everything is bounded (seconds, rate) and loopback only; gunicorn is stopped by its pid whatever happens.

The plan is the full plan of ``benchmarks/determination.py`` as api.md JSON: six conditions and every
metric-period the 2015/16 rule set pays for (nine), with actuals and histories, mixing rates,
proportions, a DSR and a score. Run: ``.venv/bin/python benchmarks/determination_http.py``;
results go in docs/performance.md ("Calculator over HTTP").
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/v1/calculations"


def _bands(scale: float) -> dict:
    rows = ((120, 40000, 35000), (310, 30000, 30000), (700, 20000, 20000), (900, 9000, 15000))
    return {"bands": [{"events": round(events * scale), "population": population,
                       "standard_population": weight} for events, population, weight in rows]}


def full_plan() -> dict:
    def counts(n, d):
        return {"numerator": n, "denominator": d}

    return {
        "hwb_code": "E06000001", "rule_set": "bcf-2015-16", "p4p_pool": 1000000.00,
        "conditions": {
            "plans_jointly_agreed": {"hwb_signed_off": True, "councils_signed_off": True,
                                     "ccgs_signed_off": True, "providers_engaged": True},
            "protect_social_care": {"explanation": "Maintain eligibility at moderate"},
            "seven_day_services": {"confirmed": True},
            "data_sharing": {"nhs_number_primary_identifier": True, "open_apis": False,
                             "open_apis_planned_date": "2015-03-31", "ig_caldicott2": True},
            "joint_assessment": {"accountable_professional": True, "case_managed_proportion": 0.04},
            "acute_sector_impact": {"providers_assessed": ["North Tees and Hartlepool NHS FT"],
                                    "mental_health_not_reduced": True},
        },
        "metrics": [
            {"metric": "delayed_transfers", "periods": {
                "april-2015": {"baseline": counts(3100, 72000), "plan": 450.0,
                               "actual": counts(2950, 72400)},
                "october-2015": {"baseline": counts(2100, 72400), "plan": 460.0,
                                 "actual": counts(1990, 72600), "history": [510.2, 495.0, 480.3]}}},
            {"metric": "avoidable_emergency_admissions", "periods": {
                "april-2015": {"baseline": counts(5400, 92000), "plan": 950.0,
                               "actual": counts(5250, 92300)},
                "october-2015": {"baseline": _bands(1), "plan": 160.0, "actual": _bands(0.95),
                                 "history": [180.0, 175.0, 170.0, 168.0]}}},
            {"metric": "residential_admissions", "periods": {
                "october-2015": {"baseline": counts(190, 18000), "plan": 980.0,
                                 "actual": counts(175, 18300)}}},
            {"metric": "reablement", "periods": {
                "october-2015": {"baseline": counts(230, 280), "plan": 85.0, "actual": counts(240, 285)}}},
            {"metric": "patient_experience",
             "definition": {"name": "Felt involved in care decisions", "type": "score", "polarity": "higher",
                            "unit": "score 0-10", "source": "local survey"},
             "periods": {"october-2015": {"baseline": {"mean": 7.6, "sd": 2.1, "n": 400}, "plan": 7.9,
                                          "actual": {"mean": 7.8, "sd": 2.0, "n": 410}}}},
            {"metric": "local", "local_metric": "NHSOF-2.1", "periods": {
                "april-2015": {"baseline": counts(1450, 2000), "plan": 75.0, "actual": counts(1480, 2000)},
                "october-2015": {"baseline": counts(1480, 2000), "plan": 76.0,
                                 "actual": counts(1530, 2010)}}},
        ],
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port: int, body: bytes, timeout: float = 10) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", PATH, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "BCF_INSTANCE_PATH": tempfile.mkdtemp(prefix="bcf-bench-")}
    process = subprocess.Popen(
        [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning",
         "wsgi:app"], cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/health")
            if connection.getresponse().status == 200:
                connection.close()
                return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise SystemExit("gunicorn did not start within 60 s")


def stop(process: subprocess.Popen) -> None:
    """Stop the gunicorn we started (its own process group, by pid)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def workers_cpu_seconds(master: int) -> float:
    """CPU time (user + system) used so far by the gunicorn workers of ``master`` (Linux /proc).

    Throughput on a shared machine depends on what else runs; CPU per determination does not, and
    gives the capacity of two dedicated cores: 2 / (CPU seconds per determination).
    """
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == master:  # ppid
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return total


def run_at_rate(port: int, body: bytes, seconds: int, rate: float) -> dict:
    """Open-loop load: a request every ``1 / rate`` s for ``seconds``, each sent on time by a pool of
    threads whatever the answers before it are doing, so a slow answer shows in the latencies instead
    of slowing the load (a closed loop hides exactly the waits users feel)."""
    count = int(seconds * rate)
    latencies: list[float] = []
    failures = 0
    started = time.perf_counter()

    def send(due: float) -> tuple[float, int]:
        status, _ = post(port, body)
        return time.perf_counter() - due, status  # from when it was due: queueing counts

    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = []
        for i in range(count):
            due = started + i / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            futures.append(pool.submit(send, due))
        for future in futures:
            latency, status = future.result()
            latencies.append(latency)
            failures += status != 200
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"requests": count, "requests_per_s": count / elapsed, "non_2xx": failures,
            "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[int(0.99 * (count - 1))] * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=30, choices=range(1, 601), metavar="1-600")
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second (default 50)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    body = json.dumps(full_plan()).encode()
    port = free_port()
    process = start_gunicorn(port, args.workers)
    try:
        status, answer = post(port, body)
        determination = json.loads(answer)
        assert status == 200, answer[:500]
        assert len(determination["metrics"]) == 9 and determination["totals"]["released"] is not None
        for _ in range(50):  # warm both workers
            post(port, body)
        cpu_before = workers_cpu_seconds(process.pid)
        result = run_at_rate(port, body, args.seconds, args.rate)
        cpu_ms = (workers_cpu_seconds(process.pid) - cpu_before) / max(result["requests"], 1) * 1000
    finally:
        stop(process)
    met = result["p99_ms"] <= 50 and result["non_2xx"] == 0
    print(f"calculator over HTTP (gunicorn {args.workers} workers, loopback, {args.rate:g} requests/s for "
          f"{args.seconds} s): {result['requests']} determinations at {result['requests_per_s']:.1f}/s, "
          f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, non-2xx {result['non_2xx']} "
          f"(target p99 ≤ 50 ms at 50/s, no errors: {'met' if met else 'NOT met'}); workers' CPU "
          f"{cpu_ms:.2f} ms per determination; 1-min load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
