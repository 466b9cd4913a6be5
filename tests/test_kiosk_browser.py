"""The kiosk launch URL in headless Chromium against a production gunicorn (issue 11 #4): the wall comes up at the
clean URL, no later request carries the token in its URL or Referer, and a restarted browser (a new profile, no
cookies) comes back by itself with the same launch URL."""
from __future__ import annotations

import pytest

from browser.harness import cockpit, store_env, wait_up
from faults import servers

pytestmark = pytest.mark.browser
TOKEN = "kiosk-token-for-the-browser-test"
WALL = "#wall-panel-depts"


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    data = tmp_path_factory.mktemp("kiosk")
    cockpit(store_env(data), "db", "upgrade")  # an empty store: the wall draws its panels saying so
    env = store_env(data, COCKPIT_ENV="production", COCKPIT_SECRET_KEY="x" * 40, COCKPIT_KIOSK_TOKEN=TOKEN,
                    COCKPIT_SEED_DEMO="0")
    real = servers.wait_up
    servers.wait_up = lambda url, timeout: real(url.replace("/api/version", "/healthz"), timeout)  # 401 in production
    try:
        server = servers.Gunicorn(env, data / "gunicorn.log", workers=2).start()
    finally:
        servers.wait_up = real
    yield server
    server.stop()


def _launch(browser, web):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    seen = []
    page.on("request", lambda r: seen.append((r.url, r.headers.get("referer", ""))))
    with page.expect_response(lambda r: "/api/version" in r.url, timeout=60_000) as polled:  # the first poll
        page.goto(f"{web.url}/?kiosk={TOKEN}&lang=en")
    page.wait_for_selector(WALL, timeout=60_000, state="attached")
    return context, page, seen, polled.value


def test_the_wall_comes_up_at_the_clean_url_and_the_token_travels_nowhere(browser, web):
    context, page, seen, poll = _launch(browser, web)
    assert page.url == f"{web.url}/?lang=en" and poll.status == 200
    assert seen[0][0].endswith(f"?kiosk={TOKEN}&lang=en")  # the launch itself, answered by the redirect
    later = seen[1:]
    assert len(later) > 10 and not [r for r in later if TOKEN in r[0] or TOKEN in r[1]]
    assert TOKEN not in page.content()
    context.close()
    again, page, _, poll = _launch(browser, web)  # the nightly restart: a fresh profile, the same launch URL
    assert page.url == f"{web.url}/?lang=en" and poll.status == 200
    again.close()
