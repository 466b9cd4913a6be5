"""A repeated or malformed query parameter never breaks a page: every page answers its friendly 400 layout or its
default, never a 500 (`/?rotate=1&rotate=2` used to make the wall's layout raise)."""
from __future__ import annotations

from datetime import datetime

import pytest

from cockpit import create_app
from etl import load, migrate
from etl.catalogue import read_catalogue
from etl.sources import DemoSource
from etl.store import make_engine
from faults.hostile import QUERY_KEYS, page_request

PATHS = ["/", "/departments", "/departments/kjj", "/chains", "/chains/bearings", "/chains/bearings/bearings.precision",
         "/ops", "/nope"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('params') / 'store.sqlite'}"
    engine = make_engine(url)
    migrate.prepare(engine, read_catalogue())
    assert load.run(engine, "demo-history", DemoSource(now=datetime(2026, 11, 20, 10, 30))).status == "success"
    app = create_app(database_url=url)
    client = app.server.test_client()
    client.get("/")
    yield client, {"X-CSRFToken": client.get_cookie("_csrf_token").value}
    engine.dispose()


def _render(client, path: str, search: str):
    c, headers = client
    return c.post("/_dash-update-component", json=page_request(path, search), headers=headers)


@pytest.mark.parametrize("path", PATHS)
def test_every_page_survives_every_parameter_repeated(client, path):
    for key in QUERY_KEYS:
        resp = _render(client, path, f"?{key}=1&{key}=2")
        assert resp.status_code < 500, (path, key, resp.status_code)


@pytest.mark.parametrize("search", ["?rotate=1&rotate=2", "?rotate=nan", "?rotate=inf", "?rotate=1e400",
                                    "?rotate=abc", "?lang=en&lang=zh"])
def test_the_wall_falls_back_to_its_default_for_a_bad_rotate_or_lang(client, search):
    resp = _render(client, "/", search)
    assert resp.status_code == 200, resp.status_code
    assert "wall-canvas" in resp.get_data(as_text=True)
