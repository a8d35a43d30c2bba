"""Benchmark: the calculator over HTTP, under gunicorn (2 workers) on loopback; target ≥ 500
determinations/s with p99 ≤ 50 ms.

Starts ``gunicorn --workers 2 wsgi:app`` on 127.0.0.1 (a free port), checks that the full plan below
answers 200, then drives ``POST /api/v1/calculations`` with wrk (``apt-get install wrk``) for a fixed
time and connection count; without wrk it falls back to a bounded Python load generator (threads,
keep-alive off as gunicorn's sync workers close each connection). Everything is bounded (seconds,
connections) and loopback only; gunicorn is stopped by its pid whatever happens.

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
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
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


def run_wrk(port: int, body: str, seconds: int, connections: int, threads: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        # gunicorn's sync workers close every connection after one answer; a client that assumes
        # keep-alive (wrk's default) stalls ~40 ms per request finding that out, so say so up front
        script.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
                     'wrk.headers["Content-Type"] = "application/json"\n'
                     'wrk.headers["Connection"] = "close"\n')
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name,
               f"http://127.0.0.1:{port}{PATH}"]
    try:
        output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60,
                                check=True).stdout
    finally:
        os.unlink(script.name)
    print(output)

    def ms(text: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    percentiles = {int(p): ms(v) for p, v in re.findall(r"^\s+(\d+)%\s+(\S+)$", output, re.M)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {"tool": " ".join(command[:-3] + ["-s post.lua", command[-1]]),
            "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50_ms": percentiles[50], "p99_ms": percentiles[99],
            "requests": int(re.search(r"(\d+) requests in", output).group(1)),
            "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
            "socket_errors": errors.group(1) if errors else ""}


def run_python(port: int, body: bytes, seconds: int, connections: int) -> dict:
    """Fallback load generator: ``connections`` threads posting back to back for ``seconds``."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        mine, bad = [], 0
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            status, _ = post(port, body)
            mine.append(time.perf_counter() - start)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return {"tool": f"python threads x{connections}, {seconds} s",
            "requests_per_s": len(latencies) / elapsed,
            "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[int(0.99 * (len(latencies) - 1))] * 1000,
            "requests": len(latencies), "non_2xx": failures[0], "socket_errors": ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20, choices=range(1, 121), metavar="1-120")
    parser.add_argument("--connections", type=int, default=4, choices=range(1, 65), metavar="1-64")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--python", action="store_true", help="use the Python load generator, not wrk")
    args = parser.parse_args()

    body = json.dumps(full_plan())
    port = free_port()
    process = start_gunicorn(port, args.workers)
    try:
        status, answer = post(port, body.encode())
        determination = json.loads(answer)
        assert status == 200, answer[:500]
        assert len(determination["metrics"]) == 9 and determination["totals"]["released"] is not None
        for _ in range(50):  # warm both workers
            post(port, body.encode())
        cpu_before = workers_cpu_seconds(process.pid)
        if shutil.which("wrk") and not args.python:
            result = run_wrk(port, body, args.seconds, args.connections, threads=min(2, args.connections))
        else:
            result = run_python(port, body.encode(), args.seconds, args.connections)
        cpu_ms = (workers_cpu_seconds(process.pid) - cpu_before) / max(result["requests"], 1) * 1000
    finally:
        stop(process)
    load = os.getloadavg()[0]
    verdict = "met" if result["requests_per_s"] >= 500 and result["p99_ms"] <= 50 else "NOT met"
    print(f"calculator over HTTP (gunicorn {args.workers} workers, loopback, {result['tool']}): "
          f"{result['requests']} determinations, {result['requests_per_s']:.0f}/s, "
          f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, non-2xx {result['non_2xx']} "
          f"{result['socket_errors']}(target ≥ 500/s, p99 ≤ 50 ms: {verdict}); "
          f"workers' CPU {cpu_ms:.2f} ms per determination, i.e. at most {2000 / cpu_ms:.0f}/s on two "
          f"dedicated cores; 1-min load average at the end {load:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
