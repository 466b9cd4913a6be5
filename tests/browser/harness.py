"""A cockpit server in a subprocess on a free port against its own SQLite store, and the Chromium launch flags."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def store_env(data_dir: Path, **extra) -> dict:
    env = dict(os.environ, COCKPIT_DATA_DIR=str(data_dir), COCKPIT_RUN_SCHEDULER="0", DATABASE_URL="")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def cockpit(env: dict, *args: str) -> subprocess.CompletedProcess:
    """Run the `cockpit` CLI against the test store (seeding with `demo`, loading with `etl run-file`)."""
    return subprocess.run([sys.executable, "-m", "cockpit.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)


def wait_up(url: str, timeout: float = 60.0) -> None:  # a loaded 2-core CI machine starts slowly
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not come up in {timeout}s")


class AppServer:
    """`python app.py` on `port`; start() and stop() can be repeated to test that walls outlive restarts."""

    def __init__(self, env: dict, port: int, log: Path):
        self.env, self.port, self.log, self.proc = dict(env, PORT=str(port), HOST="127.0.0.1"), port, log, None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> "AppServer":
        self.proc = subprocess.Popen([sys.executable, "app.py"], env=self.env, cwd=ROOT,
                                     stdout=open(self.log, "ab"), stderr=subprocess.STDOUT)
        wait_up(self.url + "/api/version")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def demo_server(tmp_path_factory, name: str, port: int | None = None, **extra):
    """A module fixture's body: the demo loaded into a store of its own, `python app.py` on it (a free port unless
    given); yields the started AppServer and stops it after."""
    env = store_env(tmp_path_factory.mktemp(name), **extra)
    cockpit(env, "demo")
    srv = AppServer(env, port or free_port(), tmp_path_factory.mktemp("log") / "app.log").start()
    try:
        yield srv
    finally:
        srv.stop()
