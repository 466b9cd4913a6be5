"""cockpit/web/hardening.py (a callback body that does not match the callback map or nests too deeply is a 400
before Dash reads it, a callback refusing its inputs a 400, a bug a 500, a store failure a 503, an unknown
component-suite package a 404) and cockpit/cache.py (TolerantCache, memo and versioned by data version,
unavailable()). test_faults.py covers hostile bodies in bulk and the unknown
output; these name each check and its reason."""
from __future__ import annotations

import contextvars
import json
import logging
from types import SimpleNamespace

import pytest
from flask import Flask
from flask_caching import Cache

from cockpit import cache as cache_mod
from cockpit.cache import TolerantCache, memo, unavailable, versioned
from cockpit.state import BadInput, BadParam
from cockpit.web.hardening import callback_problem, depth_problem
from etl import migrate
from etl.catalogue import read_catalogue
from etl.store import make_engine

PERIOD = "drill-departments-period"
STATE = "drill-departments-state"
DOWNLOAD = '{"page":"departments","panel":["MATCH"],"type":"drill-download"}.data'
EXPORT = '{"page":"departments","panel":["MATCH"],"type":"drill-export"}'


# --- callback_problem on a hand-made map ----------------------------------------------------------------------

MAP = {
    "a.children": {"callback": object(), "inputs": [{"id": "b", "property": "value"}],
                   "state": [{"id": "s", "property": "data"}], "output": "a.children"},
    "p.data": {"callback": object(), "inputs": [{"id": '{"k":["ALL"]}', "property": "n_clicks"}], "state": [],
               "output": "p.data"},
    "m.children": {"callback": object(), "inputs": [{"id": "b", "property": "value"}], "state": [],
                   "output": ["x.children", "y.children"]},
    "js.data": {"inputs": [{"id": "b", "property": "value"}], "output": "js.data"},
}


def _body(**changes):
    body = {"output": "a.children", "outputs": {"id": "a", "property": "children"},
            "inputs": [{"id": "b", "property": "value", "value": 1}],
            "state": [{"id": "s", "property": "data", "value": None}], "changedPropIds": ["b.value"]}
    return {**body, **changes}


@pytest.mark.parametrize("body, reason", [
    ([], "the body must be a JSON object"),
    (None, "the body must be a JSON object"),
    (_body(output="zz.children"), "unknown callback output"),
    (_body(output=["a.children"]), "unknown callback output"),
    (_body(output="js.data"), "that callback runs in the browser"),
    (_body(changedPropIds="b.value"), "changedPropIds must be a list of strings"),
    (_body(changedPropIds=[1]), "changedPropIds must be a list of strings"),
    (_body(inputs=[]), "inputs: expected a list of 1"),
    (_body(inputs={"id": "b"}), "inputs: expected a list of 1"),
    (_body(inputs=["b.value"]), "inputs: each entry needs an id and a property"),
    (_body(inputs=[{"id": "b", "property": "children"}]), "inputs: 'children' is not the declared property 'value'"),
    (_body(inputs=[{"id": "c", "property": "value"}]), "inputs: 'c' is not the declared component 'b'"),
    (_body(state=[]), "state: expected a list of 1"),
    (_body(state=[{"id": "t", "property": "data"}]), "state: 't' is not the declared component 's'"),
    (_body(outputs=None), "outputs: each entry needs an id and a property"),
    (_body(outputs={"id": "a"}), "outputs: each entry needs an id and a property"),
])
def test_callback_problem_names_the_first_mismatch(body, reason):
    assert callback_problem(body, MAP) == reason


def test_callback_problem_accepts_well_formed_bodies():
    assert callback_problem(_body(), MAP) is None
    pattern = {"output": "p.data", "outputs": {"id": "p", "property": "data"}, "changedPropIds": [],
               "inputs": [[{"id": {"k": "j1"}, "property": "n_clicks", "value": 1}, {"id": {"k": "j2"},
                                                                                      "property": "n_clicks"}]]}
    assert callback_problem(pattern, MAP) is None
    multi = {"output": "m.children", "inputs": [{"id": "b", "property": "value"}],
             "outputs": [{"id": "x", "property": "children"}, {"id": "y", "property": "children"}]}
    assert callback_problem(multi, MAP) is None
    assert callback_problem(dict(multi, outputs=multi["outputs"][:1]), MAP) == "outputs: expected a list of 2"


def test_a_pattern_dependency_needs_an_object_id():
    body = {"output": "p.data", "outputs": {"id": "p", "property": "data"},
            "inputs": [[{"id": "k-j1", "property": "n_clicks"}]]}
    assert callback_problem(body, MAP) == "inputs: a pattern dependency's id must be an object"
    body["inputs"] = [[{"id": {"k": "j1"}, "property": "value"}]]
    assert callback_problem(body, MAP) == "inputs: 'value' is not the declared property 'n_clicks'"


# --- the guard in a real app --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from cockpit import create_app
    data = tmp_path_factory.mktemp("hardening")
    url = f"sqlite:///{data / 'store.sqlite'}"
    engine = make_engine(url)
    migrate.prepare(engine, read_catalogue())
    engine.dispose()
    return contextvars.copy_context().run(create_app, DATABASE_URL=url, COCKPIT_DATA_DIR=data)


@pytest.fixture
def post(app):
    client = app.server.test_client()
    client.get("/")
    headers = {"X-CSRFToken": client.get_cookie("_csrf_token").value}
    return lambda body: (client.post("/_dash-update-component", data=body, headers=headers,
                                     content_type="application/json") if isinstance(body, str)
                         else client.post("/_dash-update-component", json=body, headers=headers))


def _output(app, prefix: str) -> str:
    return next(k for k, v in app.callback_map.items()
                if k.startswith("url.href") and v["inputs"][0]["id"] == prefix + "-from")


def _period_body(app, start=2020, end=2021, **changes):
    body = {"output": _output(app, PERIOD), "outputs": {"id": "url", "property": "href"},
            "inputs": [{"id": f"{PERIOD}-from", "property": "value", "value": start},
                       {"id": f"{PERIOD}-to", "property": "value", "value": end}],
            "state": [{"id": STATE, "property": "data", "value": {"path": "/departments", "lang": "en"}}],
            "changedPropIds": [f"{PERIOD}-from.value"]}
    return {**body, **changes}


def test_a_matching_body_runs_the_callback(app, post):
    resp = post(_period_body(app, 2022, 2020))
    assert resp.status_code == 200
    assert resp.json["response"]["url"]["href"] == "/departments?lang=en&from=2020&to=2022"


@pytest.mark.parametrize("change, reason", [
    (lambda b: b["inputs"].reverse(), "'drill-departments-period-to' is not the declared component"),
    (lambda b: b["inputs"].pop(), "inputs: expected a list of 2"),
    (lambda b: b["inputs"][0].update(property="children"), "'children' is not the declared property 'value'"),
    (lambda b: b.update(state=[]), "state: expected a list of 1"),
    (lambda b: b["state"][0].update(id="drill-chains-state"), "state: 'drill-chains-state' is not the declared"),
    (lambda b: b.update(outputs="url.href"), "outputs: each entry needs an id and a property"),
])
def test_a_body_whose_inputs_do_not_match_the_map_answers_400(app, post, change, reason):
    body = _period_body(app)
    change(body)
    resp = post(body)
    assert resp.status_code == 400 and resp.json["error"] == "bad callback request"
    assert reason in resp.json["reason"]


def test_a_clientside_output_is_refused(app, post):
    resp = post({"output": "wall-boot.data", "outputs": {"id": "wall-boot", "property": "data"},
                 "inputs": [{"id": "wall-config", "property": "data", "value": {}}], "changedPropIds": []})
    assert resp.status_code == 400 and resp.json["reason"] == "that callback runs in the browser"


def test_a_pattern_input_needs_an_object_id_in_the_app(app, post):
    resp = post({"output": DOWNLOAD, "outputs": {"id": {"type": "drill-download", "page": "departments",
                                                        "panel": "chart"}, "property": "data"},
                 "inputs": [{"id": EXPORT, "property": "n_clicks", "value": 1}],
                 "state": [{"id": STATE, "property": "data", "value": {}}], "changedPropIds": []})
    assert resp.status_code == 400 and "pattern dependency's id must be an object" in resp.json["reason"]


REPLIES = {400: "the callback cannot use these inputs", 500: "internal error", 503: "store or cache unavailable"}


@pytest.mark.parametrize("exc, status", [
    (BadParam("bad_year", name="from", value="x"), 400), (BadInput("not a view"), 400),   # the client's values
    (ValueError("a bug"), 500), (KeyError("a bug"), 500), (TypeError("a bug"), 500),      # the server's own bugs
    ("sqlalchemy", 503), ("redis", 503),
])
def test_a_failing_callback_answers_400_500_or_503_without_a_traceback(app, post, monkeypatch, caplog, exc, status):
    import redis
    import sqlalchemy.exc
    exc = {"sqlalchemy": sqlalchemy.exc.OperationalError("SELECT", {}, Exception("gone")),
           "redis": redis.exceptions.ConnectionError("down")}.get(exc, exc)

    def boom(*args, **kwargs):
        raise exc
    body = _period_body(app)
    monkeypatch.setitem(app.callback_map[body["output"]], "callback", boom)
    with caplog.at_level(logging.WARNING, "cockpit.web.hardening"):
        resp = post(body)
    assert resp.status_code == status
    assert "Traceback" not in resp.get_data(as_text=True) and "a bug" not in resp.get_data(as_text=True)
    assert resp.json["error"] == REPLIES[status]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and "callback" in r.getMessage()]
    if status == 400:  # bad input is the client's: a warning, no error with a traceback
        assert not errors and any(r.levelno == logging.WARNING for r in caplog.records)
    else:              # the server's own failure: an error with its traceback, in the log only
        assert errors and errors[0].exc_info


def test_a_stored_view_the_client_forged_is_bad_input_not_a_bug(app, post, caplog):
    """A drill page's stored state comes back from the browser: one no page wrote is a 400 (it used to be a
    TypeError inside State(**data), which a 500 for bugs would have made a 500)."""
    for forged in ([1], {"points": 1}, {"path": "/departments", "start": 5}, {"path": "/d" * 300},
                   {"path": "/departments", "start": "x" * 5000}):
        body = _period_body(app)
        body["state"][0]["value"] = forged
        with caplog.at_level(logging.ERROR, "cockpit.web.hardening"):
            resp = post(body)
        assert resp.status_code == 400, (forged, resp.status_code)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("nesting", [100_000, 5000, 65])
def test_deeply_nested_json_is_a_400_not_a_recursion_error(app, post, nesting):
    """Past about 1000 levels json itself raises RecursionError (not ValueError) while parsing; below that the
    body parses, and its depth is refused before Dash or a callback recurses over it."""
    body = _period_body(app)
    body["state"][0]["value"] = None
    raw = json.dumps(body)
    assert raw.count('"value": null}]') == 1  # the state's value
    raw = raw.replace('"value": null}]', '"value": ' + "[" * nesting + "]" * nesting + "}]")
    resp = post(raw)
    assert resp.status_code == 400, resp.status_code
    assert resp.json["error"] == "bad callback request" and "Traceback" not in resp.get_data(as_text=True)


def test_depth_problem_walks_without_recursion():
    assert depth_problem({"a": [1, {"b": [2]}]}) is None
    deep = []
    for _ in range(10_000):
        deep = [deep]
    assert depth_problem(deep) == "the body nests deeper than 64 levels"
    assert depth_problem([[[]]], limit=2) and not depth_problem([[]], limit=2)


def test_a_list_of_outputs_for_a_single_output_callback_is_refused(app, post):
    """Dash reads a list as a wildcard (ALL) output and fails on the callback's single value: a 400 before it."""
    resp = post(_period_body(app, outputs=[]))
    assert resp.status_code == 400 and resp.json["reason"] == "outputs: a list where the callback declares one output"


def test_an_unknown_component_suite_package_is_404(app):
    client = app.server.test_client()
    resp = client.get("/_dash-component-suites/no_such_package/bundle.js")
    assert resp.status_code == 404
    assert "Traceback" not in resp.get_data(as_text=True)
    assert client.get("/_dash-component-suites/dash/dcc/async-graph.js").status_code == 200


# --- cockpit/cache.py -----------------------------------------------------------------------------------------

class Flaky:
    """A backend that fails like Redis while `down`, and counts the calls that reached it."""

    def __init__(self):
        import redis
        self.data, self.down, self.calls, self.error = {}, False, 0, redis.exceptions.ConnectionError

    def _reach(self):
        self.calls += 1
        if self.down:
            raise self.error("connection refused")

    def get(self, key):
        self._reach()
        return self.data.get(key)

    def set(self, key, value, timeout=None):
        self._reach()
        self.data[key] = value
        return True

    def delete(self, key):
        self._reach()
        return self.data.pop(key, None) is not None

    def clear(self):
        self._reach()
        self.data.clear()
        return True

    def has(self, key):
        return key in self.data


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(cache_mod.time, "monotonic", lambda: now[0])
    return now


def test_unavailable_matches_store_and_cache_failures_by_class():
    import redis
    import sqlalchemy.exc
    assert unavailable(redis.exceptions.TimeoutError())
    assert unavailable(sqlalchemy.exc.OperationalError("x", {}, Exception()))
    assert unavailable(sqlalchemy.exc.SQLAlchemyError())
    assert not unavailable(ValueError()) and not unavailable(ConnectionError()) and not unavailable(KeyError())


def test_tolerant_cache_turns_a_failure_into_a_miss_and_backs_off(clock):
    backend = Flaky()
    cache = TolerantCache(backend, retry_after=5)
    assert cache.set("k", 1) is True and cache.get("k") == 1
    backend.down = True
    assert cache.get("k") is None                        # a miss, not an exception
    calls = backend.calls
    assert cache.set("k", 2) is False and cache.delete("k") is False and cache.clear() is False
    assert cache.get("k") is None
    assert backend.calls == calls                        # backed off: the backend is left alone
    clock[0] += 4.9
    assert cache.get("k") is None and backend.calls == calls
    backend.down = False
    clock[0] += 0.2                                      # retry_after passed
    assert cache.get("k") == 1 and backend.calls == calls + 1
    assert cache.has("k")                                # other methods pass through


def test_tolerant_cache_lets_other_errors_through(clock):
    backend = Flaky()
    backend.down, backend.error = True, TypeError
    cache = TolerantCache(backend)
    with pytest.raises(TypeError):
        cache.get("k")
    backend.error = __import__("redis").exceptions.ConnectionError
    assert cache.get("k") is None                        # the TypeError did not start a back-off


class _Conn:
    """Enough of an engine's connect() for current_version (data_version is patched)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def flask_cache(monkeypatch):
    server = Flask("cache-test")
    cache = TolerantCache(Cache(server, config={"CACHE_TYPE": "SimpleCache"}))
    server.extensions["cockpit"] = SimpleNamespace(cache=cache)
    version = [7]
    monkeypatch.setattr(cache_mod, "data_version", lambda conn: version[0])
    engine = SimpleNamespace(connect=_Conn)
    with server.app_context():
        yield SimpleNamespace(cache=cache, version=version, engine=engine)


def test_memo_keys_by_data_version_and_arguments(flask_cache):
    runs = []

    @memo
    def frame(engine, code):
        runs.append(code)
        return f"{code}@{flask_cache.version[0]}"
    engine = flask_cache.engine
    assert frame(engine, "a") == "a@7" and frame(engine, "a") == "a@7" and runs == ["a"]
    assert frame(engine, "b") == "b@7" and runs == ["a", "b"]
    assert flask_cache.cache.get("q:test_hardening.frame:7:('a',)") == "a@7"
    flask_cache.version[0] = 8
    assert frame(engine, "a") == "a@7"                  # the version itself is held for VERSION_TTL
    flask_cache.cache.delete("q:version")
    assert frame(engine, "a") == "a@8" and runs == ["a", "b", "a"]


def test_memo_without_an_app_context_runs_every_time():
    runs = []

    @memo
    def frame(engine):
        runs.append(1)
        return 1
    frame(None), frame(None)
    assert runs == [1, 1] and cache_mod.app_cache() is None


def test_versioned_builds_once_per_key(flask_cache):
    built = []
    build = lambda: built.append(1) or "body"
    assert versioned("k:1", build) == "body" and versioned("k:1", build) == "body" and built == [1]
    assert versioned("k:2", build) == "body" and built == [1, 1]


def test_memo_serves_uncached_when_the_cache_is_down(flask_cache, clock):
    backend = Flaky()
    flask_cache.cache._cache = backend
    backend.down = True
    runs = []

    @memo
    def frame(engine):
        runs.append(1)
        return "fresh"
    assert frame(flask_cache.engine) == "fresh" and frame(flask_cache.engine) == "fresh" and runs == [1, 1]
