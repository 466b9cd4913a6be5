"""Only real views become cache entries (issue 11 #13, #15), against the real Redis on 127.0.0.1:6379 (a throwaway
db number, flushed before and after): drill-down URLs whose codes name nothing, whose parameters are bad, or whose
path is megabytes long leave no new key behind, and a year typed in another script's digits is the same view and
the same key as in ASCII ones."""
from __future__ import annotations

import contextvars
import os
from datetime import datetime

import pytest
import redis as redis_lib

from cockpit import state as url
from etl import load, migrate
from etl.catalogue import read_catalogue
from etl.sources import DemoSource
from etl.store import make_engine
from faults.hostile import page_request

REDIS_URL = "redis://127.0.0.1:6379/11"  # test_cache uses 15, test_export_limits 13, bench/load 14
GOOD = ["/departments", "/departments/kjj", "/chains", "/chains/bearings", "/chains/bearings/bearings.precision"]
LONG = "x" * (3 << 20)  # the leader's 3 MB path
BAD = [  # (pathname, search) a drill page's callback is asked to render: none names a real view
    ("/departments/NOPE", ""), ("/departments/" + LONG, ""), ("/chains/" + LONG, ""),
    ("/chains/bearings/" + LONG, ""), ("/chains/x/y/z", ""), ("/chains/" + "a/" * 2000 + "b", ""),
    ("/chains/bearings/nope", ""), ("/departments", "?from=2099"), ("/chains/bearings", "?to=1990"),
    ("/departments", "?sort=" + "z" * 5000), ("/chains", "?indicator=nope"), ("/departments/kjj", "?matter=M999"),
    ("/chains/bearings/bearings.precision", "?firm=F999"), ("/departments/kjj", "?from=" + LONG),
    ("/departments/kjj", "?lang=fr"), ("/departments", "?from=2020&from=2021"),
]


@pytest.fixture(scope="module")
def redis_db():
    client = redis_lib.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis_lib.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not running (.ci/run should have started it)")
        pytest.skip("Redis not running")
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture(scope="module")
def client(tmp_path_factory, redis_db):
    from cockpit import create_app
    data = tmp_path_factory.mktemp("cache-keys")
    store = f"sqlite:///{data / 'store.sqlite'}"
    engine = make_engine(store)
    migrate.prepare(engine, read_catalogue())
    assert load.run(engine, "demo-history", DemoSource(now=datetime(2026, 11, 20, 10, 30))).status == "success"
    engine.dispose()
    app = contextvars.copy_context().run(create_app, DATABASE_URL=store, COCKPIT_DATA_DIR=data,
                                         CACHE_REDIS_URL=REDIS_URL)
    test_client = app.server.test_client()
    test_client.get("/")
    headers = {"X-CSRFToken": test_client.get_cookie("_csrf_token").value}
    render = lambda path, search="": test_client.post("/_dash-update-component", json=page_request(path, search),
                                                      headers=headers)
    return test_client, render


def _keys(redis_db) -> dict[bytes, int]:
    return {k: redis_db.memory_usage(k) or 0 for k in redis_db.scan_iter(count=1000)}


def test_bad_and_huge_drill_paths_leave_no_new_keys(client, redis_db):
    test_client, render = client
    for path in GOOD:  # the real views (and every query their checks run) are cached: the cache works
        assert render(path).status_code == 200, path
        assert render(path, "?lang=en&from=2020").status_code == 200, path
    before = _keys(redis_db)
    assert any(k.startswith(b"flask_cache_drill:") for k in before), sorted(before)[:5]
    replies = {(path[:60], search[:60]): render(path, search) for path, search in BAD}
    for path in ["/departments/NOPE", "/chains/x/y/z", "/departments?from=2099", "/departments/" + "x" * 1500]:
        test_client.get(path, headers={"Accept": "text/html"})
    after = _keys(redis_db)
    new = {k: size for k, size in after.items() if k not in before}
    assert not new, {k[:80]: size for k, size in new.items()}
    assert max(len(k) for k in after) < 512 and max(after.values()) < 4 << 20
    for what, resp in replies.items():
        assert resp.status_code == 200, (what, resp.status_code)            # the friendly page...
        assert "drill-error" in resp.get_data(as_text=True), what           # ...is an error page
        assert len(resp.data) < 64_000, (what, len(resp.data))              # that does not echo the 3 MB back


def test_a_year_in_any_scripts_digits_is_one_view_and_one_key(client, redis_db):
    _, render = client
    bodies = []
    for year in ("2021", "٢٠٢١", "２０２１", "۲۰۲۱"):  # ASCII, Arabic-Indic, full-width, Persian
        before = set(redis_db.scan_iter(match="flask_cache_drill:*"))
        resp = render("/departments", f"?from={year}")
        assert resp.status_code == 200 and "drill-error" not in resp.get_data(as_text=True), year
        bodies.append(resp.get_data(as_text=True))
        added = set(redis_db.scan_iter(match="flask_cache_drill:*")) - before
        assert len(added) == (1 if year == "2021" else 0), (year, added)  # the first builds it, the rest reuse it
    assert all(body == bodies[0] for body in bodies)
    assert url.parse("/departments", {"from": "٢٠٢١", "to": "２０２２"}).href() == "/departments?from=2021&to=2022"


def test_a_long_href_is_keyed_by_its_hash():
    from cockpit.pages import _drill
    short = url.State(path="/departments/kjj", start="2021")
    assert _drill.cache_key(7, short) == "drill:7:/departments/kjj?from=2021"
    long = url.State(path="/chains/" + "c" * 64 + "/" + "s" * 64, indicator="i" * 64, firm="f" * 64, matter="m" * 64)
    assert len(long.href()) > _drill.KEY_CHARS
    key = _drill.cache_key(7, long)
    assert key.startswith("drill:7:") and len(key) == len("drill:7:") + 64


def _export(page: str, panel: str, data: dict, grid: bool) -> dict:
    """The body dash-renderer posts when a drill panel's export button is clicked (a MATCH callback)."""
    pattern = lambda kind: f'{{"page":"{page}","panel":["MATCH"],"type":"{kind}"}}'
    body = {"output": pattern("drill-download") + ".data",
            "outputs": {"id": {"page": page, "panel": panel, "type": "drill-download"}, "property": "data"},
            "inputs": [{"id": {"page": page, "panel": panel, "type": "drill-export"}, "property": "n_clicks",
                        "value": 1}],
            "state": [{"id": f"drill-{page}-state", "property": "data", "value": data}],
            "changedPropIds": [f'{{"page":"{page}","panel":"{panel}","type":"drill-export"}}.n_clicks']}
    if grid:
        body["state"].append({"id": f"drill-{page}-grid", "property": "virtualRowData", "value": None})
    return body


def test_an_export_of_a_forged_view_runs_no_query_and_leaves_no_key(client, redis_db):
    """The export callback gets the view from the browser's store: one no page could have written (a code that
    names nothing, a matter of no department, a year without data) is a 400 before any query is memoised."""
    test_client, _ = client
    headers = {"X-CSRFToken": test_client.get_cookie("_csrf_token").value}
    post = lambda body: test_client.post("/_dash-update-component", json=body, headers=headers)
    real = post(_export("department", "cases", {"path": "/departments/kjj", "start": "2024"}, grid=True))
    assert real.status_code == 200 and "content" in real.get_data(as_text=True)  # a real view exports
    before = set(redis_db.scan_iter(count=1000))
    for data in ({"path": "/departments/NOPE"}, {"path": "/departments/kjj", "matter": "M999"},
                 {"path": "/departments/kjj", "matter": "M998", "start": "2021"},
                 {"path": "/departments/kjj", "start": "2099"}, {"path": "/chains/x/y/z"},
                 {"path": "/departments/" + "x" * 200}):
        resp = post(_export("department", "cases", data, grid=True))
        assert resp.status_code == 400, (data, resp.status_code)
    resp = post(_export("segment", "firms", {"path": "/chains/bearings/bearings.precision", "firm": "F999"}, True))
    assert resp.status_code == 400
    new = set(redis_db.scan_iter(count=1000)) - before
    # checking ?matter= runs the real department's real period's query (a bounded set); nothing forged is a key
    assert all(b"matter_volumes" in k and b"'kjj', '2021'" in k for k in new), sorted(new)[:5]
    assert not [k for k in new for forged in (b"M99", b"NOPE", b"2099", b"xxxx", b"F999", b"y/z") if forged in k]
