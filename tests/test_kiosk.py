"""The kiosk wall unattended (issue 11 #3, #4): its session renews while it polls (a clock moved 40 days on), an idle
one expires, a new COCKPIT_KIOSK_TOKEN ends the old sessions with the wall's JSON 401, and the token in the launch
URL is exchanged for the session and redirected away (not in the URL, the Referer or the layout)."""
from __future__ import annotations

import contextvars
import re

import pytest
from itsdangerous.timed import TimestampSigner

from cockpit import create_app
from etl.accounts import add_user

SECRET = "test-secret-of-at-least-32-characters"
TOKEN = "wall-token-123"
HTML = {"Accept": "text/html"}
DAY = 86400
FORBIDDEN = {"error": "forbidden", "needs": "kiosk"}


def _app(store_url, tmp_path, token=TOKEN):
    app = create_app(DATABASE_URL=store_url, COCKPIT_DATA_DIR=tmp_path, COCKPIT_ENV="production",
                     COCKPIT_SECRET_KEY=SECRET, COCKPIT_KIOSK_TOKEN=token)
    app.server.config["TESTING"] = True
    return app


@pytest.fixture
def clock(monkeypatch):
    """The clock the signed session cookie is stamped and checked by (itsdangerous), moved by hand."""
    now = [1_800_000_000]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now[0])
    return now


@pytest.fixture
def wall(store_url, tmp_path):
    return _app(store_url, tmp_path)


def _launch(app, url=f"/?kiosk={TOKEN}"):
    client = app.server.test_client()
    assert client.get(url, headers=HTML).status_code in (200, 302)  # the redirect is test_the_token_is_exchanged...
    return client


def test_a_polling_wall_keeps_its_session_for_good_and_an_idle_one_expires(wall, clock):
    polling, idle = _launch(wall), _launch(wall)
    start = clock[0]
    for day in range(1, 41):  # one poll a day is enough to renew; the real wall polls every few seconds
        clock[0] = start + day * DAY
        resp = polling.get("/api/version")
        assert resp.status_code == 200, f"day {day}: {resp.status_code}"
        if day == 30:
            assert idle.get("/api/version").status_code == 200  # renewed once, on day 30
    assert polling.get("/", headers=HTML).status_code == 200
    resp = idle.get("/api/version")  # ten days idle: still fine
    assert resp.status_code == 200
    clock[0] += 32 * DAY
    resp = idle.get("/api/version")  # 32 days without a request: gone
    assert resp.status_code == 401 and resp.get_json() == FORBIDDEN


def test_a_new_kiosk_token_ends_old_kiosk_sessions(wall, store_url, tmp_path):
    client = _launch(wall)
    assert client.get("/api/version").status_code == 200
    rotated = _app(store_url, tmp_path, token="a-new-wall-token")
    old = rotated.server.test_client()
    old.set_cookie("session", client.get_cookie("session").value)
    for path in ("/api/version", "/api/wall?panels=rd"):
        for accept in ("application/json", "*/*", "text/html"):  # whatever the wall's fetch sends: JSON
            resp = old.get(path, headers={"Accept": accept})
            assert resp.status_code == 401 and resp.get_json() == FORBIDDEN, (path, accept)
    assert old.get("/", headers=HTML).status_code == 302  # to the login page
    relaunched = _launch(rotated, "/?kiosk=a-new-wall-token")  # the new link brings it back
    assert relaunched.get("/api/version").status_code == 200
    stale = _launch(rotated, f"/?kiosk={TOKEN}")  # the old link does not
    assert stale.get("/api/version").status_code == 401


def test_the_token_is_exchanged_and_redirected_away(wall):
    client = wall.server.test_client()
    resp = client.get(f"/?rotate=1&kiosk={TOKEN}&lang=en", headers=HTML)
    assert resp.status_code == 302 and resp.headers["Location"] == "/?rotate=1&lang=en"
    assert resp.headers["Referrer-Policy"] == "same-origin" and TOKEN not in str(resp.headers)
    page = client.get(f"/?rotate=1&kiosk={TOKEN}&lang=en", headers=HTML, follow_redirects=True)
    assert page.status_code == 200 and TOKEN not in page.request.url and TOKEN not in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "same-origin"
    # the browser's next request (run in a fresh context: Dash's layout route sets its current-app variable)
    layout = contextvars.copy_context().run(client.get, "/_dash-layout", headers={"Referer": page.request.url})
    assert layout.status_code == 200 and TOKEN not in layout.get_data(as_text=True)
    assert "rotate=1" in layout.get_data(as_text=True)  # the other parameters were kept
    api = client.get(f"/api/version?kiosk={TOKEN}")
    assert api.status_code == 302 and api.headers["Location"] == "/api/version"


def test_a_restarted_kiosk_browser_comes_back_with_its_launch_url(wall, clock):
    for night in range(3):  # each restart: a new browser, or the old one with its expired cookie
        browser = _launch(wall)
        assert browser.get("/", headers=HTML).status_code == 200
        clock[0] += 40 * DAY
        assert browser.get("/api/version").status_code == 401
        back = browser.get(f"/?kiosk={TOKEN}", headers=HTML, follow_redirects=True)
        assert back.status_code == 200 and back.request.url == "http://localhost/"
        assert browser.get("/api/version").status_code == 200


def test_a_wrong_token_is_redirected_away_too_and_a_leader_stays_a_leader(wall, engine):
    client = wall.server.test_client()
    resp = client.get("/?kiosk=wrong", headers=HTML)
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert client.get("/", headers=HTML).status_code == 302 and client.get("/api/version").status_code == 401
    add_user(engine, "lead", "correct horse battery", "leader")
    form = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    client.post("/login", data={"username": "lead", "password": "correct horse battery", "csrf_token": csrf})
    client.get(f"/?kiosk={TOKEN}", headers=HTML)
    assert client.get("/departments", headers=HTML).status_code == 200
