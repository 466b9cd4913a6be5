"""The wall's live refresh carries a tile's words, not only its number: in real headless Chromium, with the wall
open, a newer period loaded by `cockpit etl run-file` changes the tile's 统计期 text, a revised value brings the
已修订 badge (its popover with the previous value), and a new day in COCKPIT_TZ (the poll's server clock moved on,
injected by rewriting /api/version) refreshes the wall with no data change. No reload in any of them."""
from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import Error as PlaywrightError

from browser.harness import AppServer, cockpit, free_port, store_env

pytestmark = pytest.mark.browser
POLL = 1  # seconds between the test wall's polls
RENDERED = "#wall-panel-depts .js-plotly-plot .bars"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    env = store_env(tmp_path_factory.mktemp("refresh"), COCKPIT_POLL_SECONDS=POLL)
    cockpit(env, "demo")
    return env


@pytest.fixture(scope="module")
def server(env, tmp_path_factory):
    srv = AppServer(env, free_port(), tmp_path_factory.mktemp("log") / "app.log").start()
    yield srv
    srv.stop()


@pytest.fixture
def wall(server, browser):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(server.url + "/")
    page.wait_for_selector(RENDERED, timeout=20_000)
    page.wait_for_function("() => document.body.dataset.rendered !== undefined")
    page.evaluate("() => { window.__sameDocument = true; }")
    yield page
    assert page.evaluate("() => window.__sameDocument") is True, "the wall reloaded"
    assert page.errors == []
    page.close()


def load_csv(env, tmp_path, rows: str):
    path = tmp_path / f"load{time.time_ns()}.csv"
    path.write_text("indicator,period,scope,value\n" + rows, encoding="utf-8")
    cockpit(env, "etl", "run-file", str(path))


def tile(code: str) -> str:
    return f"document.getElementById('wall-kpi-{code}').closest('.kpi')"


def period_of(page, code: str) -> str:
    return page.evaluate(f"() => {tile(code)}.querySelector('.kpi-period').textContent")


def test_a_newer_period_changes_the_tiles_period_text_without_reload(wall, env, tmp_path):
    before = period_of(wall, "rd_intensity")
    year = int(re.search(r"(\d{4})", before).group(1))
    load_csv(env, tmp_path, f"rd_intensity,{year + 1},county,5.55\n")
    wall.wait_for_function(f"() => document.getElementById('wall-kpi-rd_intensity').dataset.value === '5.55'",
                           timeout=(POLL + 8) * 1000)
    wall.wait_for_function(f"() => {tile('rd_intensity')}.querySelector('.kpi-period').textContent"
                           f" === '统计期 {year + 1}'", timeout=3000)
    assert before == f"统计期 {year}"


def test_a_revised_value_brings_the_revised_badge_without_reload(wall, browser, env, tmp_path):
    code = "listed_firms"
    assert wall.evaluate(f"() => {tile(code)}.querySelector('.info-revised')") is None, "not revised yet"
    period = period_of(wall, code).split()[-1]
    old = float(wall.evaluate(f"() => document.getElementById('wall-kpi-{code}').dataset.value"))
    load_csv(env, tmp_path, f"{code},{period},county,{old + 7:g}\n")
    wall.wait_for_function(f"() => {tile(code)}.querySelector('.kpi-when .info-revised') !== null",
                           timeout=(POLL + 8) * 1000)
    badge = wall.evaluate(f"""() => {{ const b = {tile(code)}.querySelector('.info-revised');
        return {{text: b.textContent, pop: b.querySelector('dd').textContent, label: b.getAttribute('aria-label'),
                 tab: b.tabIndex}}; }}""")
    assert badge["text"].startswith("✎ 已修订")
    assert badge["pop"].startswith(f"前值 {old:,.0f} · 修订于 ")
    assert badge["label"] == f"已修订: {badge['pop']}" and badge["tab"] == 0
    # the badge and the period on the tile are the server's own: a fresh render draws the same words
    fresh = browser.new_page(viewport={"width": 1920, "height": 1080})
    fresh.goto(wall.url)
    fresh.wait_for_selector(RENDERED, timeout=20_000)
    drawn = fresh.evaluate(f"() => {tile(code)}.querySelector('.kpi-when').textContent")
    assert drawn == wall.evaluate(f"() => {tile(code)}.querySelector('.kpi-when').textContent")
    fresh.close()


def test_a_new_day_refreshes_the_wall_with_no_data_change(wall):
    shift = {"s": 0}

    def version(route):
        try:
            body = json.loads(route.fetch().text())
            body["now"] += shift["s"]
            route.fulfill(status=200, content_type="application/json", body=json.dumps(body))
        except PlaywrightError:  # the page closed with a poll in flight
            pass

    wall.route("**/api/version", version)
    time.sleep(3 * POLL)  # a few polls on the same day and version: no refresh
    renders = wall.evaluate("() => window.__wallRenders")
    time.sleep(3 * POLL)
    assert wall.evaluate("() => window.__wallRenders") == renders
    shift["s"] = 86400  # the server's clock is a day on: the next poll refreshes
    wall.wait_for_function(f"() => window.__wallRenders > {renders}", timeout=(POLL + 6) * 1000)
    time.sleep(3 * POLL)  # and once: the day it shows is now the server's
    assert wall.evaluate("() => window.__wallRenders") == renders + 1
    wall.unroute_all(behavior="ignoreErrors")  # a poll in flight as the page closes is no error
