"""CSRF on Dash callbacks, proven with a body the request validator accepts (issue 11 #17): the old test posted `{}`,
which the validator answers 400 whether CSRF is on or off. Here a well-formed callback body is refused without
the token (and with a wrong one) and runs with the token dash-renderer sends back from the `_csrf_token` cookie;
with CSRF switched off the same tokenless body runs, so the refusal is CSRF's and nothing else's."""
from __future__ import annotations

import contextvars

import pytest

from etl import migrate
from etl.catalogue import read_catalogue
from etl.store import make_engine

PERIOD, STATE = "drill-departments-period", "drill-departments-state"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from cockpit import create_app
    data = tmp_path_factory.mktemp("csrf")
    url = f"sqlite:///{data / 'store.sqlite'}"
    engine = make_engine(url)
    migrate.prepare(engine, read_catalogue())
    engine.dispose()
    return contextvars.copy_context().run(create_app, DATABASE_URL=url, COCKPIT_DATA_DIR=data)


def _body(app) -> dict:
    """The departments page's period callback, exactly as dash-renderer posts it."""
    output = next(k for k, v in app.callback_map.items()
                  if k.startswith("url.href") and v["inputs"][0]["id"] == PERIOD + "-from")
    return {"output": output, "outputs": {"id": "url", "property": "href"},
            "inputs": [{"id": f"{PERIOD}-from", "property": "value", "value": 2020},
                       {"id": f"{PERIOD}-to", "property": "value", "value": 2021}],
            "state": [{"id": STATE, "property": "data", "value": {"path": "/departments"}}],
            "changedPropIds": [f"{PERIOD}-from.value"]}


def _post(client, app, **headers):
    return client.post("/_dash-update-component", json=_body(app), headers=headers)


def test_a_well_formed_callback_needs_the_csrf_token(app):
    client = app.server.test_client()
    client.get("/")  # the page sets the _csrf_token cookie
    token = client.get_cookie("_csrf_token").value

    without = _post(client, app)
    assert without.status_code in (400, 403), without.status_code
    assert "CSRF" in without.get_data(as_text=True)  # refused by CSRF, not by the request validator
    wrong = _post(client, app, **{"X-CSRFToken": token[:-4] + "AAAA"})
    assert wrong.status_code in (400, 403) and "CSRF" in wrong.get_data(as_text=True)

    ok = _post(client, app, **{"X-CSRFToken": token})
    assert ok.status_code == 200, ok.get_data(as_text=True)[:300]
    assert ok.json["response"]["url"]["href"] == "/departments?from=2020&to=2021"


def test_the_token_of_another_session_is_refused(app):
    one, other = app.server.test_client(), app.server.test_client()
    one.get("/"), other.get("/")
    resp = _post(other, app, **{"X-CSRFToken": one.get_cookie("_csrf_token").value})
    assert resp.status_code in (400, 403) and "CSRF" in resp.get_data(as_text=True)


def test_with_csrf_off_the_same_tokenless_body_runs(app, monkeypatch):
    """The check above can fail: without CSRF protection the body it posts is answered 200."""
    monkeypatch.setitem(app.server.config, "WTF_CSRF_ENABLED", False)
    client = app.server.test_client()
    client.get("/")
    assert _post(client, app).status_code == 200
