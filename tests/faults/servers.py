"""Throwaway servers the fault tests stop and start at will: a PostgreSQL cluster, a Redis and gunicorn, each on a
free port in its own temp folder (the shared PostgreSQL on 5432 and Redis on 6379 are never touched)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from browser.harness import ROOT, free_port, wait_up


def _as_postgres(args: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; as root we run them as the postgres OS user
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class ThrowawayPostgres:
    """initdb + pg_ctl in a temp folder under /tmp (readable by the postgres user, unlike pytest's tmp_path)."""

    def __init__(self):
        if not shutil.which("initdb") or not shutil.which("pg_ctl"):
            raise FileNotFoundError("initdb/pg_ctl not in PATH")
        self.base = Path(tempfile.mkdtemp(prefix="cockpit-pg-"))
        self.data, self.log, self.port = self.base / "data", self.base / "server.log", free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        subprocess.run(_as_postgres(["initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                                     "--no-sync"]), check=True, capture_output=True, timeout=120)

    def start(self) -> "ThrowawayPostgres":
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(_as_postgres(["pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w",
                                     "-t", "60", "start"]), check=True, capture_output=True, timeout=90)
        return self

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` is a crash as far as clients can tell: every connection is cut mid-statement."""
        subprocess.run(_as_postgres(["pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop"]),
                       capture_output=True, timeout=60)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


class ThrowawayRedis:
    def __init__(self):
        if not shutil.which("redis-server"):
            raise FileNotFoundError("redis-server not in PATH")
        self.port, self.proc = free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "ThrowawayRedis":
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--daemonize", "no"], stdout=subprocess.DEVNULL)
        import redis
        client = redis.Redis.from_url(self.url)
        deadline = time.time() + 10
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None


class Gunicorn:
    """`gunicorn app:server` with N workers; kill() is kill -9 of the master and every worker."""

    def __init__(self, env: dict, log: Path, workers: int = 2, port: int | None = None):
        self.env, self.log, self.workers = dict(env), log, workers
        self.port = port or free_port()
        self.url, self.proc = f"http://127.0.0.1:{self.port}", None

    def start(self, timeout: float = 60.0) -> "Gunicorn":
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "app:server", "--workers", str(self.workers), "--bind",
             f"127.0.0.1:{self.port}", "--timeout", "60", "--graceful-timeout", "2", *self._no_control_socket()],
            env=self.env, cwd=ROOT, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        wait_up(self.url + "/api/version", timeout)
        return self

    @staticmethod
    def _no_control_socket() -> list[str]:
        # gunicorn 23+ opens a control socket at one fixed path per user; parallel test servers would fight over it
        out = subprocess.run([sys.executable, "-m", "gunicorn", "--help"], capture_output=True, text=True).stdout
        return ["--no-control-socket"] if "--no-control-socket" in out else []

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def kill(self) -> list[int]:
        """SIGKILL the master and its workers (no graceful shutdown, as an OOM kill or a power cut would)."""
        pids = [self.proc.pid, *self.worker_pids()]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(10)
        deadline = time.time() + 10
        while time.time() < deadline and any(_alive(p) for p in pids[1:]):
            time.sleep(0.05)
        self.proc = None
        return pids

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # an orphaned worker killed by SIGKILL may linger as a zombie until init reaps it
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False
