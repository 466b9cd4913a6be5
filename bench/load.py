"""Load benchmark (locust, loopback only, bounded in time): simulated walls polling the data version, leaders
drilling down and analysts exporting, against gunicorn with the production config (gunicorn.conf.py,
COCKPIT_ENV=production: walls by kiosk token, leaders and analysts logged in) on PostgreSQL + Redis. Two scenarios
in turn: the usual mix, then heavy analysts (eight analysts, three downloads each, streaming the largest export
back to back while the walls poll; a "busy, try again" answer is expected and counted as heavy_busy, not as an
error). Prints throughput, p50/p95/p99 and errors per request kind; the last line is one JSON object.

    python bench/load.py [--walls 200] [--leaders 20] [--analysts 5] [--heavy 8] [--seconds 60] [--workers 2]

What a request kind is:
  poll        GET /api/version, what every wall sends every COCKPIT_POLL_SECONDS (5 s)
  wall_first  a wall's first load: GET / (HTML shell) and the page-content callback that renders the wall (once)
  drill       the page-content callback (POST /_dash-update-component, the body dash-renderer sends on navigation)
              that renders /departments, /departments/<code>, /chains, /chains/<code> or /chains/<code>/<segment>:
              the server work of opening a drill-down view; think time 1-3 s between views
  drill_html  GET of the same path (the HTML shell; the browser then posts the callback above)
  export      GET /export/observations.csv or /export/cases.csv, the whole CSV read; think time 5-10 s
  heavy_export  GET /export/cases.csv, all 87k demo cases (about 21 MB), read whole, 0.2-1 s between downloads;
              a 429/503 with Retry-After is a busy answer (heavy_busy)
The store is the demo history in a throwaway database on the shared PostgreSQL (dropped at the end); the cache is
Redis db 14 on 127.0.0.1:6379 (flushed before and after). Callbacks and the login form carry the CSRF token as
dash-renderer and the login page do. Locust runs in this process, on the same two cores as the server.
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
KINDS = ["poll", "wall_first", "drill", "drill_html", "export", "heavy_export"]
KIOSK = uuid.uuid4().hex
PASSWORD = "bench-" + uuid.uuid4().hex[:12]


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

    account = ""  # the user a browser logs in as; walls open with the kiosk token instead

    def on_start(self):
        if isinstance(self, Wall):
            self.client.get(f"/?kiosk={KIOSK}", name="wall_first")
        else:
            self.client.get("/login", name="login")
            with self.client.post("/login", data={"username": self.account, "password": PASSWORD, "next": "/"},
                                  headers=self._csrf(), name="login", catch_response=True) as resp:
                if resp.status_code != 200 or b"wrong user name" in resp.content:
                    resp.failure(f"login as {self.account}: HTTP {resp.status_code}")
        self.csrf = self._csrf()

    def _csrf(self) -> dict:
        return {"X-CSRFToken": next((c.value for c in self.client.cookiejar if c.name == "_csrf_token"), "")}

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
    account = "bench-leader"
    wait_time = between(1, 3)
    paths: list[str] = []

    @task
    def drill(self):
        path = random.choice(self.paths)
        search = random.choice(["", "", "?lang=en", "?from=2024&to=2026"])
        self.client.get(path + search, name="drill_html", headers={"Accept": "text/html"})
        self.render(path, "drill", search)


class Analyst(Browser):
    """Each analyst logs in as an account of its own (COCKPIT_EXPORTS_PER_USER counts per account)."""
    fixed_count = 5
    wait_time = between(5, 10)
    departments: list[str] = []
    made = 0

    def on_start(self):
        Analyst.made += 1
        self.account = f"bench-analyst-{Analyst.made}"
        super().on_start()

    @task
    def export(self):
        url = random.choice(["/export/observations.csv?indicator=rd_intensity",
                             "/export/observations.csv?indicator=rd_spending",
                             f"/export/cases.csv?department={random.choice(self.departments)}&from=2026"])
        with self.client.get(url, name="export", catch_response=True) as resp:
            if resp.status_code != 200 or b"#sha256" not in resp.content:
                resp.failure(f"HTTP {resp.status_code} or no snapshot footer")


class HeavyAnalyst(Browser):
    """One download tab of one of the heavy analysts: three tabs per analyst, each streaming the largest export
    again as soon as the last one ended."""
    fixed_count = 24
    wait_time = between(0.2, 1.0)
    tabs = 3
    made = 0
    busy = 0
    done: list[float] = []

    def on_start(self):
        HeavyAnalyst.made += 1
        self.account = f"bench-heavy-{(HeavyAnalyst.made - 1) // self.tabs + 1}"
        super().on_start()

    @task
    def export(self):
        started = time.perf_counter()
        with self.client.get("/export/cases.csv", name="heavy_export", catch_response=True) as resp:
            if resp.status_code in (429, 503) and resp.headers.get("Retry-After"):
                HeavyAnalyst.busy += 1
                resp.success()
            elif resp.status_code != 200 or b"#sha256" not in resp.content[-300:]:
                resp.failure(f"HTTP {resp.status_code} or no snapshot footer")
            else:
                HeavyAnalyst.done.append((time.perf_counter() - started) * 1000)


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
    ap.add_argument("--heavy", type=int, default=8, help="heavy analysts (three download tabs each); 0 skips")
    ap.add_argument("--seconds", type=float, default=60, help="of each scenario")
    ap.add_argument("--scenarios", default="usual,heavy", help="which scenarios to run, in turn")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=None, help="gthread threads per worker (gunicorn.conf.py's)")
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
    store = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    env = dict(os.environ, DATABASE_URL=store, CACHE_REDIS_URL=REDIS_URL, COCKPIT_DATA_DIR=str(data),
               COCKPIT_RUN_SCHEDULER="0", COCKPIT_ENV="production", COCKPIT_SECRET_KEY=uuid.uuid4().hex * 2,
               COCKPIT_KIOSK_TOKEN=KIOSK, COCKPIT_LOGIN_RATE_LIMIT="10000 per minute")
    server = None
    try:
        subprocess.run([sys.executable, "-m", "cockpit.cli", "demo"], env=env, cwd=ROOT, check=True,
                       capture_output=True, timeout=600)
        add_accounts(store, args.analysts, args.heavy)
        port = free_port()
        out = subprocess.run([sys.executable, "-m", "gunicorn", "--help"], capture_output=True, text=True).stdout
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "app:server", "--workers", str(args.workers), "--bind",
             f"127.0.0.1:{port}", *(["--threads", str(args.threads)] if args.threads else []),
             *(["--no-control-socket"] if "--no-control-socket" in out else [])],
            env=env, cwd=ROOT, stdout=open(data / "gunicorn.log", "ab"), stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        wait_up(url + "/healthz", server)
        summary = {"bench": "load"}
        if "usual" in args.scenarios:
            summary.update(run_load(url, args, [(Wall, args.walls), (Leader, args.leaders), (Analyst, args.analysts)],
                                    ""))
        if args.heavy and "heavy" in args.scenarios:
            summary.update(run_load(url, args, [(Wall, args.walls), (HeavyAnalyst, args.heavy * HeavyAnalyst.tabs)],
                                    "heavy_"))
        summary["load_average"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        if server:
            server.terminate()
            server.wait(30)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        cache.flushdb()
    print(json.dumps(summary))


def add_accounts(store: str, analysts: int, heavy: int) -> None:
    from etl.accounts import add_user
    from etl.store import make_engine
    engine = make_engine(store)
    add_user(engine, "bench-leader", PASSWORD, "leader")
    for n in range(1, analysts + 1):
        add_user(engine, f"bench-analyst-{n}", PASSWORD, "analyst")
    for n in range(1, heavy + 1):
        add_user(engine, f"bench-heavy-{n}", PASSWORD, "analyst")
    engine.dispose()


def run_load(url: str, args, classes: list, prefix: str) -> dict:
    """One scenario: `classes` as (user class, count); figures keyed with `prefix` ("" or "heavy_")."""
    from etl.catalogue import read_catalogue
    for cls, count in classes:
        cls.fixed_count = count
    Leader.paths = drill_paths()
    Analyst.departments = [d["code"] for d in read_catalogue()["departments"]]
    env = Environment(user_classes=[cls for cls, _ in classes], host=url)
    runner = env.create_local_runner()
    users = sum(count for _, count in classes)
    runner.start(users, spawn_rate=max(20, users / 10))
    while runner.user_count < users:
        gevent.sleep(0.2)
    gevent.sleep(10)  # every wall has had its first load; measure the steady state from here
    env.stats.reset_all()
    HeavyAnalyst.busy, HeavyAnalyst.done = 0, []
    load_before = os.getloadavg()[0]
    started = time.time()
    gevent.sleep(args.seconds)
    elapsed = time.time() - started
    load_after = os.getloadavg()[0]
    runner.quit()

    print(f"{prefix or 'usual '}scenario: {users} users ({', '.join(f'{n} {c.__name__}' for c, n in classes)}) for "
          f"{elapsed:.0f} s against gunicorn --workers {args.workers} (gunicorn.conf.py) on PostgreSQL + Redis at "
          f"{url}; load average {load_before:.2f} at the start, {load_after:.2f} at the end")
    print(f"{'kind':<13} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7}")
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
        print(f"{kind:<13} {s.num_requests:>9} {s.num_requests / elapsed:>7.1f} {figures[kind]['p50']:>7.0f} "
              f"{figures[kind]['p95']:>7.0f} {figures[kind]['p99']:>7.0f} {s.num_failures:>7}")
    total = env.stats.total
    print(f"{'all':<13} {total.num_requests:>9} {total.num_requests / elapsed:>7.1f}{'':>24} {total.num_failures:>7}")
    for err in env.stats.errors.values():
        print(f"error {err.method} {err.name}: {err.error} x{err.occurrences}")
    pick = lambda kind: round(figures.get(kind, {}).get("p95") or 0, 1)
    if prefix:
        done = sorted(HeavyAnalyst.done)
        print(f"heavy exports: {len(done)} streamed whole (p50 {done[len(done) // 2] if done else 0:.0f} ms), "
              f"{HeavyAnalyst.busy} busy answers")
        return {"heavy_requests": total.num_requests, "heavy_errors": total.num_failures,
                "heavy_poll_p95_ms": pick("poll"), "heavy_busy": HeavyAnalyst.busy, "heavy_exports": len(done),
                "heavy_load_average": [round(load_before, 2), round(load_after, 2)]}
    return {"bench": "load", "requests": total.num_requests, "errors": total.num_failures,
            "poll_p95_ms": pick("poll"), "drill_p95_ms": pick("drill"), "export_p95_ms": pick("export"),
            "load_average": [round(load_before, 2), round(load_after, 2)]}


if __name__ == "__main__":
    main()
