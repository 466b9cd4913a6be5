"""A page's URL gets its HTTP status before the page is served (cockpit/web/paths.py, issue 11 #16): an unknown
drill-down answers 404 and a bad parameter 400 (the index page, which draws the friendly page), not 200; and no
page tells what runs it: no Python, Dash or Plotly version, and no echo of the Host header (cockpit/shell.py)."""
from __future__ import annotations

import contextvars
import re
import sys
from datetime import datetime
from importlib import metadata

import pytest

from etl import load, migrate
from etl.accounts import add_user
from etl.catalogue import read_catalogue
from etl.sources import DemoSource
from etl.store import make_engine
from faults.hostile import page_request

OK = ["/departments", "/departments/", "/departments/kjj", "/departments/kjj?lang=en&from=2021&to=2024",
      "/departments?from=٢٠٢١", "/chains", "/chains/bearings?indicator=patents_granted",
      "/chains/bearings/bearings.precision", "/chains/bearings/bearings.precision/"]
NOT_FOUND = ["/departments/NOPE", "/departments/kjj/extra", "/chains/x/y/z", "/chains/nope", "/chains/bearings/nope",
             "/chains/equipment/bearings.precision", "/chains//bearings.precision", "/departments/%3Cscript%3E",
             "/chains/bearings/bearings.precision?firm=F999"]
BAD = ["/departments?from=2099", "/departments/kjj?to=1990", "/chains/bearings?from=2099", "/departments?from=abc",
       "/departments?sort=zzz", "/chains?indicator=nope", "/departments/kjj?matter=M999", "/departments?lang=fr",
       "/departments?from=2020&from=2021", "/departments/kjj?from=2024&to=2021"]
HOST = "evil-host.example"


def _store(data):
    url = f"sqlite:///{data / 'store.sqlite'}"
    engine = make_engine(url)
    migrate.prepare(engine, read_catalogue())
    assert load.run(engine, "demo-history", DemoSource(now=datetime(2026, 11, 20, 10, 30))).status == "success"
    return url, engine


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    data = tmp_path_factory.mktemp("paths")
    url, engine = _store(data)
    yield url, engine, data
    engine.dispose()


@pytest.fixture(scope="module")
def app(store):
    from cockpit import create_app
    return contextvars.copy_context().run(create_app, DATABASE_URL=store[0], COCKPIT_DATA_DIR=store[2])


@pytest.fixture
def client(app):
    return app.server.test_client()


def _get(client, path, **headers):
    return client.get(path, headers={"Accept": "text/html", **headers})


@pytest.mark.parametrize("path", OK)
def test_a_real_drill_down_answers_200(client, path):
    assert _get(client, path).status_code == 200


@pytest.mark.parametrize("path", NOT_FOUND)
def test_an_unknown_drill_down_answers_404_with_the_page_that_says_so(client, path):
    resp = _get(client, path)
    assert resp.status_code == 404, resp.status_code
    assert 'id="react-entry-point"' in resp.get_data(as_text=True)  # the app, which draws its friendly 404 page


@pytest.mark.parametrize("path", BAD)
def test_a_bad_parameter_answers_400(client, path):
    resp = _get(client, path)
    assert resp.status_code == 400, resp.status_code
    assert 'id="react-entry-point"' in resp.get_data(as_text=True)


def test_a_year_without_data_is_the_400_page_inside_too(client):
    """?from=2099 used to show every year under an empty period picker ("all years"), silently."""
    client.get("/")
    headers = {"X-CSRFToken": client.get_cookie("_csrf_token").value}
    for path, search in (("/departments", "?from=2099"), ("/chains/bearings", "?to=1990")):
        body = client.post("/_dash-update-component", json=page_request(path, search), headers=headers)
        assert body.status_code == 200 and 'error-400' in body.get_data(as_text=True), (path, search)


def test_a_url_longer_than_any_page_writes_is_414(client):
    resp = _get(client, "/departments/kjj?matter=" + "M" * 3000)
    assert resp.status_code == 414 and "Traceback" not in resp.get_data(as_text=True)
    assert _get(client, "/?x=" + "1" * 3000).status_code == 414


def test_other_paths_are_left_alone(client):
    assert client.get("/api/version").status_code == 200
    assert _get(client, "/").status_code == 200 and _get(client, "/ops").status_code == 200
    assert client.head("/departments/NOPE").status_code == 404


@pytest.mark.parametrize("path", ["/", "/departments", "/departments/NOPE", "/chains/bearings?from=2099", "/login",
                                  "/nope", "/ops"])
def test_no_page_carries_versions_or_echoes_the_host(client, path):
    body = _get(client, path, Host=HOST).get_data(as_text=True)
    assert HOST not in body
    versions = {sys.version, sys.version.split()[0], *(metadata.version(p) for p in ("dash", "plotly", "dash-ag-grid"))}
    for version in versions:
        assert version not in body and version.replace(".", "_") not in body, (path, version)
    assert not re.search(r'"(dash|python|plotly|ddk)_version"', body)


def test_the_bundles_still_load_under_their_hashed_names(client):
    page = _get(client, "/").get_data(as_text=True)
    scripts = re.findall(r'src="(/_dash-component-suites/[^"]+)"', page)
    assert len(scripts) > 5 and any(".min.js" in s for s in scripts)
    for src in scripts:
        resp = client.get(src)
        assert resp.status_code == 200 and len(resp.data) > 100, src


@pytest.fixture(scope="module")
def prod_client(store):
    from cockpit import create_app
    url, engine, data = store
    add_user(engine, "lead", "correct horse battery", "leader")
    app = contextvars.copy_context().run(
        create_app, DATABASE_URL=url, COCKPIT_DATA_DIR=data / "prod", COCKPIT_ENV="production",
        COCKPIT_SECRET_KEY="test-secret-of-at-least-32-characters", COCKPIT_KIOSK_TOKEN="wall-token-1234567890")
    return app.server.test_client()


def test_without_a_login_a_drill_down_tells_nothing_about_its_codes(prod_client):
    known, unknown = _get(prod_client, "/departments/kjj"), _get(prod_client, "/departments/NOPE")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"].startswith("/login") and unknown.headers["Location"].startswith("/login")
    page = prod_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    prod_client.post("/login", data={"username": "lead", "password": "correct horse battery", "csrf_token": token})
    assert _get(prod_client, "/departments/kjj").status_code == 200
    assert _get(prod_client, "/departments/NOPE").status_code == 404
    assert _get(prod_client, "/departments?from=2099").status_code == 400


@pytest.mark.parametrize("path", ["/nope", "/ops/x", "/wall/extra", "/404", "/index.php", "/departments.csv"])
def test_a_path_that_names_no_page_answers_404(client, path):
    """Dash answers every path with its index page; a path that is no page gets the friendly 404 page with 404."""
    resp = _get(client, path)
    assert resp.status_code == 404, (path, resp.status_code)
    assert "Traceback" not in resp.get_data(as_text=True)


def test_the_pages_and_routes_still_answer(client):
    for path in ("/", "/ops", "/ops/", "/departments", "/chains", "/wall", "/healthz", "/export/cases.csv"):
        assert _get(client, path).status_code in (200, 301, 302), path
