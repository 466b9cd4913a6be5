"""The wall unattended, in real headless Chromium (issue 11 #5 and the client side of #3): a hung /api/wall is given
up and the next poll refreshes; a refused wall (401/403, the login page) says it needs a new kiosk link instead of
"reconnecting" for ever, polls slowly and recovers by itself; number animations never overlap on a tile. Hangs and
refusals are made with page.route, and against a real server with kiosk access by dropping the session cookie."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from browser.harness import ROOT, AppServer, cockpit, free_port, store_env, wait_up
from test_wall_browser import RENDERED, load_csv

pytestmark = pytest.mark.browser
POLL = 1
TOKEN = "kiosk-token-for-the-resilience-tests-0123456789"
VERSION, WALL = re.compile(r"/api/version(\?|$)"), re.compile(r"/api/wall\?")
REFUSED = "#wall-refused"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    env = store_env(tmp_path_factory.mktemp("wall"), COCKPIT_POLL_SECONDS=POLL)
    cockpit(env, "demo")
    return env


@pytest.fixture(scope="module")
def server(env, tmp_path_factory):
    srv = AppServer(env, free_port(), tmp_path_factory.mktemp("log") / "app.log").start()
    yield srv
    srv.stop()


@pytest.fixture
def wall(browser, server):
    """Opens the wall with window hooks set before any script runs (a short fetch timeout, a short re-check)."""
    pages = []

    def open_(path="/", width=1920, height=1080, before=None, **hooks):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.add_init_script("".join(f"window.{k} = {json.dumps(v)};" for k, v in hooks.items()))
        if before:
            before(page)
        pages.append(page)
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(server.url + path, timeout=90_000)  # generous: the machine may be busy; a pass is not slower
        page.wait_for_selector(RENDERED, timeout=60_000)
        page.wait_for_function("() => document.body.dataset.rendered !== undefined")
        return page

    yield open_
    for page in pages:
        page.unroute_all(behavior="ignoreErrors")
        page.close()


def test_a_hung_refresh_is_given_up_and_a_later_poll_refreshes(wall, env, tmp_path):
    hung = []

    def once_hung(route):
        if not hung:
            hung.append(route)  # never answered: the wall must give up on its own
        else:
            route.continue_()

    page = wall(__wallFetchTimeoutMs=1500, before=lambda p: p.route(WALL, once_hung))
    page.evaluate("() => { window.__sameDocument = true; }")
    load_csv(env, tmp_path, "talent_introduced,2026,county,6543\n")
    page.wait_for_function("() => document.getElementById('wall-kpi-talent_introduced').textContent === '6,543'",
                           timeout=20_000)
    assert len(hung) == 1
    assert page.evaluate("() => window.__sameDocument") is True
    assert not page.is_visible("#wall-reconnect")
    assert page.errors == []


def refusals(login_html: bytes) -> dict:
    """Each way a server refuses the wall's poll: 401 and 403 with JSON, a redirect to the (real) login page, and the
    login page itself where JSON was asked for."""
    return {
        "401": lambda route: route.fulfill(status=401, json={"error": "forbidden", "needs": "kiosk"}),
        "403": lambda route: route.fulfill(status=403, json={"error": "forbidden", "needs": "kiosk"}),
        "redirect to /login": lambda route: route.fulfill(status=302, headers={"Location": "/login?next=/api/version"}),
        "login page": lambda route: route.fulfill(status=200, content_type="text/html", body=login_html),
    }


def assert_refused_not_reconnecting(page):
    page.wait_for_selector(REFUSED, state="visible", timeout=30_000)
    assert page.evaluate("() => document.body.classList.contains('kiosk-refused')")
    assert not page.is_visible("#wall-reconnect")
    assert not page.evaluate("() => document.body.classList.contains('offline')")


def assert_notice_fits(page, shot):
    """Every line of the notice inside the 1920x1080 screen and none cut off; a screenshot to look at."""
    cut = page.evaluate("""() => [...document.querySelectorAll('#wall-refused > div')].filter(e => {
        const r = e.getBoundingClientRect();
        return e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight || r.width < 10
            || r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight;
    }).map(e => e.className)""")
    assert cut == []
    page.screenshot(path=str(shot))


RECHECK = 4  # seconds between a refused wall's polls here (a minute by default); the wall polls every POLL


def counted(calls: list, answer):
    def handler(route):
        calls.append(time.monotonic())
        answer(route)
    return handler


def test_each_refusal_shows_the_kiosk_link_state_polls_slowly_and_recovers(wall, server, tmp_path):
    """One wall through every kind of refusal in turn: the notice instead of "reconnecting", the next poll only
    after the re-check wait (not every POLL), and the notice gone by itself once the server answers again."""
    page = wall(__wallRefusedRecheckS=RECHECK)
    for name, refuse in refusals(urllib.request.urlopen(server.url + "/login").read()).items():
        polls = []
        page.route(VERSION, counted(polls, refuse))
        assert_refused_not_reconnecting(page)
        refused_at = time.monotonic()
        if name == "401":
            assert "需要新的展示链接" in page.inner_text(REFUSED)
            assert "needs a new kiosk link" in page.inner_text(REFUSED)
            assert_notice_fits(page, tmp_path / "refused-zh.png")
        page.wait_for_timeout((RECHECK - 1.5) * 1000)  # more than two poll intervals: no poll in them
        assert len(polls) == 1, name
        assert not page.is_visible("#wall-reconnect") and page.is_visible(REFUSED)
        page.unroute(VERSION)
        page.wait_for_selector(REFUSED, state="hidden", timeout=(RECHECK + 26) * 1000)
        assert time.monotonic() - refused_at > RECHECK - 1.5, name
        assert not page.evaluate("() => document.body.classList.contains('kiosk-refused')")
    assert page.errors == []


def test_a_refused_refresh_shows_the_kiosk_link_state(wall, tmp_path):
    page = wall(path="/?lang=en", __wallRefusedRecheckS=2)
    page.route(WALL, lambda route: route.fulfill(status=401, json={"error": "forbidden", "needs": "kiosk"}))
    assert page.evaluate("() => window.dash_clientside.cockpit.refresh()") is False
    assert_refused_not_reconnecting(page)
    assert page.inner_text(".refused-title") == "This wall needs a new kiosk link"
    assert page.inner_text(".refused-other") == "需要新的展示链接"
    assert_notice_fits(page, tmp_path / "refused-en.png")
    page.wait_for_timeout(3 * POLL * 1000)  # polls answer well meanwhile: the refresh's refusal still shows
    assert page.is_visible(REFUSED)
    page.unroute(WALL)  # each re-check retries the refresh: it works again, the notice goes
    page.wait_for_selector(REFUSED, state="hidden", timeout=30_000)


@pytest.fixture(scope="module")
def kiosk_server(env, tmp_path_factory):
    """The same store behind a server that is not open: the wall gets in by kiosk token only."""
    closed = dict(env, COCKPIT_OPEN_ACCESS="0", COCKPIT_KIOSK_TOKEN=TOKEN)
    srv = AppServer(closed, free_port(), tmp_path_factory.mktemp("log") / "kiosk.log")
    srv.proc = subprocess.Popen([sys.executable, "app.py"], env=srv.env, cwd=ROOT, stdout=open(srv.log, "ab"),
                                stderr=subprocess.STDOUT)
    wait_up(srv.url + "/healthz")  # AppServer.start waits on /api/version, which refuses a visitor here
    yield srv
    srv.stop()


def test_a_real_server_refusing_the_kiosk_session_shows_the_state_and_recovers(browser, kiosk_server):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.add_init_script("window.__wallRefusedRecheckS = 2;")
    page.goto(f"{kiosk_server.url}/?kiosk={TOKEN}", timeout=90_000)
    page.wait_for_selector(RENDERED, timeout=60_000)
    session = page.context.cookies()
    page.context.clear_cookies()  # the session is gone (expired, or the server no longer accepts it)
    assert_refused_not_reconnecting(page)
    page.context.add_cookies(session)  # the session works again: the wall carries on, no reload
    page.wait_for_selector(REFUSED, state="hidden", timeout=30_000)
    assert not page.evaluate("() => document.body.classList.contains('offline')")
    assert page.is_visible(RENDERED)
    page.close()


def test_two_rapid_refreshes_never_run_two_animations_on_one_tile(wall):
    page = wall()
    code = "talent_introduced"
    base = float(page.get_attribute(f"#wall-kpi-{code}", "data-value"))
    targets = [base + 1000, base + 2000]

    def bump(route):  # the real refresh, with the tile's value moved on each time
        res = route.fetch()
        out = res.json()
        out["kpis"][code]["v"] = targets.pop(0) if targets else base + 2000
        route.fulfill(response=res, json=out)

    page.route(WALL, bump)
    # Frames are driven by the test (a headless browser on a busy machine may draw one every few seconds): the
    # page's requestAnimationFrame queues, pump(ts) runs the queue as one frame. Every write to the tile's number
    # inside a frame is recorded with the frame's time: two loops alive on the tile write it twice in one frame.
    page.evaluate("""code => {
        const el = document.getElementById('wall-kpi-' + code);
        const text = Object.getOwnPropertyDescriptor(Node.prototype, 'textContent');
        let queue = new Map(), next = 1, frame = null;
        window.__writes = [];
        window.requestAnimationFrame = cb => { queue.set(next, cb); return next++; };
        window.cancelAnimationFrame = id => { queue.delete(id); };
        window.__pump = ts => {
            const due = queue; queue = new Map(); frame = ts;
            try { due.forEach(cb => cb(ts)); } finally { frame = null; }
        };
        Object.defineProperty(el, 'textContent', {configurable: true, get() { return text.get.call(this); },
            set(v) { if (frame !== null) { window.__writes.push([frame, String(v)]); } text.set.call(this, v); }});
    }""", code)
    running = page.evaluate("""async () => {
        const c = window.dash_clientside.cockpit;
        await c.refresh();
        window.__pump(0); window.__pump(300);   // the first animation is a quarter through
        await c.refresh();                      // the second refresh comes while it runs
        const running = c.animating ? c.animating() : null;
        for (let ts = 400; ts <= 2400; ts += 100) { window.__pump(ts); }
        return running;
    }""")
    writes = page.evaluate("() => window.__writes")
    frames = [ts for ts, _ in writes]
    values = [float(text.replace(",", "")) for _, text in writes]
    assert len(frames) == len(set(frames)), "two animation loops wrote the tile in one frame"
    assert values == sorted(values), "the number went back and forth"
    assert values[-1] == base + 2000
    assert running == [f"wall-kpi-{code}"]
    assert page.evaluate("() => window.dash_clientside.cockpit.animating()") == []
