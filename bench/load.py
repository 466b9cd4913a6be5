"""Load benchmark (locust, loopback only, bounded in time): simulated walls polling the data version, leaders
drilling down and analysts exporting, against gunicorn on PostgreSQL + Redis. Prints throughput, p50/p95/p99 and
errors per request kind; the last line is one JSON object.

    python bench/load.py [--walls 200] [--leaders 20] [--analysts 5] [--seconds 60] [--workers 2] [--threads 4]

What a request kind is:
  poll        GET /api/version, what every wall sends every COCKPIT_POLL_SECONDS (5 s)
  wall_first  a wall's first load: GET / (HTML shell) and the page-content callback that renders the wall (once)
  drill       the page-content callback (POST /_dash-update-component, the body dash-renderer sends on navigation)
              that renders /departments, /departments/<code>, /chains, /chains/<code> or /chains/<code>/<segment>:
              the server work of opening a drill-down view; think time 1-3 s between views
  drill_html  GET of the same path (the HTML shell; the browser then posts the callback above)
  export      GET /export/observations.csv or /export/cases.csv, the whole CSV read; think time 5-10 s
The store is the demo history in a throwaway database on the shared PostgreSQL (dropped at the end); the cache is
Redis db 14 on 127.0.0.1:6379 (flushed before and after). Access is open (development mode); callbacks carry the
CSRF token as dash-renderer does. Locust runs in this process, on the same two cores as the server.
"""
from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/load.py`, this folder comes first on sys.path and bench/etl.py would shadow the etl package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

from gevent import monkey  # noqa: E402  (locust needs the patch before anything opens a socket)

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import gevent  # noqa: E402
from locust import FastHttpUser, between, task  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = HERE.parent
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PAGE_CALLBACK = ".._pages_content.children..._pages_store.data.."
POLL_SECONDS = 5  # COCKPIT_POLL_SECONDS's default
KINDS = ["poll", "wall_first", "drill", "drill_html", "export"]


def page_body(pathname: str, search: str = "") -> dict:
    """What dash-renderer posts to render a page of the multi-page app."""
    return {"output": PAGE_CALLBACK,
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}


def drill_paths() -> list[str]:
    from etl.catalogue import read_catalogue
    cat = read_catalogue()
    paths = ["/departments", "/chains"] + [f"/departments/{d['code']}" for d in cat["departments"]]
    for chain in cat["chains"]:
        paths.append(f"/chains/{chain['code']}")
        paths += [f"/chains/{chain['code']}/{s['code']}" for s in chain["segments"]]
    return paths


class Browser(FastHttpUser):
    """geventhttpclient, not requests: the load generator shares the server's two cores, and requests' own CPU time
    per call would land in every measured latency."""
    abstract = True

    def on_start(self):
        self.client.get("/", name="wall_first" if isinstance(self, Wall) else "shell")
        token = next((c.value for c in self.client.cookiejar if c.name == "_csrf_token"), "")
        self.csrf = {"X-CSRFToken": token}

    def render(self, path: str, name: str, search: str = ""):
        with self.client.post("/_dash-update-component", json=page_body(path, search), headers=self.csrf, name=name,
                              catch_response=True) as resp:
            if resp.status_code != 200 or b"drill-error" in resp.content or b"wall offline" in resp.content:
                resp.failure(f"HTTP {resp.status_code} or an error layout")


class Wall(Browser):
    """Polls every POLL_SECONDS at a phase of its own, as walls switched on at random moments do. (locust's
    constant_pacing keeps the phase of the moment a user was made, and locust makes users in batches of the spawn
    rate: its walls polled in bursts of 22 at once, which measured the burst, not the server.)"""
    fixed_count = 200

    def wait_time(self) -> float:
        return POLL_SECONDS - (time.perf_counter() - self.phase) % POLL_SECONDS

    def on_start(self):
        super().on_start()
        self.render("/", "wall_first")
        self.phase = time.perf_counter() + random.uniform(0, POLL_SECONDS)

    @task
    def poll(self):
        with self.client.get("/api/version", name="poll", catch_response=True) as resp:
            if resp.status_code != 200 or b'"v":' not in resp.content:
                resp.failure(f"HTTP {resp.status_code}")


class Leader(Browser):
    fixed_count = 20
    wait_time = between(1, 3)
    paths: list[str] = []

    @task
    def drill(self):
        path = random.choice(self.paths)
        search = random.choice(["", "", "?lang=en", "?from=2024&to=2026"])
        self.client.get(path + search, name="drill_html", headers={"Accept": "text/html"})
        self.render(path, "drill", search)


class Analyst(Browser):
    fixed_count = 5
    wait_time = between(5, 10)
    departments: list[str] = []

    @task
    def export(self):
        url = random.choice(["/export/observations.csv?indicator=rd_intensity",
                             "/export/observations.csv?indicator=rd_spending",
                             f"/export/cases.csv?department={random.choice(self.departments)}&from=2026"])
        with self.client.get(url, name="export", catch_response=True) as resp:
            if resp.status_code != 200 or b"#sha256" not in resp.content:
                resp.failure(f"HTTP {resp.status_code} or no snapshot footer")


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, server, timeout: float = 60) -> None:
    import urllib.request
    deadline = time.time() + timeout
    while True:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see its log")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--walls", type=int, default=200)
    ap.add_argument("--leaders", type=int, default=20)
    ap.add_argument("--analysts", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4,
                    help="gthread threads per worker: a poll need not queue behind an export in a sync worker")
    args = ap.parse_args()

    import redis
    from sqlalchemy import create_engine, text
    name = f"cockpit_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    cache = redis.Redis.from_url(REDIS_URL)
    cache.flushdb()
    data = Path(tempfile.mkdtemp(prefix="cockpit-bench-"))
    env = dict(os.environ, DATABASE_URL=PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", CACHE_REDIS_URL=REDIS_URL,
               COCKPIT_DATA_DIR=str(data), COCKPIT_RUN_SCHEDULER="0", COCKPIT_ENV="development")
    server = None
    try:
        subprocess.run([sys.executable, "-m", "cockpit.cli", "demo"], env=env, cwd=ROOT, check=True,
                       capture_output=True, timeout=600)
        port = free_port()
        out = subprocess.run([sys.executable, "-m", "gunicorn", "--help"], capture_output=True, text=True).stdout
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "app:server", "--workers", str(args.workers), "--bind",
             f"127.0.0.1:{port}", "--timeout", "60", "--threads", str(args.threads), "--keep-alive", "75", *(["--no-control-socket"] if "--no-control-socket" in out else [])],
            env=env, cwd=ROOT, stdout=open(data / "gunicorn.log", "ab"), stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        wait_up(url + "/api/version", server)
        summary = run_load(url, args)
    finally:
        if server:
            server.terminate()
            server.wait(30)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        cache.flushdb()
    print(json.dumps(summary))


def run_load(url: str, args) -> dict:
    from etl.catalogue import read_catalogue
    Wall.fixed_count, Leader.fixed_count, Analyst.fixed_count = args.walls, args.leaders, args.analysts
    Leader.paths = drill_paths()
    Analyst.departments = [d["code"] for d in read_catalogue()["departments"]]
    env = Environment(user_classes=[Wall, Leader, Analyst], host=url)
    runner = env.create_local_runner()
    users = args.walls + args.leaders + args.analysts
    runner.start(users, spawn_rate=max(20, users / 10))
    while runner.user_count < users:
        gevent.sleep(0.2)
    gevent.sleep(5)  # every wall has had its first load; measure the steady state from here
    env.stats.reset_all()
    started = time.time()
    gevent.sleep(args.seconds)
    elapsed = time.time() - started
    runner.quit()

    print(f"{users} users ({args.walls} walls, {args.leaders} leaders, {args.analysts} analysts) for {elapsed:.0f} s "
          f"against gunicorn --workers {args.workers} --threads {args.threads} on PostgreSQL + Redis at {url}")
    print(f"{'kind':<11} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7}")
    figures = {}
    for kind in KINDS:
        rows = [s for (n, _), s in env.stats.entries.items() if n == kind]
        if not rows:
            continue
        s = rows[0]
        for extra in rows[1:]:
            s.extend(extra)
        figures[kind] = {"n": s.num_requests, "errors": s.num_failures,
                         "p50": s.get_response_time_percentile(0.50), "p95": s.get_response_time_percentile(0.95),
                         "p99": s.get_response_time_percentile(0.99)}
        print(f"{kind:<11} {s.num_requests:>9} {s.num_requests / elapsed:>7.1f} {figures[kind]['p50']:>7.0f} "
              f"{figures[kind]['p95']:>7.0f} {figures[kind]['p99']:>7.0f} {s.num_failures:>7}")
    total = env.stats.total
    print(f"{'all':<11} {total.num_requests:>9} {total.num_requests / elapsed:>7.1f}{'':>24} {total.num_failures:>7}")
    for err in env.stats.errors.values():
        print(f"error {err.method} {err.name}: {err.error} x{err.occurrences}")
    pick = lambda kind: round(figures.get(kind, {}).get("p95") or 0, 1)
    return {"bench": "load", "requests": total.num_requests, "errors": total.num_failures,
            "poll_p95_ms": pick("poll"), "drill_p95_ms": pick("drill"), "export_p95_ms": pick("export")}


if __name__ == "__main__":
    main()
