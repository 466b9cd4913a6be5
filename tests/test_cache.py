"""Query memoisation keyed by data version: shared in a real Redis when CACHE_REDIS_URL is set, invalidated by a
committed load, simple in-process cache by default."""
from __future__ import annotations

import time

import pytest
import redis as redis_lib

from cockpit import create_app
from cockpit.cache import VERSION_TTL
from cockpit.queries import wall as queries
from etl import load
from etl.sources import FileDropSource

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_db():
    client = redis_lib.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis_lib.ConnectionError:
        import os
        if os.environ.get("CI"):
            pytest.fail("Redis is not running (.ci/run should have started it)")
        pytest.skip("Redis not running")
    client.flushdb()
    yield client
    client.flushdb()


def load_value(engine, tmp_path, value, name):
    path = tmp_path / name
    path.write_text(f"indicator,period,scope,value\nrd_intensity,2021,county,{value}\n", encoding="utf-8")
    assert load.run(engine, "upload", FileDropSource(files=[str(path)], move=False)).status == "success"


@pytest.mark.parametrize("cache", ["redis", "simple"])
def test_memoised_queries_follow_the_data_version(cache, store_url, engine, tmp_path, request):
    settings = {"DATABASE_URL": store_url, "COCKPIT_DATA_DIR": tmp_path}
    if cache == "redis":
        redis_client = request.getfixturevalue("redis_db")
        settings["CACHE_REDIS_URL"] = REDIS_URL
    app = create_app(**settings)
    load_value(engine, tmp_path, 4.4, "a.csv")
    with app.server.app_context():
        first = queries.county_series(engine, ("rd_intensity",))
        if cache == "redis":
            keys = [k.decode() for k in redis_client.keys("*")]
            assert any("county_series" in k for k in keys), keys
        load_value(engine, tmp_path, 4.5, "b.csv")
        assert queries.county_series(engine, ("rd_intensity",))["value"].tolist() == [4.4], "same version: cached"
        time.sleep(VERSION_TTL + 0.2)
        assert queries.county_series(engine, ("rd_intensity",))["value"].tolist() == [4.5]
    assert first["value"].tolist() == [4.4]


def test_the_poll_answer_is_held_briefly_then_follows_a_new_load(store_url, engine, tmp_path, redis_db):
    """/api/version answers from the process for LOCAL_VERSION_TTL and from Redis for VERSION_TTL: a load shows in
    the poll within both, not later; inside the hold the answer is the held one."""
    from cockpit.web import api as shell

    app = create_app(DATABASE_URL=store_url, COCKPIT_DATA_DIR=tmp_path, CACHE_REDIS_URL=REDIS_URL)
    client = app.server.test_client()
    load_value(engine, tmp_path, 4.4, "a.csv")
    before = client.get("/api/version").json["v"]
    assert redis_db.keys("*api:version*"), "the answer is shared with the other workers through Redis"
    load_value(engine, tmp_path, 4.5, "b.csv")
    assert client.get("/api/version").json["v"] == before  # held in the process
    deadline = time.monotonic() + shell.LOCAL_VERSION_TTL + VERSION_TTL + 1.5
    while client.get("/api/version").json["v"] == before:
        assert time.monotonic() < deadline, "a new load did not reach the poll within the two holds"
        time.sleep(0.1)


@pytest.mark.parametrize("cache_type", ["NullCache", "SimpleCache"])
def test_one_request_reads_the_data_version_once(cache_type, store_url, engine, tmp_path):
    """A wall refresh runs a dozen memoised queries: they share one read of the data version (with caching off
    each read was a query of its own), and the answer is built from that one version."""
    from sqlalchemy import event

    app = create_app(DATABASE_URL=store_url, COCKPIT_DATA_DIR=tmp_path, CACHE_TYPE=cache_type)
    load_value(engine, tmp_path, 4.4, "a.csv")
    reads = []
    store = app.server.extensions["cockpit"].engine
    event.listen(store, "before_cursor_execute",
                 lambda conn, cursor, sql, *a: "store_version" in sql and reads.append(sql))
    client = app.server.test_client()
    for _ in range(2):
        reads.clear()
        assert client.get("/api/wall?panels=depts,rd,chains").status_code == 200
        # caching off: one query; cached: one query at most (none while the process holds the version)
        assert len(reads) == 1 if cache_type == "NullCache" else len(reads) <= 1, reads


@pytest.mark.parametrize("cache_type", ["NullCache", "redis"])
def test_a_wall_refresh_is_held_in_the_process_unless_caching_is_off(cache_type, store_url, engine, tmp_path,
                                                                       request, monkeypatch):
    """With a shared cache, a worker keeps its own copy of a refresh body: asked again, it neither builds it nor
    fetches it from Redis, and a new load (a new data version) gives a new body at once. With caching off every
    request builds its answer (the side-by-side's cold figure would be a lie otherwise)."""
    from cockpit.web import wall_feed

    settings = {"DATABASE_URL": store_url, "COCKPIT_DATA_DIR": tmp_path}
    if cache_type == "redis":
        request.getfixturevalue("redis_db")
        settings["CACHE_REDIS_URL"] = REDIS_URL
    else:
        settings["CACHE_TYPE"] = cache_type
    app = create_app(**settings)
    load_value(engine, tmp_path, 4.4, "a.csv")
    built, asked = [], []
    real_build = wall_feed.build
    monkeypatch.setattr(wall_feed, "build", lambda keys, lang: built.append(keys) or real_build(keys, lang))
    cache = app.server.extensions["cockpit"].cache
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key: asked.append(key) or real_get(key))
    client = app.server.test_client()
    first = client.get("/api/wall?panels=rd").data
    asked.clear()
    assert client.get("/api/wall?panels=rd").data == first
    if cache_type == "NullCache":
        assert len(built) == 2
    else:
        assert len(built) == 1 and not [k for k in asked if k.startswith("wall:json")], asked
        assert redis_lib.Redis.from_url(REDIS_URL).keys("*wall:json*"), "still shared with the other workers"
    load_value(engine, tmp_path, 4.5, "b.csv")
    cache.delete("q:version")  # the version's own short hold (VERSION_TTL) over
    moved = client.get("/api/wall?panels=rd").data
    assert moved != first and b"4.5" in moved and b"4.5" not in first
