"""Exports against a real gunicorn (2 gthread workers from gunicorn.conf.py, the demo store on SQLite, the shared
Redis): a user past COCKPIT_EXPORTS_PER_USER gets the busy answer while the first export streams, across workers;
a finished or abandoned export frees its slot; polls stay fast meanwhile; the documented period forms give an
ASCII Content-Disposition (gunicorn refuses anything else) and only exports that start are audited.
The slot bookkeeping itself (process limit, Redis down) is tested on cockpit.web.export_slots directly."""
from __future__ import annotations

import http.client
import json
import logging
import socket
import struct
import time
import urllib.request
from datetime import datetime
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from browser.harness import store_env
from cockpit.web.export_slots import Busy, Slots
from etl import load, migrate
from etl.catalogue import read_catalogue
from etl.sources import DemoSource
from etl.store import AuditEvent, make_engine
from faults.servers import Gunicorn

REDIS = "redis://127.0.0.1:6379/13"
CASES = "/export/cases.csv"  # the demo's largest export: 87k rows, about 21 MB
SMALL = "/export/observations.csv?indicator=rd_intensity"  # 250 rows


class Download:
    """One export over a socket with a 4 KB receive buffer: after the headers the client reads nothing until
    told, so the server's stream stalls (holding its slot) as behind a slow analyst's line."""

    def __init__(self, port: int, path: str, accept: str = "text/csv"):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(60)
        sock.connect(("127.0.0.1", port))
        self.sock, self.conn = sock, http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.conn.sock = sock
        self.conn.request("GET", path, headers={"Accept": accept})
        self.resp = self.conn.getresponse()
        self.status = self.resp.status

    def read_all(self) -> bytes:
        try:
            return self.resp.read()
        finally:
            self.conn.close()

    def abort(self) -> None:
        """Go away mid-download: close with a reset, as a killed browser tab does."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.resp.close()
        self.sock.close()


def get(url: str, accept: str = "text/html") -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def export_when_free(url: str, within: float = 15.0) -> tuple[int, dict, bytes]:
    """GET an export, asking again while the answer is "busy" (a slot frees when the server closes a stream)."""
    deadline = time.monotonic() + within
    while True:
        status, headers, body = get(url)
        if status != 429 or time.monotonic() > deadline:
            return status, headers, body
        time.sleep(0.2)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import redis
    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.RedisError:
        pytest.skip("Redis not reachable at 127.0.0.1:6379")
    data = tmp_path_factory.mktemp("export-limits")
    engine = make_engine(f"sqlite:///{data / 'cockpit.sqlite'}")
    migrate.prepare(engine, read_catalogue())
    assert load.run(engine, "demo-history", DemoSource(now=datetime(2026, 11, 20, 10, 30))).status == "success"
    env = store_env(data, CACHE_REDIS_URL=REDIS, COCKPIT_EXPORTS_PER_USER=1, COCKPIT_SEED_DEMO=0)
    gunicorn = Gunicorn(env, data / "gunicorn.log", workers=2).start()
    gunicorn.engine = engine
    yield gunicorn
    gunicorn.stop()
    engine.dispose()


def exports_audited(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).where(AuditEvent.action == "export")).scalar()


def test_a_second_export_of_the_same_user_is_busy_until_the_first_ends(server):
    first = Download(server.port, CASES)
    assert first.status == 200
    try:
        for _ in range(4):  # whichever worker takes it: the per-user count is shared through Redis
            status, headers, body = get(server.url + CASES)
            assert status == 429 and headers["Retry-After"].isdigit()
            assert "您已有导出正在进行".encode() in body and b"try again" in body and b"Traceback" not in body
        status, headers, body = get(server.url + CASES, accept="application/json")
        assert status == 429 and json.loads(body)["error"] == "busy"
        started = time.perf_counter()
        assert get(server.url + "/api/version")[0] == 200
        assert time.perf_counter() - started < 1.0, "a poll waits for no export"
    finally:
        body = first.read_all()
    assert body.rstrip().splitlines()[-1].startswith(b"#sha256,"), "the first export streamed to its end"
    status, _, body = export_when_free(server.url + SMALL)
    assert status == 200 and b"#sha256," in body[-200:]


def test_a_client_that_goes_away_frees_its_slot(server):
    gone = Download(server.port, CASES)
    assert gone.status == 200
    assert get(server.url + CASES)[0] == 429
    gone.abort()
    status, _, body = export_when_free(server.url + SMALL)
    assert status == 200 and b"#sha256," in body[-200:]


@pytest.mark.parametrize("start, end, name", [
    ("2026年", "2026年12月", "cases_2026_2026-12.csv"),
    ("２０２６-１１", "２０２６年１１月２０日", "cases_2026-11_2026-11-20.csv"),
])
def test_documented_period_forms_export_with_an_ascii_filename(server, start, end, name):
    before = exports_audited(server.engine)
    status, headers, body = export_when_free(f"{server.url}{CASES}?from={quote(start)}&to={quote(end)}")
    assert status == 200, body[:300]
    assert headers["Content-Disposition"] == f"attachment; filename={name}"
    assert b"#sha256," in body[-200:]
    assert exports_audited(server.engine) == before + 1, "one audit row for the export that started"
    status, _, body = get(f"{server.url}{CASES}?from={quote('2026年13月')}")
    assert status == 400 and "驾驶舱".encode() in body and b"Traceback" not in body
    assert exports_audited(server.engine) == before + 1, "none for a refused one"


def test_slots_bound_the_process_and_each_user_and_release_once():
    slots = Slots(per_user=2, total=3)
    a1, a2 = slots.acquire("a"), slots.acquire("a")
    with pytest.raises(Busy) as busy:
        slots.acquire("a")
    assert busy.value.scope == "user"
    b1 = slots.acquire("b")
    with pytest.raises(Busy) as busy:
        slots.acquire("c")
    assert busy.value.scope == "server"
    a1.release()
    a1.release()  # a stream's end and its response's close both release: once counts
    assert slots.running() == 2
    slots.acquire("c")
    for slot in (a2, b1):
        slot.release()
    assert slots.running() == 1


def test_redis_unreachable_falls_back_to_counts_in_the_process(caplog):
    slots = Slots(per_user=1, total=4, redis_url="redis://127.0.0.1:1/0")
    with caplog.at_level(logging.WARNING, logger="cockpit.web.export_slots"):
        slot = slots.acquire("a")
        with pytest.raises(Busy):
            slots.acquire("a")
        slot.release()
        slots.acquire("a").release()
    assert sum("Redis unreachable" in r.getMessage() for r in caplog.records) == 1
