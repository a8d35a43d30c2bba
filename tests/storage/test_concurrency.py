"""Two editors with the same ETag: exactly one write wins, the other gets 412 and loses nothing.

Threads share one app (both databases); two separate server processes share one PostgreSQL database.
Either way only the database can referee, through the unique (hwb_code, version) constraint.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from storage_support import HWB_A, fresh_postgres_database

from storage import db, tokens
from storage.audit import Actor

ROOT = Path(__file__).resolve().parents[2]
PLAN_URL = f"/api/v1/hwbs/{HWB_A}/plan"


def race(put_one, etag: str, bodies: list[dict]) -> list[int]:
    """Send one PUT per body, all at once with the same If-Match; return the statuses in body order."""
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = [0] * len(bodies)

    def worker(index: int) -> None:
        barrier.wait()
        statuses[index] = put_one(bodies[index], etag)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def test_threads_same_etag_one_wins(app, auth, plan_body):
    client = app.test_client()
    assert client.put(PLAN_URL, json=plan_body, headers=auth["a"]).status_code == 201

    def put_one(body, etag):
        return app.test_client().put(PLAN_URL, json=body, headers={**auth["a"], "If-Match": etag}).status_code

    version = 1
    for round_ in range(5):
        bodies = [{**plan_body, "p4p_pool": 1000.0 + 10 * round_ + i} for i in range(2)]
        statuses = race(put_one, f'"{version}"', bodies)
        assert sorted(statuses) == [200, 412], statuses
        version += 1
        current = client.get(PLAN_URL, headers=auth["a"])
        assert current.headers["ETag"] == f'"{version}"'
        assert current.get_json() == bodies[statuses.index(200)]  # the winner's write, whole
        # nothing lost: the loser reads the new version and resends its change
        loser = bodies[statuses.index(412)]
        retry = client.put(PLAN_URL, json=loser, headers={**auth["a"], "If-Match": current.headers["ETag"]})
        assert retry.status_code == 200
        version += 1
    versions = client.get(PLAN_URL + "/versions", headers=auth["a"]).get_json()
    assert [v["version"] for v in versions] == list(range(1, version + 1))
    audit = client.get(f"/api/v1/audit?board={HWB_A}&page_size=100", headers=auth["assurance"]).get_json()
    audited = sorted(e["version"] for e in audit["items"] if e["action"] == "plan.put")
    assert audited == list(range(1, version + 1))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(base: str, method: str, path: str, secret: str, body=None, etag=None):
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    if etag:
        headers["If-Match"] = etag
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, json.loads(error.read() or b"null")


@pytest.fixture()
def two_servers(tmp_path):
    """Two gunicorn processes on one fresh PostgreSQL database, migrated by ``flask … bcf init-db``."""
    for url in fresh_postgres_database():
        env = {**os.environ, "DATABASE_URL": url, "BCF_INSTANCE_PATH": str(tmp_path)}
        init = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "bcf", "init-db"], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=120)
        assert init.returncode == 0, init.stderr
        engine = db.make_engine(url)
        with db.session_factory(engine).begin() as session:
            _, secret = tokens.create(session, Actor(None, "test"), name="a", role="hwb", hwb_code=HWB_A)
        engine.dispose()
        ports = [_free_port(), _free_port()]
        servers = [subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                                     "--workers", "1", "--threads", "2", "wsgi:app"], cwd=ROOT, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for port in ports]
        try:
            bases = [f"http://127.0.0.1:{port}" for port in ports]
            deadline = time.monotonic() + 90
            for base in bases:
                while True:
                    try:
                        with urllib.request.urlopen(base + "/api/v1/health", timeout=2):
                            break
                    except OSError:
                        if time.monotonic() > deadline:
                            pytest.fail("the test servers did not start")
                        time.sleep(0.2)
            yield bases, secret
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(30)


def test_two_processes_same_etag_one_wins(two_servers, plan_body):
    (first, second), secret = two_servers
    status, headers, _ = _request(first, "PUT", PLAN_URL, secret, plan_body)
    assert status == 201
    version = 1
    for round_ in range(3):
        bodies = [{**plan_body, "p4p_pool": 2000.0 + 10 * round_ + i} for i in range(2)]
        servers = [first, second]

        def put_one(body, etag, _bodies=bodies, _servers=servers):
            return _request(_servers[_bodies.index(body)], "PUT", PLAN_URL, secret, body, etag)[0]

        statuses = race(put_one, f'"{version}"', bodies)
        assert sorted(statuses) == [200, 412], statuses
        version += 1
        status, headers, current = _request(second, "GET", PLAN_URL, secret)
        assert headers["ETag"] == f'"{version}"' and current == bodies[statuses.index(200)]
    status, _, versions = _request(first, "GET", PLAN_URL + "/versions", secret)
    assert [v["version"] for v in versions] == list(range(1, version + 1))
