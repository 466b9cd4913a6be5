"""Every screen in real headless Chromium on stores holding only part of the data (empty, observations only, cases
only, one indicator): HTTP 200, no reload loop, nothing left "Loading...", 暂无数据 where data is missing, the wall's
KPI row, no console error; and a wall whose first layout fails reloads with a back-off and then gives up, saying why.
One server per store kind (module-scoped), each against its own SQLite store built through etl.load.run."""
from __future__ import annotations

import pytest

import partial_stores
from browser.harness import AppServer, free_port, store_env
from etl.store import MatterCase, make_engine

pytestmark = pytest.mark.browser
CORE = ["/", "/?rotate=10&lang=en", "/departments", "/departments/kjj", "/chains", "/chains/equipment",
        "/chains/equipment/equipment.smart", "/ops"]
SCREENS = CORE + ["/townships", "/townships/330624001000"]
READY = {"/": ".kpi-row", "/departments": "#drill-departments", "/departments/kjj": "#drill-department",
         "/chains": "#drill-chains", "/chains/equipment": "#drill-chain",
         "/chains/equipment/equipment.smart": "#drill-segment", "/ops": "#ops-page", "/townships": "#drill-townships",
         "/townships/330624001000": "#drill-township"}
# Where each store kind lacks data, the screens that must say so (暂无数据 / No data yet).
SAYS_NO_DATA = {"empty": set(CORE) - {"/ops"}, "cases": {"/", "/?rotate=10&lang=en", "/chains", "/chains/equipment",
                                                          "/chains/equipment/equipment.smart"},
                "observations": {"/", "/?rotate=10&lang=en", "/departments", "/departments/kjj"},
                "one_indicator": set(CORE) - {"/ops"},
                "registers": {"/", "/?rotate=10&lang=en", "/departments", "/departments/kjj"}}
SHORT_BACKOFF = "window.__wallBackoff = [0.2, 0.2, 0.2];"


def start(tmp_path_factory, kind: str) -> AppServer:
    folder = tmp_path_factory.mktemp(f"partial-{kind}")
    partial_stores.build(kind, folder)
    env = store_env(folder, COCKPIT_POLL_SECONDS=1, COCKPIT_SEED_DEMO="false")
    return AppServer(env, free_port(), folder / "app.log").start()


@pytest.fixture(scope="module", params=["empty", "observations", "cases", "one_indicator", "registers"])
def server(request, tmp_path_factory):
    srv = start(tmp_path_factory, request.param)
    srv.kind = request.param
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def context(browser):
    """One browser context per module: its HTTP cache spares each page the 1.4 MB of plotly.js; every page is a
    new tab, so each has its own sessionStorage (the wall's reload count)."""
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    ctx.add_init_script(SHORT_BACKOFF)
    yield ctx
    ctx.close()


def open_page(context, url: str):
    """A new tab that records console errors, main-frame navigations and document requests."""
    page = context.new_page()
    page.errors, page.navigations, page.homes = [], [], []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("framenavigated", lambda f: f == page.main_frame and page.navigations.append(f.url))
    page.on("request", lambda r: r.resource_type == "document" and page.homes.append(r.url))
    return page, page.goto(url)


def navigate(page, path: str) -> None:
    """Open `path` inside the app as a link click does (Dash's own history push), not by a full page load."""
    page.evaluate("""path => { window.history.pushState({}, '', path);
        window.dispatchEvent(new CustomEvent('_dashprivate_pushstate')); }""", path)


def check_screen(page, kind: str, path: str) -> None:
    page.wait_for_selector(READY[path.split("?")[0]], timeout=20_000)
    text = page.inner_text("body")
    assert "Loading..." not in text, path
    if path in SAYS_NO_DATA[kind]:
        assert ("No data yet" if "lang=en" in path else "暂无数据") in text, (kind, path)
    assert page.errors == [], (path, page.errors)


def test_every_screen_renders_on_partial_data(server, context):
    for path in SCREENS:  # every screen answers 200 as a page load
        assert context.request.get(server.url + path).status == 200, path
    page, response = open_page(context, server.url + "/")
    assert response.status == 200
    page.wait_for_function("() => document.body.dataset.rendered !== undefined", timeout=20_000)
    page.wait_for_timeout(2500)  # 2+ polls at 1 s with a 0.2 s back-off: a reload loop would have reloaded by now
    assert page.locator(".kpi-row .kpi").count() == 9
    assert not page.is_visible("#wall-failed")
    check_screen(page, server.kind, "/")
    for path in SCREENS[1:]:  # then the English rotating wall, each drill-down and /ops, as links open them
        navigate(page, path)
        if path.startswith("/?"):  # the same page in English: wait for the new render, not the old one
            page.wait_for_function("() => document.querySelectorAll('.lang-en .kpi-row .kpi').length === 9",
                                   timeout=20_000)
        check_screen(page, server.kind, path)
    assert len(page.homes) == 1, page.homes  # one page load for the whole tour: the wall never reloaded itself
    page.close()


def test_a_failing_first_layout_backs_off_then_gives_up_saying_why(tmp_path_factory, context):
    srv = start(tmp_path_factory, "empty")
    engine = make_engine(f"sqlite:///{srv.env['COCKPIT_DATA_DIR']}/cockpit.sqlite")
    MatterCase.__table__.drop(engine)  # the wall's queries now fail; the version poll still answers
    engine.dispose()
    try:
        page, response = open_page(context, srv.url + "/")
        assert response.status == 200
        page.wait_for_function("() => (document.getElementById('wall-failed-detail') || {}).textContent"
                               " && document.getElementById('wall-failed-detail').textContent.includes('已重试 3 次')",
                               timeout=20_000)
        reloads = len(page.navigations)
        assert reloads == 4, page.navigations  # the first load and three tries, one per back-off step
        page.wait_for_timeout(3000)  # three more polls: no further reload
        assert len(page.navigations) == reloads
        assert "驾驶舱暂时无法加载数据" in page.inner_text("#wall-failed")
        assert "数据库无法访问" in page.inner_text("#wall-failed-detail")  # the category, not a traceback
        assert "Loading..." not in page.inner_text("body")
        page.close()
    finally:
        srv.stop()
