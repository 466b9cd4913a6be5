"""Behind a reverse proxy (issue 11 #11), against a real gunicorn: with COCKPIT_TRUSTED_PROXIES=1 the proxy's
X-Forwarded-Proto makes the session and CSRF cookies `Secure` and adds HSTS, and its X-Forwarded-For gives every
client its own login limit; without the setting those headers are believed by nobody."""
from __future__ import annotations

import re

import pytest
import requests

from cockpit import create_app
from etl import migrate
from etl.catalogue import read_catalogue
from etl.store import make_engine
from browser.harness import store_env
from faults.servers import Gunicorn

HTTPS = {"X-Forwarded-Proto": "https", "Accept": "text/html"}


def _store(data) -> dict:
    engine = make_engine(f"sqlite:///{data / 'cockpit.sqlite'}")
    migrate.prepare(engine, read_catalogue())
    engine.dispose()
    return dict(COCKPIT_SEED_DEMO="0", COCKPIT_LOGIN_RATE_LIMIT="3 per minute")


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    data = tmp_path_factory.mktemp("proxied")
    env = store_env(data, COCKPIT_TRUSTED_PROXIES="1", **_store(data))
    server = Gunicorn(env, data / "gunicorn.log", workers=1).start()  # one worker: one in-memory login limit
    yield server
    server.stop()


def _secure_cookies(resp) -> dict:
    """name -> whether its Set-Cookie says Secure"""
    return {c.split("=", 1)[0]: "; secure" in c.lower() for c in resp.raw.headers.getlist("Set-Cookie")}


def test_https_through_a_trusted_proxy_gets_secure_cookies_and_hsts(proxied):
    resp = requests.get(proxied.url + "/login", headers=HTTPS, timeout=10)
    assert resp.status_code == 200
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")
    assert _secure_cookies(resp) == {"session": True, "_csrf_token": True}
    plain = requests.get(proxied.url + "/login", headers={"Accept": "text/html"}, timeout=10)
    assert "Strict-Transport-Security" not in plain.headers
    assert _secure_cookies(plain) == {"session": False, "_csrf_token": False}


def _attempt(url: str, client_ip: str) -> int:
    browser = requests.Session()
    page = browser.get(url + "/login", headers={"X-Forwarded-For": client_ip}, timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return browser.post(url + "/login", data={"username": "nobody", "password": "wrong password!",
                                              "csrf_token": token},
                        headers={"X-Forwarded-For": client_ip}, allow_redirects=False, timeout=10).status_code


def test_each_client_behind_the_proxy_has_its_own_login_limit(proxied):
    assert [_attempt(proxied.url, "198.51.100.7") for _ in range(4)] == [401, 401, 401, 429]
    assert _attempt(proxied.url, "198.51.100.8") == 401  # another client, not the proxy's shared address
    assert _attempt(proxied.url, "198.51.100.7") == 429


def test_without_trusted_proxies_forwarded_headers_are_ignored(tmp_path):
    extra = _store(tmp_path)
    app = create_app(COCKPIT_DATA_DIR=tmp_path, COCKPIT_SEED_DEMO="0",
                     COCKPIT_LOGIN_RATE_LIMIT=extra["COCKPIT_LOGIN_RATE_LIMIT"])
    resp = app.server.test_client().get("/login", headers={**HTTPS, "X-Forwarded-For": "198.51.100.9"})
    assert "Strict-Transport-Security" not in resp.headers
    cookies = resp.headers.getlist("Set-Cookie")
    assert len(cookies) == 2 and not any("Secure" in c for c in cookies)
    over_https = app.server.test_client().get("/login", base_url="https://localhost")  # https itself, no proxy
    assert over_https.headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = over_https.headers.getlist("Set-Cookie")
    assert len(cookies) == 2 and all("Secure" in c for c in cookies)


def test_without_trusted_proxies_gunicorn_believes_no_forwarded_header_either(tmp_path):
    """gunicorn's own default trusts X-Forwarded-Proto from 127.0.0.1; the app's setting must be the only say."""
    server = Gunicorn(store_env(tmp_path, **_store(tmp_path)), tmp_path / "gunicorn.log", workers=1).start()
    try:
        resp = requests.get(server.url + "/login", headers=HTTPS, timeout=10)
        assert resp.status_code == 200 and "Strict-Transport-Security" not in resp.headers
        assert _secure_cookies(resp) == {"session": False, "_csrf_token": False}
    finally:
        server.stop()
