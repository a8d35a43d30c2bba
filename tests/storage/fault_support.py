"""Real processes for the storage fault tests: gunicorn on loopback, and a throwaway PostgreSQL cluster.

Both are bounded (timeouts everywhere) and stopped by their own pid whatever the test does. When the
suite runs as root (CI), PostgreSQL (which refuses root) runs as ``nobody``, and gunicorn runs without
the capability that lets root write a read-only file (``setpriv``: no CAP_DAC_OVERRIDE), as the service
runs in production, so a read-only file is read-only to it.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unprivileged() -> dict:
    """``Popen`` arguments that run a child as ``nobody`` when we are root (else as ourselves)."""
    if os.geteuid() != 0:
        return {}
    nobody = pwd.getpwnam("nobody")
    return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}


def without_override() -> list[str]:
    """A command prefix that takes from root the power to ignore file permissions (a no-op otherwise)."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


def give_away(path: Path) -> None:
    """Let ``nobody`` own ``path`` and everything in it (a no-op when we are not root)."""
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        for item in [path, *path.rglob("*")]:
            os.chown(item, nobody.pw_uid, nobody.pw_gid)


@contextlib.contextmanager
def private_dir() -> Iterator[Path]:
    """A temporary directory ``nobody`` can reach (pytest's tmp_path is root's, mode 0700)."""
    path = Path(tempfile.mkdtemp(prefix="bcf-faults-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def request(base: str, method: str, path: str, secret: str | None = None, body=None,
            headers: dict[str, str] | None = None, timeout: float = 30):
    """One HTTP request: (status, headers, parsed body or raw text). Connection errors are raised."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if secret:
            sent["Authorization"] = f"Bearer {secret}"
        connection.request(method, path, body=None if body is None else json.dumps(body), headers=sent)
        response = connection.getresponse()
        raw = response.read().decode()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw
        return response.status, response.headers, parsed
    finally:
        connection.close()


class Gunicorn:
    """``gunicorn wsgi:app`` on 127.0.0.1 with ``env``; its combined log in ``log_path``."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 2,
                 honour_permissions: bool = False):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env}
        prefix = without_override() if honour_permissions else []
        self.process = subprocess.Popen(
            [*prefix, sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--graceful-timeout", "5", "wsgi:app"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self.wait_until_up()

    def wait_until_up(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                if request(self.base, "GET", "/api/v1/health", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"gunicorn did not start:\n{self.log()}")
            time.sleep(0.2)

    def workers(self) -> list[int]:
        """The worker processes' pids (the master's children; setpriv execs gunicorn in its own process)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._log.close()


class PostgresCluster:
    """A throwaway cluster in ``directory``, from the same binaries ``scripts/test-services`` uses."""

    def __init__(self, directory: Path):
        found = sorted(Path("/").glob(PG_BIN_GLOB.lstrip("/")),
                       key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
        if not found or not (found[-1] / "initdb").exists():
            if os.environ.get("CI") == "true":
                pytest.fail("CI=true but PostgreSQL's binaries are missing: the fault tests must run")
            pytest.skip("PostgreSQL binaries not installed (make test installs them)")
        self.bin = found[-1]
        self.directory = directory
        self.data = directory / "pg"
        self.port = free_port()
        self.url = f"postgresql+psycopg://bcf@127.0.0.1:{self.port}/postgres"
        give_away(directory)
        self._run("initdb", "-D", str(self.data), "-U", "bcf", "--auth=trust", "-E", "UTF8")
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run([str(self.bin / tool), *args], capture_output=True, text=True, timeout=120,
                              **unprivileged())
        assert done.returncode == 0, f"{tool}: {done.stderr}"

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-l", str(self.directory / "pg.log"),
                  "-o", f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off",
                  "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-m", "fast", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def destroy(self) -> None:
        if self.running():
            self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-m", "immediate", "stop")
