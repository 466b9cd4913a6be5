"""Fault tolerance, each proven against real processes: PostgreSQL stopped mid-load, the web process killed while
walls poll, a failing source turning the freshness stamp amber, Redis down, and hostile requests on every route.
(Two scheduler processes sharing the store are tested in test_schedule.py::test_two_scheduler_processes_run_each_tick_once.)"""
from __future__ import annotations

import contextvars
import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
from sqlalchemy import select

from browser.harness import ROOT, cockpit, store_env
from etl import load, migrate, schedule
from etl.catalogue import read_catalogue
from etl.jobs import Job
from etl.store import EtlRun, JobLock, Observation, make_engine
from faults.hostile import QUERY_KEYS, SUFFIXES, VALUES, callback_bodies, page_request
from faults.servers import Gunicorn, ThrowawayPostgres, ThrowawayRedis

POLL = 1  # seconds: walls under test poll fast
API_EVERY = 8  # the test API job's interval: amber after 2 intervals without a success, red after 4
CATALOGUE = read_catalogue()
DEPARTMENT, CHAIN = CATALOGUE["departments"][0]["code"], CATALOGUE["chains"][0]["code"]
SEGMENT = CATALOGUE["chains"][0]["segments"][0]["code"]


def _csv(path, rows: list[tuple]) -> None:
    path.write_text("indicator,period,scope,value\n" + "".join(f"{i},{p},{s},{v}\n" for i, p, s, v in rows),
                    encoding="utf-8")


def _observations(engine) -> dict:
    with engine.connect() as conn:
        return {(r.indicator_code, r.period): r.value for r in conn.execute(
            select(Observation.indicator_code, Observation.period, Observation.value))}


@pytest.fixture
def throwaway_pg():
    try:
        pg = ThrowawayPostgres()
    except (FileNotFoundError, OSError) as exc:
        pytest.skip(f"no PostgreSQL binaries to start a throwaway server: {exc}")
    try:
        yield pg.start()
    finally:
        pg.cleanup()


def test_postgres_stopped_mid_load_fails_the_run_shows_nothing_partial_and_the_next_tick_succeeds(
        throwaway_pg, tmp_path, monkeypatch):
    engine = make_engine(throwaway_pg.url)
    migrate.prepare(engine, read_catalogue())
    drop = tmp_path / "drop"
    drop.mkdir()
    job = Job(name="drop", source="file_drop", options={"folder": str(drop), "settle_seconds": 0}, trigger={"every": "5m"}, retries=0)
    _csv(drop / "a.csv", [("rd_intensity", 2019, "county", 4.1)])
    assert schedule.run_job(engine, job, "2026-01-01T00:00:00").status == "success"
    before = _observations(engine)

    # Two files are two batches upserted in one transaction; the server is stopped after the first is written.
    _csv(drop / "b1.csv", [("rd_intensity", 2019, "county", 9.9), ("rd_intensity", 2020, "county", 4.2)])
    _csv(drop / "b2.csv", [("rd_intensity", 2021, "county", 4.3)])
    first_written, stopped = threading.Event(), threading.Event()
    real_load_batch = load._load_batch

    def load_batch_then_pause(conn, batch, *args):
        out = real_load_batch(conn, batch, *args)
        if not first_written.is_set():
            first_written.set()
            assert stopped.wait(60)
        return out

    monkeypatch.setattr(load, "_load_batch", load_batch_then_pause)
    outcome = {}

    def tick():
        try:
            outcome["result"] = schedule.run_job(engine, job, "2026-01-01T00:05:00")
        except Exception as exc:
            outcome["error"] = exc

    runner = threading.Thread(target=tick)
    runner.start()
    assert first_written.wait(60)
    throwaway_pg.stop("immediate")
    stopped.set()
    runner.join(60)
    monkeypatch.setattr(load, "_load_batch", real_load_batch)
    assert "error" not in outcome, outcome["error"]  # the tick ends cleanly: no exception escapes run_job
    interrupted = outcome["result"]
    assert interrupted.status == "failed" and "OperationalError" in interrupted.error
    assert sorted(p.name for p in drop.iterdir() if p.is_file()) == ["b1.csv", "b2.csv"]  # kept for the retry

    throwaway_pg.start()
    assert _observations(engine) == before  # the first batch was written, then rolled back with its transaction
    result = schedule.run_job(engine, job, "2026-01-01T00:10:00")  # the next tick, same process
    assert result is not None and result.status == "success", result
    after = _observations(engine)
    assert after[("rd_intensity", "2019")] == 9.9 and after[("rd_intensity", "2021")] == 4.3
    with engine.connect() as conn:
        runs = dict(conn.execute(select(EtlRun.id, EtlRun.status)).all())
        error = conn.execute(select(EtlRun.error).where(EtlRun.id == interrupted.run_id)).scalar_one()
        lock = conn.execute(select(JobLock.owner, JobLock.locked_until).where(JobLock.job == "drop")).one()
    assert runs == {1: "success", interrupted.run_id: "failed", result.run_id: "success"}
    assert "interrupted" in error  # recorded by the next run, since the store was down when this one failed
    assert tuple(lock) == (None, None)
    engine.dispose()


# --- a throwaway API the "api" job reads, which the tests make fail --------------------------------------------

class FlakyApi:
    """Answers good JSON, HTTP 500, garbage or hangs, as `mode` says."""

    def __init__(self):
        api = self
        self.mode, self.value = "ok", 6.25

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if api.mode == "hang":
                    time.sleep(3)
                status, body = {"ok": (200, json.dumps([{"ind": "rd_intensity", "period": "2026", "scope": "county",
                                                         "v": api.value}]).encode()),
                                "500": (500, b"Internal Server Error"),
                                "garbage": (200, b"\x00\xffnot json{{")}.get(api.mode, (200, b"[]"))
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client timed out and went away
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/obs"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def api():
    server = FlakyApi()
    yield server
    server.server.shutdown()


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory, api):
    """A demo SQLite store and a schedule with one HTTP job (never started by a scheduler: the tests run it)."""
    data = tmp_path_factory.mktemp("faults")
    sched = data / "schedule.toml"
    sched.write_text(f'''[[jobs]]
name = "api"
source = "http_json"
retries = 0
trigger = {{ every = "{API_EVERY}s" }}
options = {{ url = "{api.url}", page_param = "", timeout = 0.5, retries = 0, fields = {{ indicator = "ind", period = "period", scope = "scope", value = "v" }} }}
''', encoding="utf-8")
    cockpit(store_env(data), "demo")  # the demo jobs of the bundled schedule
    return store_env(data, COCKPIT_POLL_SECONDS=POLL, COCKPIT_SCHEDULE=sched)


def _settings(env: dict, **extra) -> dict:
    keys = ("COCKPIT_DATA_DIR", "COCKPIT_SCHEDULE", "COCKPIT_POLL_SECONDS", "DATABASE_URL")
    return {**{k: env[k] for k in keys}, **extra}


def _client(app):
    client = app.server.test_client()
    client.get("/")  # sets the _csrf_token cookie dash-renderer sends back as X-CSRFToken
    return client, {"X-CSRFToken": client.get_cookie("_csrf_token").value}


def _render(client, headers, path: str, search: str = ""):
    return client.post("/_dash-update-component", json=page_request(path, search), headers=headers)


SCREENS = ["/", "/departments", f"/departments/{DEPARTMENT}", "/chains", f"/chains/{CHAIN}",
           f"/chains/{CHAIN}/{SEGMENT}"]


# --- Redis down: pages still serve, uncached ---------------------------------------------------------------------

def test_redis_down_pages_polls_and_exports_still_answer_uncached(demo_env):
    try:
        redis_server = ThrowawayRedis().start()
    except (FileNotFoundError, OSError) as exc:
        pytest.skip(f"cannot start a throwaway redis-server: {exc}")
    import redis
    from cockpit import create_app
    try:
        app = create_app(**_settings(demo_env, CACHE_REDIS_URL=redis_server.url))
        client, headers = _client(app)
        rendered = {path: _render(client, headers, path).get_data(as_text=True) for path in SCREENS}
        assert redis.Redis.from_url(redis_server.url).dbsize() > 0  # the cache was in Redis while it was up
        redis_server.kill()

        started = time.time()
        for path in SCREENS:
            resp = _render(client, headers, path)
            assert resp.status_code == 200, (path, resp.status_code)
            body = resp.get_data(as_text=True)
            assert "drill-error" not in body and "wall offline" not in body, path
            assert len(body) > 0.5 * len(rendered[path]), path  # the whole screen, not a fallback frame
        assert "wall-kpi-rd_intensity" in _render(client, headers, "/").get_data(as_text=True)
        for path in ["/", "/departments", "/chains", "/healthz", "/readyz"]:
            assert client.get(path, headers={"Accept": "text/html"}).status_code == 200, path
        version = client.get("/api/version")
        assert version.status_code == 200 and version.json["v"] > 0
        export = client.get("/export/observations.csv?indicator=rd_intensity")
        assert export.status_code == 200 and b"rd_intensity" in export.data
        assert time.time() - started < 15  # a dead cache is skipped, not waited for on every call
    finally:
        redis_server.kill()


# --- malformed and hostile requests: 4xx, never 500, never a traceback ----------------------------------------

def _no_500(resp, what) -> None:
    body = resp.get_data().decode("utf-8", "replace")
    assert resp.status_code < 500, (what, resp.status_code, body[:300])
    assert "Traceback" not in body and 'File "/' not in body, (what, body[:300])


def test_hostile_paths_queries_and_callback_bodies_never_answer_5xx(demo_env):
    # Dash's GET /_dash-layout and /_dash-dependencies set its current-app context variable in the caller's
    # context (dash._get_app.with_app_context); in a fresh context it cannot leak into later tests' create_app.
    contextvars.copy_context().run(_hostile_requests, demo_env)


def _hostile_requests(demo_env):
    from dash import page_registry

    from cockpit import create_app
    app = create_app(**_settings(demo_env))
    client, headers = _client(app)
    rules = sorted({r.rule.split("<")[0].rstrip("/") for r in app.server.url_map.iter_rules()})
    pages = sorted({p["path"] for p in page_registry.values()} | set(SCREENS) | {"/chains/x/y", "/ops/nope"})
    checked = 0
    for base in rules + pages:
        for suffix in SUFFIXES:
            path = "/" + (base + suffix).lstrip("/")  # the test client reads //x as a host (raw ones: gunicorn test)
            _no_500(client.get(path, headers={"Accept": "text/html"}), path)
        for key in QUERY_KEYS:
            for value in VALUES:
                url = f"{base or '/'}?{key}={quote(value, safe='')}"
                _no_500(client.get(url, headers={"Accept": "text/html"}), url)
                checked += 1
    for path in pages + ["/" + (p + s).lstrip("/") for p in pages for s in SUFFIXES[1:6]]:
        for key in QUERY_KEYS[:8]:
            for value in VALUES[::2]:
                _no_500(_render(client, headers, path, f"?{key}={quote(value, safe='')}"), (path, key, value))
                checked += 1
    for body in callback_bodies(app.callback_map):
        kwargs = {"data": body, "content_type": "application/json"} if isinstance(body, bytes) else {"json": body}
        with_token = client.post("/_dash-update-component", headers=headers, **kwargs)
        _no_500(with_token, body)
        assert with_token.status_code in (200, 204, 400), (with_token.status_code, str(body)[:200])
        without = client.post("/_dash-update-component", **kwargs)
        _no_500(without, body)
        assert without.status_code == 400  # CSRF first: no token, no callback
        checked += 2
    unknown = client.post("/_dash-update-component", headers=headers,
                          json={"output": "no-such-id.children", "outputs": {"id": "no-such-id", "property": "children"},
                                "inputs": [{"id": "x", "property": "value", "value": 1}], "changedPropIds": ["x.value"]})
    assert unknown.status_code == 400 and unknown.json["reason"] == "unknown callback output"
    huge = client.post("/_dash-update-component", headers=headers, data=b"[" * (8 << 20), content_type="application/json")
    assert huge.status_code == 413
    # and a well-formed request still works: the hardening refuses only what Dash could not run
    assert _render(client, headers, "/departments").status_code == 200
    assert checked > 2000


# --- the web process under gunicorn, and walls in headless Chromium -----------------------------------------------

@pytest.fixture(scope="module")
def web(demo_env, tmp_path_factory):
    server = Gunicorn(demo_env, tmp_path_factory.mktemp("gunicorn") / "gunicorn.log", workers=2).start()
    yield server
    server.stop()


def _open_wall(browser, url: str):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(url + "/")
    page.wait_for_selector("#wall-panel-depts .js-plotly-plot .bars", timeout=60_000)  # cold workers, busy CI
    page.wait_for_function("() => document.body.dataset.rendered !== undefined")
    page.evaluate("() => { window.__sameDocument = true; }")
    return page


def _run_job(env: dict, name: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cockpit.cli", "etl", "run", name], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_raw_hostile_request_lines_never_answer_5xx(web):
    import socket
    for target in ["//evil.example/x", "/../../etc/passwd", "/%00", "/departments/%ff%fe?lang=%00",
                   "/_dash-component-suites/../../etc/passwd", "/" + "a" * 6000, "/api/version?" + "x=" * 3000]:
        with socket.create_connection(("127.0.0.1", web.port), timeout=10) as sock:
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nConnection: close\r\n\r\n".encode())
            head = sock.recv(4096).decode("latin-1")
        status = int(head.split()[1])
        assert status < 500, (target[:60], head[:200])


@pytest.mark.browser
def test_failing_source_keeps_the_data_and_turns_the_freshness_stamp_amber(web, browser, demo_env, api):
    page = _open_wall(browser, web.url)
    api.mode = "ok"
    ok = _run_job(demo_env, "api")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    page.wait_for_function("() => document.getElementById('wall-kpi-rd_intensity').textContent === '6.25'",
                           timeout=15_000)
    page.wait_for_function("() => document.getElementById('wall-freshness').classList.contains('ok')", timeout=5_000)
    last_ok = dict((j[0], j[1]) for j in page.evaluate("() => fetch('/api/version').then(r => r.json())")["jobs"])["api"]

    for mode in ("500", "garbage", "hang"):
        api.mode = mode
        failed = _run_job(demo_env, "api")
        assert failed.returncode == 1 and "failed" in failed.stdout, (mode, failed.stdout, failed.stderr)
    poll = page.evaluate("() => fetch('/api/version').then(r => r.json())")
    assert dict((j[0], j[1]) for j in poll["jobs"])["api"] == last_ok  # the last success stays the old one
    # two intervals without a success: amber (the wall computes it from the poll, see clientside.js)
    page.wait_for_function("() => document.getElementById('wall-freshness').classList.contains('amber')",
                           timeout=(4 * API_EVERY) * 1000)
    assert page.inner_text("#wall-kpi-rd_intensity") == "6.25"  # the previous data stays on the wall
    assert page.evaluate("() => window.__sameDocument") is True
    page.close()


@pytest.mark.browser
def test_walls_recover_by_themselves_after_gunicorn_is_killed_and_restarted(web, browser, demo_env, tmp_path):
    page = _open_wall(browser, web.url)
    killed = web.kill()
    assert len(killed) == 3  # the master and two workers
    page.wait_for_function("() => document.body.classList.contains('offline')", timeout=15_000)
    assert page.is_visible("#wall-reconnect")
    assert page.is_visible("#wall-panel-depts .js-plotly-plot .bars")  # the last render stays up
    data = tmp_path / "while-down.csv"
    data.write_text("indicator,period,scope,value\ntalent_introduced,2026,county,4321\n", encoding="utf-8")
    cockpit(demo_env, "etl", "run-file", str(data))
    web.start()
    page.wait_for_function("() => !document.body.classList.contains('offline')", timeout=20_000)
    page.wait_for_function("() => document.getElementById('wall-kpi-talent_introduced').textContent === '4,321'",
                           timeout=20_000)
    assert not page.is_visible("#wall-reconnect")
    assert page.evaluate("() => window.__sameDocument") is True  # recovered without a reload
    page.close()
