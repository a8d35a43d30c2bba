"""Issue 15 (10) and its fault harness: storage that goes away answers 503 problem+json with Retry-After,
never a traceback, and the service recovers by itself when it returns; a worker killed mid-write leaves
versions and audit rows consistent.

Real faults, not doubles: a SQLite file and directory made read-only under a gunicorn that honours
file permissions (even when the suite runs as root), a PostgreSQL cluster stopped and started again,
a worker killed with SIGKILL.
"""

from __future__ import annotations

import copy
import http.client
import os
import signal
import sqlite3
import threading
import time

import pytest
from fault_support import Gunicorn, PostgresCluster, free_port, private_dir, request
from sqlalchemy import exc as sa_exc
from sqlalchemy import select, text
from storage_support import PLAN

from api import create_app
from api.errors import PROBLEM
from storage import db, faults, tokens
from storage.audit import Actor
from storage.models import AuditEntry, PlanVersion

BOARDS = ["E06000001", "E06000002", "E06000003", "E06000004"]
RETRY_AFTER = "5"  # STORAGE_RETRY_AFTER's default


def plan_url(code: str) -> str:
    return f"/api/v1/hwbs/{code}/plan"


def migrated_with_tokens(url: str, boards=BOARDS) -> dict[str, str]:
    """Migrate ``url`` and make one hwb token per board; the secrets by board."""
    db.upgrade(url=url)
    engine = db.make_engine(url)
    secrets = {}
    with db.session_factory(engine).begin() as session:
        for code in boards:
            _, secrets[code] = tokens.create(session, Actor(None, "test"), name=f"{code} finance", role="hwb",
                                             hwb_code=code)
    engine.dispose()
    return secrets


def stored(url: str) -> tuple[dict[str, list[tuple[int, dict]]], dict[str, list[int]]]:
    """Each board's plan versions (version, body) and its plan.put audit rows' versions, as stored."""
    engine = db.make_engine(url)
    try:
        with db.session_factory(engine)() as session:
            versions: dict[str, list[tuple[int, dict]]] = {}
            rows = select(PlanVersion).order_by(PlanVersion.hwb_code, PlanVersion.version)
            for row in session.scalars(rows):
                versions.setdefault(row.hwb_code, []).append((row.version, row.body))
            audited: dict[str, list[int]] = {}
            for entry in session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.put")
                                         .order_by(AuditEntry.hwb_code, AuditEntry.version)):
                audited.setdefault(entry.hwb_code, []).append(entry.version)
        return versions, audited
    finally:
        engine.dispose()


def assert_unavailable(status, headers, body, *secrets_and_paths: str) -> None:
    """A 503 problem+json with Retry-After that names nothing of the machinery behind it."""
    assert status == 503, (status, body)
    assert headers["Content-Type"] == PROBLEM and headers["Retry-After"] == RETRY_AFTER
    assert "/" not in headers.get("Server", "")  # gunicorn names itself, not its version
    assert body["type"] == "/api/v1/problems/storage-unavailable" and body["status"] == 503
    text_ = repr(body).lower()
    for leak in ("traceback", "sqlite", "psycopg", "operationalerror", "127.0.0.1", *secrets_and_paths):
        assert leak.lower() not in text_, leak


# --- what counts as "unavailable" --------------------------------------------------------------------

def test_read_only_and_lost_connections_are_unavailable_other_errors_are_not(tmp_path):
    path = tmp_path / "bcf.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (a INTEGER UNIQUE)")
        connection.execute("INSERT INTO t VALUES (1)")
    read_only = db.make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    writable = db.make_engine(f"sqlite:///{path}")
    refused = db.make_engine(f"postgresql+psycopg://bcf@127.0.0.1:{free_port()}/none",
                             connect_args={"connect_timeout": 5})
    try:
        with pytest.raises(sa_exc.OperationalError) as readonly_error, read_only.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (2)"))
        with pytest.raises(sa_exc.IntegrityError) as duplicate, writable.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(sa_exc.OperationalError) as no_table, writable.begin() as connection:
            connection.execute(text("SELECT * FROM missing"))
        with pytest.raises(sa_exc.OperationalError) as lost, refused.connect():
            pass
    finally:
        for engine in (read_only, writable, refused):
            engine.dispose()
    assert faults.unavailable(readonly_error.value) and faults.unavailable(readonly_error.value.orig)
    assert faults.unavailable(lost.value)
    assert not faults.unavailable(duplicate.value)  # a real error in the request: 409/500, not 503
    assert not faults.unavailable(no_table.value)  # a broken deployment: a 500 that is logged
    assert not faults.unavailable(ValueError("nothing to do with storage"))


@pytest.mark.parametrize("error, unavailable", [
    ("AdminShutdown", True), ("CannotConnectNow", True), ("TooManyConnections", True), ("DiskFull", True),
    ("ConnectionFailure", True), ("DeadlockDetected", False), ("SerializationFailure", False),
    ("QueryCanceled", False), ("UniqueViolation", False),
])
def test_postgresql_errors_that_mean_the_server_cannot_serve(error, unavailable):
    import psycopg

    assert faults.unavailable(getattr(psycopg.errors, error)("as the server said it")) is unavailable


# --- SQLite made read-only, then writable again ------------------------------------------------------

def test_read_only_sqlite_is_503_without_traceback_and_recovers_without_restart():
    with private_dir() as directory:
        path = directory / "bcf.sqlite3"
        url = f"sqlite:///{path}"
        secret = migrated_with_tokens(url, BOARDS[:1])[BOARDS[0]]
        path.chmod(0o444)  # read-only before the worker opens its first connection: it opens read-only
        server = Gunicorn({"DATABASE_URL": url, "BCF_INSTANCE_PATH": str(directory),
                           "BCF_ALLOCATIONS_FILE": str(directory / "allocations.csv")},
                          directory / "gunicorn.log", workers=1, honour_permissions=True)
        try:
            url_ = plan_url(BOARDS[0])
            assert_unavailable(*request(server.base, "PUT", url_, secret, PLAN), str(directory), secret)
            assert request(server.base, "GET", url_, secret)[0] == 404  # reading still works meanwhile

            path.chmod(0o644)  # writable again: the next write succeeds, with no restart
            status, headers, _ = request(server.base, "PUT", url_, secret, PLAN)
            assert (status, headers["ETag"]) == (201, '"1"')

            directory.chmod(0o555)  # the directory read-only: no journal can be made
            changed = {**copy.deepcopy(PLAN), "p4p_pool": 2000.0}
            try:
                assert_unavailable(*request(server.base, "PUT", url_, secret, changed, {"If-Match": '"1"'}),
                                   str(directory), secret)
            finally:
                directory.chmod(0o755)
            status, headers, _ = request(server.base, "PUT", url_, secret, changed, {"If-Match": '"1"'})
            assert (status, headers["ETag"]) == (200, '"2"')
        finally:
            server.stop()
        log = server.log()
        assert "Traceback" not in log and "storage unavailable" in log
        versions, audited = stored(url)
        # the refused writes left nothing behind
        assert [v for v, _ in versions[BOARDS[0]]] == audited[BOARDS[0]] == [1, 2]


# --- PostgreSQL stopped, then started again ----------------------------------------------------------

def test_postgresql_stopped_is_503_and_the_service_recovers_when_it_returns(tmp_path):
    with private_dir() as directory:
        cluster = PostgresCluster(directory)
        try:
            secret = migrated_with_tokens(cluster.url, BOARDS[:1])[BOARDS[0]]
            app = create_app({"TESTING": True, "DATABASE_URL": cluster.url,
                              "ALLOCATIONS_FILE": str(tmp_path / "allocations.csv")})
            client = app.test_client()
            bearer = {"Authorization": f"Bearer {secret}"}
            url_ = plan_url(BOARDS[0])
            assert client.put(url_, json=PLAN, headers=bearer).status_code == 201

            cluster.stop()
            for method, body, headers in (("GET", None, {}), ("PUT", PLAN, {"If-Match": '"1"'})):
                response = client.open(url_, method=method, json=body, headers={**bearer, **headers})
                assert_unavailable(response.status_code, response.headers, response.get_json(), secret,
                                   str(cluster.port))

            cluster.start()  # back: the same app, no restart
            assert client.get(url_, headers=bearer).status_code == 200
            changed = {**copy.deepcopy(PLAN), "p4p_pool": 3000.0}
            response = client.put(url_, json=changed, headers={**bearer, "If-Match": '"1"'})
            assert (response.status_code, response.headers["ETag"]) == (200, '"2"')
            app.extensions["bcf_db"].dispose()
            versions, audited = stored(cluster.url)
            assert [v for v, _ in versions[BOARDS[0]]] == audited[BOARDS[0]] == [1, 2]
        finally:
            cluster.destroy()


# --- a worker killed with SIGKILL during a burst of writes -------------------------------------------

ATTEMPTS = 30  # PUTs per board
# What a client sees of a worker killed mid-request: a reset or refused connection, or an answer cut off.
LOST = (OSError, http.client.HTTPException)


class Writer(threading.Thread):
    """Writes one board's plan ATTEMPTS times, each body unique, following the ETag it is given."""

    def __init__(self, base: str, code: str, secret: str):
        super().__init__(daemon=True)
        self.base, self.code, self.secret = base, code, secret
        self.succeeded: dict[int, dict] = {}  # version -> the body answered 200/201
        self.sent: list[dict] = []  # every body sent, whatever became of it
        self.lost = 0  # requests whose answer never came (the worker died)
        self.unexpected: list[tuple[int, object]] = []

    def current_version(self) -> int | None:
        for _ in range(50):
            try:
                status, headers, _ = request(self.base, "GET", plan_url(self.code), self.secret, timeout=10)
            except LOST:
                time.sleep(0.1)
                continue
            return int(headers["ETag"].strip('"')) if status == 200 else None
        raise AssertionError("the service did not answer again after the kill")

    def run(self) -> None:
        try:
            self.write_all()
        except Exception as error:  # reported by the test, not lost in a thread
            self.unexpected.append((0, repr(error)))

    def write_all(self) -> None:
        version = None
        for attempt in range(ATTEMPTS):
            body = {**copy.deepcopy(PLAN), "p4p_pool": float(100000 + attempt)}
            self.sent.append(body)
            headers = {"If-Match": f'"{version}"'} if version else {}
            try:
                status, answer_headers, answer = request(self.base, "PUT", plan_url(self.code), self.secret,
                                                         body, headers, timeout=30)
            except LOST:  # killed mid-request: it may or may not have committed
                self.lost += 1
                version = self.current_version()
                continue
            if status in (200, 201):
                version = int(answer_headers["ETag"].strip('"'))
                self.succeeded[version] = body
            elif status in (412, 428):  # an earlier lost request had committed: read and go on
                version = self.current_version()
            else:
                self.unexpected.append((status, answer))


def test_worker_killed_during_writes_leaves_versions_and_audit_consistent():
    with private_dir() as directory:
        url = f"sqlite:///{directory / 'bcf.sqlite3'}"
        secrets = migrated_with_tokens(url)
        server = Gunicorn({"DATABASE_URL": url, "BCF_INSTANCE_PATH": str(directory),
                           "BCF_ALLOCATIONS_FILE": str(directory / "allocations.csv")},
                          directory / "gunicorn.log", workers=2)
        try:
            writers = [Writer(server.base, code, secrets[code]) for code in BOARDS]
            for writer in writers:
                writer.start()
            deadline = time.monotonic() + 60
            while sum(len(w.succeeded) for w in writers) < 8 and time.monotonic() < deadline:
                time.sleep(0.01)
            victim = server.workers()[0]
            os.kill(victim, signal.SIGKILL)  # mid-burst: four writers on two workers, so it is busy
            for writer in writers:
                writer.join(120)
            assert not any(writer.is_alive() for writer in writers)
            deadline = time.monotonic() + 30  # gunicorn replaces the dead worker
            while (len(server.workers()) < 2 or victim in server.workers()) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert victim not in server.workers() and len(server.workers()) == 2
        finally:
            server.stop()

        versions, audited = stored(url)
        for writer in writers:
            assert writer.unexpected == [], writer.unexpected  # no 500: a lost answer, never a broken one
            rows = versions[writer.code]
            assert [v for v, _ in rows] == list(range(1, len(rows) + 1))  # no gap, no duplicate
            assert audited[writer.code] == [v for v, _ in rows]  # one audit row per stored write, no more
            bodies = dict(rows)
            for version, body in writer.succeeded.items():  # every answered write is stored, whole
                assert bodies[version] == db.normalise(body)
            sent = [db.normalise(body) for body in writer.sent]
            assert all(body in sent for body in bodies.values())  # nothing stored that was not sent
            # the unanswered ones either committed whole or left nothing
            assert len(writer.succeeded) <= len(rows) <= len(writer.succeeded) + writer.lost
        assert sum(len(w.succeeded) for w in writers) >= len(BOARDS) * ATTEMPTS // 2
        engine = db.make_engine(url)
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        engine.dispose()

