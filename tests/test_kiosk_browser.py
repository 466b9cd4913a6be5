"""A touch wall and reduced motion in real Chromium (issue 13 #3, #4): a visitor drills from a kiosk wall and,
after COCKPIT_IDLE_SECONDS without input, the drill page returns to the wall and the wall to its overview; no
context menu, and back stays on the wall; prefers-reduced-motion stops the scrolls, flips and cross-fades."""
from __future__ import annotations

import pytest

from browser.harness import demo_server

pytestmark = pytest.mark.browser
IDLE = 3  # seconds: the test server's idle time
RENDERED = "#wall-panel-depts .js-plotly-plot .bars .point path"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from demo_server(tmp_path_factory, "kiosk", COCKPIT_IDLE_SECONDS=IDLE)


def open_page(browser, url: str, **context):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, **context)
    page = ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector(RENDERED, timeout=20_000)
    return ctx, page


def test_a_visitor_drills_from_the_kiosk_wall_and_idle_brings_it_back_to_the_overview(server, browser):
    home = "/?touch=1&rotate=600"
    ctx, page = open_page(browser, server.url + home, reduced_motion="reduce")  # the ranking holds still
    box = page.locator(RENDERED).first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/departments/*", timeout=10_000)
    page.wait_for_url(lambda url: url.endswith(home), timeout=(IDLE + 6) * 1000)  # idle: back to the wall
    page.wait_for_selector(RENDERED, timeout=20_000)
    # the trends set is showing when the visitor leaves: idle returns the overview, and rotation waits for none
    page.evaluate("() => document.querySelectorAll('.panel-set').forEach((s, i) => s.classList.toggle('active', i === 1))")
    page.mouse.move(200, 200)  # a visitor's last touch, on the trends set
    page.wait_for_function("() => document.querySelector('.panel-set').classList.contains('active')",
                           timeout=(IDLE + 4) * 1000)
    # no stray gesture leaves the wall: no context menu, and back stays on it
    prevented = page.evaluate("""() => { const e = new MouseEvent('contextmenu', {bubbles: true, cancelable: true});
        document.getElementById('wall-canvas').dispatchEvent(e); return e.defaultPrevented; }""")
    assert prevented is True
    page.go_back()
    page.wait_for_timeout(500)
    assert page.url.endswith(home) and page.is_visible("#wall-canvas")
    assert page.evaluate("() => getComputedStyle(document.querySelector('.wall')).userSelect") == "none"
    assert page.errors == []
    ctx.close()


def test_rotation_pauses_while_someone_touches_the_wall(server, browser):
    ctx, page = open_page(browser, server.url + "/?touch=1&rotate=5")
    active = "() => document.querySelector('.panel-set.active').id"
    first = page.evaluate(active)
    for _ in range(8):  # a visitor keeps touching for eight seconds: the five-second rotation waits
        page.mouse.move(300, 300)
        page.mouse.move(320, 320)
        page.wait_for_timeout(1000)
        assert page.evaluate(active) == first
    page.wait_for_function(f"() => ({active})() !== '{first}'", timeout=(IDLE + 8) * 1000)  # left alone: it turns
    ctx.close()


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_reduced_motion_stops_scrolls_flips_and_cross_fades(server, browser, motion):
    ctx, page = open_page(browser, server.url + "/?rotate=30", reduced_motion=motion)
    styles = page.evaluate("""() => ({ticker: getComputedStyle(document.querySelector('.ticker')).animationName,
        fade: getComputedStyle(document.querySelector('.panel-set')).transitionDuration,
        ranking: getComputedStyle(document.querySelector('.panel-graph.scrolled')).animationName})""")
    if motion == "reduce":
        assert styles == {"ticker": "none", "fade": "0s", "ranking": "none"}
    else:
        assert styles["ticker"] != "none" and styles["fade"] != "0s" and styles["ranking"] != "none"
    ctx.close()


def test_the_spotlight_cycles_one_department_at_a_time_and_each_exception_gets_its_dwell(server, browser):
    """Issue 13 #2: ?rotate=5&spotlight=departments&exceptions=1 adds a spotlight set (one department per visit,
    the next on the next visit) and an exceptions set in which each demo exception (the overdue indicator, the
    late reporters, the off-target firms) holds the screen for a dwell of its own, its reason in words."""
    ctx, page = open_page(browser, server.url + "/?rotate=5&spotlight=departments&exceptions=1")
    active = "() => document.querySelector('.panel-set.active').id"
    card = "id => { const c = document.querySelector('#' + id + ' .spot-card.active'); return c ? c.innerText : null; }"
    exceptions = int(page.get_attribute("#wall-set-exceptions", "data-count"))
    assert exceptions >= 3 and page.locator("#wall-set-spotlight .spot-card").count() == 33
    reasons = page.locator("#wall-set-exceptions .spot-reason").all_inner_texts()
    assert {"数据逾期", "逾期未报", "未达目标"} <= set(reasons), reasons
    seen_sets, spotlight, dwell = [], [], []
    for _ in range(2 * (3 + exceptions) + 1):  # two turns of the rotation, a tick every five seconds
        page.wait_for_timeout(5_000)
        now = page.evaluate(active)
        seen_sets.append(now)
        if now == "wall-set-spotlight":
            spotlight.append(page.evaluate(card, "wall-set-spotlight"))
        if now == "wall-set-exceptions":
            dwell.append(page.evaluate(card, "wall-set-exceptions"))
    assert {"wall-set-overview", "wall-set-trends", "wall-set-spotlight", "wall-set-exceptions"} <= set(seen_sets)
    assert len(spotlight) >= 2 and spotlight[0] != spotlight[1], spotlight  # the next department on the next visit
    assert len(set(dwell)) >= min(exceptions, 3), dwell  # each exception showed, one dwell each
    assert page.errors == []
    ctx.close()
