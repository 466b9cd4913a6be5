"""A scripted JSON API on 127.0.0.1 for the HTTP source's tests: routes answer as real government APIs do, down to
servers that drip a byte a second, never stop sending, ignore the page parameter or say 系统繁忙 with HTTP 200."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from etl import load
from etl.sources import HttpJsonSource
from etl.store import EtlRun, Observation

FIELDS = {"indicator": "ind", "period": "period", "scope": "scope", "value": "v"}
FAST = {"timeout": 5, "retries": 2, "backoff": 0.01}  # a deadline a loaded 2-core machine meets


class Api:
    """`routes` maps a path to a function (query, headers) → (status, headers, body), or to a function returning a
    writer: a callable (wfile, stop) that writes the whole raw answer itself, status line and all, at its own pace."""

    def __init__(self):
        self.routes: dict = {}
        self.hits: list[tuple[str, dict, dict]] = []
        self.stop = threading.Event()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                api.hits.append((parts.path, query, dict(self.headers)))
                route = api.routes.get(parts.path)
                answer = route(query, self.headers) if route else (404, {}, {"error": "no route"})
                try:
                    if callable(answer):
                        answer(self.wfile, api.stop)
                        return
                    status, headers, body = answer
                    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
                    self.send_response(status)
                    for k, v in {"Content-Type": "application/json", **headers}.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data) if status != 304 else 0))
                    self.end_headers()
                    if status != 304:
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: that is what the deadline tests want

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self, path: str) -> list[dict]:
        return [q for p, q, _ in self.hits if p == path]


@pytest.fixture
def api():
    server = Api()
    thread = threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.stop.set()
    server.server.shutdown()
    server.server.server_close()


def pages(*pages_of_records):
    """A route that serves `?page=1..n` and an empty list after the last page."""
    def route(query, headers):
        n = int(query.get("page", 1))
        return 200, {}, list(pages_of_records[n - 1]) if n <= len(pages_of_records) else []
    return route


def drip(head: bytes, body: bytes, every: float = 1.0):
    """A writer that sends `head` at once, then `body` one byte every `every` seconds: no single read ever waits
    long, so only a deadline on the whole answer stops it."""
    def writer(wfile, stop):
        wfile.write(head)
        wfile.flush()
        for i in range(len(body)):
            if stop.wait(every):
                return
            wfile.write(body[i:i + 1])
            wfile.flush()
    return writer


def endless(wfile, stop):
    """A writer that answers 200 with a JSON list that never ends, a kilobyte every 10 ms (about 100 KB/s)."""
    wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[")
    record = json.dumps({"ind": "gdp", "period": "2020", "scope": "county", "v": 1}).encode() + b","
    while not stop.wait(0.01):
        wfile.write(record * (1024 // len(record)))
        wfile.flush()


def rec(ind, period, scope, v):
    return {"ind": ind, "period": period, "scope": scope, "v": v}


def observations(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(
            Observation.indicator_code, Observation.period, Observation.scope, Observation.value).order_by(
            Observation.indicator_code, Observation.period, Observation.scope))]


@pytest.fixture
def loaded(engine, api):
    """A store with one good load from the API, to prove that failures leave it alone."""
    api.routes["/good"] = pages([rec("gdp", "2020", "county", 471)])
    assert load.run(engine, "api", HttpJsonSource(api.url("/good"), FIELDS, **FAST)).status == "success"
    return engine


def assert_failed_run(engine, result, expected_error_start: str):
    assert result.status == "failed"
    assert result.error.startswith(expected_error_start), result.error
    assert (result.rows_loaded, result.rows_unchanged) == (0, 0)
    with engine.connect() as conn:
        assert conn.execute(select(EtlRun.status).where(EtlRun.id == result.run_id)).scalar_one() == "failed"
    assert observations(engine) == [("gdp", "2020", "county", 471.0)]
