"""The wall in real headless Chromium: fits any 16:9-ish screen, shows Chinese, goes live without reload, outlives
a server restart. One server per module against a tmp SQLite store seeded by `cockpit demo`."""
from __future__ import annotations

import re
import time

import pytest

from browser.harness import AppServer, cockpit, free_port, store_env

pytestmark = pytest.mark.browser
POLL = 1  # seconds: the test server polls fast so "within the poll interval" is quick to check
RENDERED = "#wall-panel-depts .js-plotly-plot .bars"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    data = tmp_path_factory.mktemp("wall")
    env = store_env(data, COCKPIT_POLL_SECONDS=POLL)
    cockpit(env, "demo")
    return env


@pytest.fixture(scope="module")
def server(env, tmp_path_factory):
    srv = AppServer(env, free_port(), tmp_path_factory.mktemp("log") / "app.log").start()
    yield srv
    srv.stop()


def open_wall(browser, url: str, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector(RENDERED, timeout=20_000)
    page.wait_for_function("() => document.body.dataset.rendered !== undefined")
    return page


def load_csv(env, tmp_path, rows: str):
    path = tmp_path / f"load{time.time_ns()}.csv"
    path.write_text("indicator,period,scope,value\n" + rows, encoding="utf-8")
    cockpit(env, "etl", "run-file", str(path))


def kpi_text(page, code: str) -> str:
    return page.inner_text(f"#wall-kpi-{code}")


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160), (1366, 768), (1000, 1000)])
def test_wall_fits_the_screen_with_no_scrollbar_and_no_clipped_panel(server, browser, size):
    page = open_wall(browser, server.url + "/", *size)
    fit = page.evaluate("""() => {
        const d = document.documentElement, inside = r => r.left >= -0.5 && r.top >= -0.5
            && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5 && r.width > 10 && r.height > 10;
        const boxes = [...document.querySelectorAll('.panel-set.active .panel, .kpi, .wall-header')];
        return {scroll: [d.scrollWidth - innerWidth, d.scrollHeight - innerHeight],
                outside: boxes.filter(b => !inside(b.getBoundingClientRect())).map(b => b.id || b.className),
                count: boxes.length};
    }""")
    assert fit["scroll"] == [0, 0]
    assert fit["count"] == 7 + 9 + 1
    assert fit["outside"] == []
    assert "新昌县创新服务云平台驾驶舱" in page.inner_text("h1")
    assert "研发投入强度" in page.inner_text("#wall-canvas")
    assert page.errors == []
    page.close()


LABEL_FIT = """() => { const out = [], canvas = document.getElementById('wall-canvas');
    const scale = canvas.getBoundingClientRect().width / 1920;
    for (const el of canvas.querySelectorAll('*')) {  // HTML text: no box whose text is wider or taller than it
        if (el.closest('svg, .info-pop') || ![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
        const cs = getComputedStyle(el);
        if (cs.display === 'none' || cs.visibility === 'hidden' || el.closest('.ticker')) continue;
        if (el.scrollWidth > el.clientWidth + 1 || (el.scrollHeight > el.clientHeight + 4 && cs.overflowY !== 'visible'))
            out.push(['clipped', el.className, el.textContent.trim().slice(0, 40)]);
        if (parseFloat(cs.fontSize) < 15.5)  // the type scale's floor: 16 px on the 1920x1080 canvas (README)
            out.push(['small', el.className, el.textContent.trim().slice(0, 30), cs.fontSize]);
    }
    for (const el of canvas.querySelectorAll('.ticker-row:nth-child(-n+8) span')) {  // the ticker's first rows too
        if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 4)
            out.push(['clipped', el.className, el.textContent.trim().slice(0, 40)]);
    }
    for (const el of canvas.querySelectorAll('.kpi-number span, .kpi-label, .kpi-delta, .panel-title, .panel-caption')) {
        const r = el.getBoundingClientRect(), b = el.closest('.kpi, .panel').getBoundingClientRect();
        if (r.width && (r.right > b.right + 1 || r.left < b.left - 1)) out.push(['escapes', el.className, el.textContent]);
    }
    for (const t of canvas.querySelectorAll('.panel-set .js-plotly-plot text')) {  // chart text at 16 px and up
        const r = t.getBoundingClientRect(), size = parseFloat(t.style.fontSize || getComputedStyle(t).fontSize);
        if (t.textContent.trim() && r.width && Math.min(size, r.height / 1.25 / scale) < 15.5)
            out.push(['small', t.closest('.panel').id, t.textContent.slice(0, 30), size]);
    }
    return out; }"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)])
def test_every_label_fits_its_box_in_both_languages(server, browser, lang, size):
    """Issue 13 #6: no text clipped or cut by an ellipsis, none escaping its tile or panel, no chart text under
    16 px on the 1920x1080 canvas, in either panel set (the trends set shows with ?rotate)."""
    page = open_wall(browser, server.url + f"/?lang={lang}&rotate=600", *size)
    page.wait_for_timeout(500)
    assert page.evaluate(LABEL_FIT) == []
    page.evaluate("() => document.querySelectorAll('.panel-set').forEach(s => s.classList.toggle('active'))")
    page.wait_for_timeout(300)
    assert page.evaluate(LABEL_FIT) == []
    units = page.locator(".kpi-unit").all_inner_texts()
    assert sum(1 for u in units if u.strip()) >= 7, units  # 家 / firms, 件 / patents...: units in both languages
    page.close()


# WCAG 2 contrast of every text on the canvas against the lightest background it can sit on: each ancestor's colour
# and the lightest stop of each gradient, composited. Text on a map or treemap tile is the figures' own (its tile).
CONTRAST = """() => {
  const parse = s => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const colours = s => (s.match(/rgba?\([^)]+\)/g) || []).map(parse);
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  // the lightest background an element's text can sit on: every ancestor's colour and gradient stops, composited
  const backdrop = el => { const chain = []; for (let e = el; e && e.nodeType === 1; e = e.parentElement) chain.unshift(e);
    let bg = [255, 255, 255, 1];
    for (const e of chain) { const cs = getComputedStyle(e); const c = parse(cs.backgroundColor);
      if (c && c[3] > 0) bg = over(c, bg);
      const stops = colours(cs.backgroundImage);
      if (stops.length) bg = stops.map(s => over(s, bg)).reduce((a, b) => lum(a) > lum(b) ? a : b); }
    return bg; };
  const out = [], canvas = document.getElementById('wall-canvas');
  for (const el of canvas.querySelectorAll('*')) {
    if (el.closest('svg, .info-pop') || ![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const cs = getComputedStyle(el); if (cs.display === 'none' || cs.visibility === 'hidden' || !el.getClientRects().length) continue;
    const fg = parse(cs.color); if (!fg || fg[3] === 0) continue;  // gradient-clipped text (the title) is checked apart
    const bg = backdrop(el), r = ratio(over(fg, bg), bg);
    if (r < 4.5) out.push([el.className, el.textContent.trim().slice(0, 24), cs.color, r.toFixed(2)]);
  }
  for (const t of canvas.querySelectorAll('.panel-set.active .js-plotly-plot text')) {
    if (!t.textContent.trim() || t.closest('.treemaplayer, .scatterlayer, .pielayer') || !t.getClientRects().length) continue;
    const fill = parse(getComputedStyle(t).fill); if (!fill) continue;
    const bg = backdrop(t.closest('.panel')), r = ratio(over(fill, bg), bg);
    if (r < 4.5) out.push(['svg', t.textContent.trim().slice(0, 24), getComputedStyle(t).fill, r.toFixed(2)]);
  }
  return out;
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_text_has_at_least_4_5_to_1_contrast(server, browser, lang):
    """Issue 13 #4: text contrast at least 4.5:1 (WCAG AA) in both panel sets; the muted and red inks were
    4.25 and 3.6 on the header's and tiles' lightest backgrounds."""
    page = open_wall(browser, server.url + f"/?lang={lang}&rotate=600", 1920, 1080)
    page.wait_for_timeout(500)
    assert page.evaluate(CONTRAST) == []
    page.evaluate("() => document.querySelectorAll('.panel-set').forEach(s => s.classList.toggle('active'))")
    page.wait_for_timeout(300)
    assert page.evaluate(CONTRAST) == []
    page.close()


def test_english_switches_every_label(server, browser):
    page = open_wall(browser, server.url + "/?lang=en", 1920, 1080)
    titles = page.eval_on_selector_all(".panel-title, .kpi-label, h1, .fresh-label", "els => els.map(e => e.textContent)")
    assert "R&D intensity" in titles
    assert [t for t in titles if re.search(r"[\u4e00-\u9fff]", t)] == []
    assert page.is_visible("#wall-demo")  # the demo mark stays bilingual
    page.close()


def test_cjk_glyphs_render_with_a_cjk_font(server, browser):
    page = open_wall(browser, server.url + "/", 1920, 1080)
    # Tofu is the same box for every missing glyph: draw a CJK character and an unassigned code point in the
    # wall's font and compare pixels; identical means the CJK glyph is missing.
    same = page.evaluate("""() => {
        const font = getComputedStyle(document.querySelector('h1')).fontFamily;
        const draw = ch => { const c = document.createElement('canvas'); c.width = c.height = 64;
            const x = c.getContext('2d'); x.font = '48px ' + font; x.fillText(ch, 4, 52);
            return Array.from(x.getImageData(0, 0, 64, 64).data).join(); };
        return draw('驾') === draw('\u0378');
    }""")
    assert same is False
    page.close()


def test_a_committed_load_shows_without_reload_within_the_poll_interval(server, browser, env, tmp_path):
    page = open_wall(browser, server.url + "/", 1920, 1080)
    page.evaluate("() => { window.__sameDocument = true; }")
    before = page.evaluate("() => Number(document.body.dataset.rendered)")
    assert kpi_text(page, "rd_intensity") != "5.55"
    load_csv(env, tmp_path, "rd_intensity,2026,county,5.55\nrd_spending,2026,county,33.33\n")
    started = time.time()
    page.wait_for_function("() => document.getElementById('wall-kpi-rd_intensity').textContent === '5.55'",
                           timeout=(POLL + 8) * 1000)
    assert time.time() - started < POLL + 8
    assert page.evaluate("() => Number(document.body.dataset.rendered)") > before
    years = page.evaluate("() => document.querySelector('#wall-panel-rd .js-plotly-plot').data[0].x")
    assert "2026" in list(years)
    assert page.evaluate("() => window.__sameDocument") is True
    assert page.errors == []
    page.close()


def test_wall_keeps_its_render_while_the_server_is_down_and_recovers(server, browser, env, tmp_path):
    page = open_wall(browser, server.url + "/", 1920, 1080)
    page.evaluate("() => { window.__sameDocument = true; }")
    server.stop()
    page.wait_for_function("() => document.body.classList.contains('offline')", timeout=15_000)
    assert page.is_visible("#wall-reconnect")
    assert page.is_visible(RENDERED)  # the last render stays on the wall
    load_csv(env, tmp_path, "talent_introduced,2026,county,4321\n")
    server.start()
    page.wait_for_function("() => !document.body.classList.contains('offline')", timeout=15_000)
    page.wait_for_function("() => document.getElementById('wall-kpi-talent_introduced').textContent === '4,321'",
                           timeout=15_000)
    assert page.evaluate("() => window.__sameDocument") is True
    assert not page.is_visible("#wall-reconnect")
    page.close()


def test_rotate_switches_the_visible_panel_set(server, browser):
    page = open_wall(browser, server.url + "/?rotate=5", 1920, 1080)
    active = "() => [...document.querySelectorAll('.panel-set.active')].map(s => s.id).join()"
    first = page.evaluate(active)
    page.wait_for_function(f"() => ({active})() !== '{first}'", timeout=9_000)
    switched = time.time()
    second = page.evaluate(active)
    assert {first, second} == {"wall-set-overview", "wall-set-trends"}
    page.wait_for_function(f"() => ({active})() === '{first}'", timeout=9_000)
    assert 4 < time.time() - switched < 8
    # both sets were drawn at first render (no blank chart when one comes round); the active one is opaque
    assert page.evaluate("""() => [...document.querySelectorAll('#wall-set-trends .js-plotly-plot')]
        .filter(g => g.querySelector('.main-svg')).length""") == 5
    page.wait_for_function(f"""() => getComputedStyle(document.getElementById('{first}')).opacity === '1'
        && getComputedStyle(document.getElementById('{second}')).opacity === '0'""", timeout=3_000)
    assert page.errors == []
    page.close()


def click_center(page, locator):
    page.emulate_media(reduced_motion="reduce")  # the ranking scrolls after ~5 s: hold it still to click a bar
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_a_department_bar_opens_its_page_in_the_same_language(server, browser):
    page = open_wall(browser, server.url + "/?lang=en", 1920, 1080)
    code = page.evaluate("() => document.querySelector('#wall-panel-depts .js-plotly-plot').data[0].customdata[0][0]")
    click_center(page, page.locator("#wall-panel-depts .bars .point path").first)
    page.wait_for_url(f"**/departments/{code}?lang=en", timeout=10_000)
    page.wait_for_selector("#drill-department", timeout=20_000)
    assert "lang=en" in page.get_attribute("#drill-department", "data-view")
    page.close()


def test_a_chain_tile_opens_its_page_in_the_same_language(server, browser):
    page = open_wall(browser, server.url + "/?lang=en", 1920, 1080)
    codes = page.evaluate("() => [...new Set(document.querySelector('#wall-panel-chains .js-plotly-plot').data[0].customdata)]")
    tiles = page.locator("#wall-panel-chains g.slice path.surface")
    click_center(page, tiles.nth(tiles.count() - 1))  # a segment tile: it carries its chain's code
    page.wait_for_url(re.compile(r"/chains/[^/?]+\?lang=en$"), timeout=10_000)
    assert page.url.split("/chains/")[1].split("?")[0] in codes
    page.wait_for_selector("#drill-chain", timeout=20_000)
    assert "lang=en" in page.get_attribute("#drill-chain", "data-view")
    page.close()


def test_the_clock_reads_the_cockpit_zone_not_the_kiosk_browsers(server, browser):
    """A kiosk PC whose own clock is set to UTC (or anywhere) still shows the county's time (COCKPIT_TZ)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    for zone in ("UTC", "America/Los_Angeles"):
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, timezone_id=zone)
        page = context.new_page()
        page.goto(server.url + "/")
        page.wait_for_function("() => { const c = document.getElementById('wall-clock');"
                               " return c && /\\d\\d:\\d\\d:\\d\\d/.test(c.textContent); }", timeout=30_000)
        shown = page.inner_text("#wall-clock")
        county = datetime.now(ZoneInfo("Asia/Shanghai"))
        hours = {(county.hour + d) % 24 for d in (-1, 0, 1)}  # a test may straddle the hour
        assert int(shown[:2]) in hours, (zone, shown, county)
        date = page.inner_text("#wall .clock-date")
        assert f"{county.month}月" in date, date
        context.close()


def test_an_annotation_is_a_marker_on_the_trend_with_its_text_on_hover(server, browser, env, tmp_path):
    """Issue 14 #3: a policy event loaded from a file shows as ◆ on the R&D intensity trend; hovering it shows
    its date, kind and text, in the screen's language."""
    path = tmp_path / "大事记.csv"
    path.write_text("日期,范围,类型,说明,英文说明\n2024-06-01,全县,政策,研发费用加计扣除新政实施,R&D super-deduction policy "
                    "in force\n", encoding="utf-8")
    cockpit(env, "etl", "run-file", str(path))
    for lang, text in (("zh", "研发费用加计扣除新政实施"), ("en", "R&D super-deduction policy in force")):
        page = open_wall(browser, server.url + f"/?lang={lang}", 1920, 1080)
        page.locator("#wall-panel-rd .annotation", has_text="◆").first.wait_for(timeout=15_000)
        index = page.evaluate("""() => document.querySelector('#wall-panel-rd .js-plotly-plot').layout.annotations
            .findIndex(a => (a.hovertext || '').includes('2024-06-01'))""")
        assert index >= 0  # the demo's own events are markers too (2020, 2021): this one is 2024's
        box = page.locator("#wall-panel-rd .annotation").nth(index).bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_selector("#wall-panel-rd .hoverlayer .hovertext", timeout=5_000)
        hover = page.evaluate("() => document.querySelector('#wall-panel-rd .hoverlayer').textContent")
        assert text in hover and "2024-06-01" in hover, hover
        assert page.errors == []
        page.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_ticker_loop_ends_on_the_frame_it_starts_with(server, browser, lang):
    """The ticker scrolls its list up by the list's own height; the repeat of its first rows below must fill the
    panel then, so the last frame of the loop shows what the first did (a jump or a gap would show at each loop)."""
    page = open_wall(browser, server.url + f"/?lang={lang}", 1920, 1080)
    shown = """(progress) => {
        const ticker = document.querySelector('.ticker'), box = ticker.parentElement.getBoundingClientRect();
        const anim = ticker.getAnimations()[0];
        anim.pause(); anim.currentTime = progress * anim.effect.getTiming().duration;
        return [...ticker.querySelectorAll('.ticker-row')].filter(r => {
            const b = r.getBoundingClientRect(); return b.bottom > box.top + 1 && b.top < box.bottom - 1;
        }).map(r => [Math.round(r.getBoundingClientRect().top - box.top), r.innerText]);
    }"""
    first, last = page.evaluate(shown, 0), page.evaluate(shown, 0.99999)
    assert len(first) >= 5 and first == last
    page.close()
