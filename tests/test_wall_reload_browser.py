"""The optional daily reload (COCKPIT_WALL_RELOAD_AT) in headless Chromium: the reload is due once per day at the
configured minute in COCKPIT_TZ; a wall whose server cannot answer is not reloaded into an error page; a due wall
reloads once, and every frame Chromium composites meanwhile (a CDP screencast) is a whole wall: the old page's
last frame is held by a view transition until the new page's charts have drawn, never a blank or half-drawn one.
The load time is moved back a day in the page instead of waiting for 03:00."""
from __future__ import annotations

import time

import pytest

from browser.harness import demo_server

pytestmark = pytest.mark.browser

RENDERED = "#wall-panel-depts .js-plotly-plot .bars"
# The share of a frame's pixels in its most common colour: a whole wall is about 0.38, the bare background with
# "Loading..." 0.99, the layout with its charts not yet drawn 0.61.
SHARE = """async (data) => { const img = new Image(); img.src = 'data:image/png;base64,' + data; await img.decode();
    const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
    const x = c.getContext('2d'); x.drawImage(img, 0, 0);
    const px = x.getImageData(0, 0, c.width, c.height).data, n = new Map(); let top = 0;
    for (let k = 0; k < px.length; k += 4) {
        const key = (px[k] >> 3) << 10 | (px[k + 1] >> 3) << 5 | px[k + 2] >> 3, v = (n.get(key) || 0) + 1;
        n.set(key, v); if (v > top) { top = v; } }
    return top / (px.length / 4); }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from demo_server(tmp_path_factory, "reload", COCKPIT_WALL_RELOAD_AT="03:00")


def open_wall(browser, url):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.navigations = []
    page.on("framenavigated", lambda f: f == page.main_frame and page.navigations.append(time.time()))
    page.goto(url)
    page.wait_for_selector(RENDERED, timeout=20_000)
    page.wait_for_function("() => document.body.dataset.rendered", timeout=20_000)
    return ctx, page


def test_the_reload_is_due_once_a_day_at_the_configured_minute(server, browser):
    ctx, page = open_wall(browser, server.url + "/")
    assert page.evaluate("() => cockpitWallReload.info().at") == 180
    cases = page.evaluate("""() => { const p = (d, h, mi) => ({y: 2026, mo: 12, d: d, h: h, mi: mi});
        const due = (at, a, b) => cockpitWallReload.due(at, a, b);
        return [due(180, p(3, 2, 59), p(3, 3, 0)), due(180, p(3, 3, 0), p(3, 3, 5)), due(180, p(3, 10, 0), p(3, 23, 0)),
                due(180, p(3, 23, 0), p(4, 2, 0)), due(180, p(3, 23, 0), p(4, 3, 0)), due(180, p(3, 2, 0), p(4, 1, 0)),
                due(null, p(3, 2, 0), p(4, 4, 0))]; }""")
    # loaded before 03:00 and now past it: due; loaded at or after it: not until tomorrow's 03:00; a page loaded
    # before a 03:00 it slept through is due at once; no time set: never
    assert cases == [True, False, False, False, True, True, False]
    ctx.close()


def test_a_due_wall_reloads_once_holding_its_last_frame_until_the_new_one_has_drawn(server, browser):
    ctx, page = open_wall(browser, server.url + "/")
    # the server cannot answer: no reload into an error page, the wall keeps what it shows and tries later
    page.route("**/api/wall*", lambda route: route.abort())
    page.evaluate("() => { window.__wallReloadRetryMs = 1000; cockpitWallReload.backdate(); }")
    page.wait_for_timeout(3_000)
    assert len(page.navigations) == 1 and page.is_visible(RENDERED)
    cdp = ctx.new_cdp_session(page)
    frames = []

    def frame(f):
        frames.append(f["data"])
        cdp.send("Page.screencastFrameAck", {"sessionId": f["sessionId"]})

    cdp.on("Page.screencastFrame", frame)
    cdp.send("Page.startScreencast", {"format": "png", "maxWidth": 480, "maxHeight": 270})
    page.wait_for_timeout(300)
    page.unroute("**/api/wall*")  # the server answers again: the next try reloads
    page.wait_for_function("() => window.cockpitWallReload && cockpitWallReload.info().released !== null",
                           timeout=30_000, polling=100)
    page.wait_for_timeout(1_000)  # the new page's own first frames after the hold ends
    cdp.send("Page.stopScreencast")
    assert len(page.navigations) == 2  # one reload, to the same address
    assert page.url == server.url + "/"
    info = page.evaluate("() => cockpitWallReload.info()")
    assert info["transition"] is True  # the new page arrived in the held view transition
    page.wait_for_timeout(3_000)
    assert len(page.navigations) == 2  # and never again: the new page loaded after 03:00
    checker = ctx.new_page()
    shares = [checker.evaluate(SHARE, f) for f in frames]
    assert len(shares) > 10
    assert max(shares) < 0.5, [round(s, 3) for s in shares]  # no blank, "Loading..." or chartless frame
    assert page.errors == []
    ctx.close()


def test_a_refresh_redraws_only_the_figures_that_changed(server, browser):
    ctx, page = open_wall(browser, server.url + "/")
    calls = page.evaluate("""async () => { const c = window.dash_clientside.cockpit, orig = Plotly.react; let n = 0;
        Plotly.react = function () { n++; return orig.apply(this, arguments); };
        while (!(await c.refresh())) { await new Promise(r => setTimeout(r, 20)); }  // the first: all (after boot)
        await new Promise(r => setTimeout(r, 300)); const first = n; n = 0;
        await c.refresh(); await new Promise(r => setTimeout(r, 300)); const same = n; n = 0;
        await c.refresh(true); await new Promise(r => setTimeout(r, 300));
        return [first, same, n]; }""")
    assert calls == [6, 0, 6]  # the same data: nothing redrawn; forced (the bench's soak): every chart
    ctx.close()
