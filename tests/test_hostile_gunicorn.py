"""The hostile requests of tests/faults/hostile.py against the real production server, gunicorn with 2 workers
and gunicorn.conf.py (issue 11 #17): header errors, framing errors and raw paths only show there, since Flask's
test client builds well-formed requests itself. Every reply is a 4xx or a 2xx/3xx, never a 5xx or a traceback,
nothing the server logs is a traceback, and the server still serves afterwards."""
from __future__ import annotations

import http.client
import socket
import time
from datetime import datetime
from urllib.parse import quote

import pytest
import requests

from browser.harness import store_env
from etl import load, migrate
from etl.catalogue import read_catalogue
from etl.sources import DemoSource
from etl.store import make_engine
from faults.hostile import QUERY_KEYS, VALUES, callback_bodies, page_request, raw_requests
from faults.servers import Gunicorn

PAGES = ["/", "/departments", "/departments/kjj", "/chains", "/chains/bearings", "/chains/bearings/bearings.precision",
         "/ops", "/login", "/export/observations.csv", "/api/wall", "/nope"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("hostile-gunicorn")
    url = f"sqlite:///{data / 'store.sqlite'}"
    engine = make_engine(url)
    migrate.prepare(engine, read_catalogue())
    assert load.run(engine, "demo-history", DemoSource(now=datetime(2026, 11, 20, 10, 30))).status == "success"
    engine.dispose()
    log = data / "gunicorn.log"
    web = Gunicorn(store_env(data, DATABASE_URL=url, CACHE_REDIS_URL=""), log, workers=2).start()
    yield web, log
    web.stop()


def _raw(port: int, request: bytes) -> tuple[int | None, bytes]:
    """Send `request` as it is; the reply's status and body (None: the server closed without a reply)."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        try:
            sock.sendall(request)
            sock.shutdown(socket.SHUT_WR)  # no more bytes: a short body ends here instead of waiting
        except OSError:  # the server answered and closed before it read everything (an oversize body)
            pass
        reply = http.client.HTTPResponse(sock)
        try:
            reply.begin()
        except (http.client.RemoteDisconnected, ConnectionResetError):
            return None, b""
        try:
            return reply.status, reply.read()
        except (http.client.IncompleteRead, ConnectionResetError) as exc:
            return reply.status, getattr(exc, "partial", b"")


def _no_5xx(status, body: bytes, what) -> None:
    text = body.decode("utf-8", "replace")
    assert status is None or status < 500, (what, status, text[:300])
    assert "Traceback" not in text and 'File "/' not in text, (what, text[:300])


def test_raw_hostile_requests_never_answer_5xx(server):
    web, log = server
    host = f"127.0.0.1:{web.port}"
    answered = 0
    for name, request in raw_requests(host):
        status, body = _raw(web.port, request)
        _no_5xx(status, body, name)
        answered += status is not None
    assert answered > 0.9 * len(raw_requests(host))  # refusals come as answers (400, 413, 414...), not hang-ups
    status, _ = _raw(web.port, f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    assert status == 200
    _no_tracebacks(log)


def test_hostile_queries_and_callback_bodies_never_answer_5xx_under_gunicorn(server):
    web, log = server
    session = requests.Session()
    assert session.get(web.url + "/", headers={"Accept": "text/html"}).status_code == 200
    headers = {"X-CSRFToken": session.cookies["_csrf_token"]}
    for page in PAGES:
        for key in QUERY_KEYS:
            for value in VALUES[1::5]:
                resp = session.get(f"{web.url}{page}?{key}={quote(value, safe='')}", headers={"Accept": "text/html"})
                _no_5xx(resp.status_code, resp.content, (page, key, value))
    for page in PAGES[:6]:
        for key in QUERY_KEYS[:8]:
            for value in VALUES[::5]:
                resp = session.post(web.url + "/_dash-update-component", headers=headers,
                                    json=page_request(page, f"?{key}={quote(value, safe='')}"))
                _no_5xx(resp.status_code, resp.content, ("render", page, key, value))
    app_map = session.get(web.url + "/_dash-dependencies").json()
    callback_map = {c["output"]: {"inputs": c["inputs"], "state": c["state"]} for c in app_map}
    for body in callback_bodies(callback_map):
        kwargs = {"data": body, "headers": {**headers, "Content-Type": "application/json"}} \
            if isinstance(body, bytes) else {"json": body, "headers": headers}
        resp = session.post(web.url + "/_dash-update-component", **kwargs)
        _no_5xx(resp.status_code, resp.content, str(body)[:200])
        assert resp.status_code in (200, 204, 400), (resp.status_code, str(body)[:200])
    assert session.get(web.url + "/departments/kjj", headers={"Accept": "text/html"}).status_code == 200
    _no_tracebacks(log)


def _no_tracebacks(log) -> None:
    time.sleep(0.2)  # let the workers flush their log lines
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text and "Error handling request" not in text, text[-3000:]
