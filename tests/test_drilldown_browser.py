"""The drill-down pages in headless Chromium: a wall click opens a department, a leader drills to a chain segment,
the back button returns, a shared URL reopens the same view, exports download exactly the rows a table shows,
and bad codes show the friendly page; never a console error. One server (port 8070-8079) seeded by `cockpit demo`."""
from __future__ import annotations

import socket

import pytest

from browser.harness import demo_server
from cockpit.snapshot import read_snapshot

pytestmark = pytest.mark.browser


def port_in_range() -> int:
    for port in range(8070, 8080):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 8070-8079")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from demo_server(tmp_path_factory, "drill", port_in_range())


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.errors = []
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


def wait_page(pg, name: str):
    """Wait until the page shows the view its URL names (the layout stamps the view it rendered)."""
    pg.wait_for_function("""name => { const el = document.getElementById('drill-' + name);
        if (!el) { return false; }
        const key = u => { const p = new URLSearchParams(u.search); p.sort(); return u.pathname + '?' + p; };
        return key(new URL(el.dataset.view, location.href)) === key(location); }""", arg=name, timeout=20_000)


def click_bar(pg, selector: str, index: int = 0):
    """Click the middle of one bar of a Plotly bar chart (Plotly listens on its drag layer, not the bar). The
    wall's ranking scrolls after a few seconds: reduced motion holds it still between reading and clicking (on a
    loaded CI machine the bar had moved away and the click opened another department)."""
    pg.emulate_media(reduced_motion="reduce")
    box = pg.locator(f"{selector} .bars .point path").nth(index).bounding_box()
    pg.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def grid_rows(pg, grid_id: str, key: str) -> list[str]:
    return pg.evaluate("""async ([id, key]) => { const rows = [], api = await dash_ag_grid.getApiAsync(id);
        api.forEachNodeAfterFilterAndSort(n => rows.push(n.data[key])); return rows; }""",
                       [grid_id, key])


def download(pg, button: str):
    with pg.expect_download(timeout=15_000) as info:
        pg.click(button)
    return read_snapshot(open(info.value.path(), "rb").read())


def test_wall_bar_click_opens_the_department_page(server, page):
    page.goto(server.url + "/")
    page.wait_for_selector("#wall-panel-depts .js-plotly-plot .bars .point path", timeout=20_000)
    page.evaluate("() => { window.__sameDocument = true; }")
    assert page.evaluate("() => window.dash_ag_grid === undefined")  # the wall loads no table library (#5)
    code = page.evaluate("() => document.querySelector('#wall-panel-depts .js-plotly-plot').data[0].customdata[0][0]")
    click_bar(page, "#wall-panel-depts")
    page.wait_for_url(f"**/departments/{code}", timeout=10_000)
    wait_page(page, "department")
    page.wait_for_selector(".ag-root-wrapper .ag-row", timeout=10_000)  # ...and its drill page's grid still draws
    assert page.evaluate("() => window.__sameDocument") is True  # navigated inside the app, no reload
    assert page.evaluate("() => document.documentElement.scrollHeight > innerHeight")  # a scrolling page, not the canvas
    assert page.is_visible(".breadcrumbs a[href='/departments']")
    # The wall's timers stop with the wall: no poll (every 5 s) from the drill page.
    page.wait_for_timeout(1_500)  # a poll already on its way when the wall went is allowed to land
    polls = []
    page.on("request", lambda r: "/api/version" in r.url and polls.append(r.url))
    page.wait_for_timeout(6_000)
    assert polls == []
    assert page.errors == []


def test_drill_to_a_segment_back_button_and_shared_url(server, page, browser):
    page.goto(server.url + "/chains")
    wait_page(page, "chains")
    page.click(".dtable a[href='/chains/bearings']")
    page.wait_for_url("**/chains/bearings")
    wait_page(page, "chain")
    target = page.evaluate("() => document.querySelector('#drill-chain-graph-segments .js-plotly-plot').data[0].customdata[0]")
    click_bar(page, "#drill-chain-graph-segments")
    page.wait_for_url(f"**/chains/bearings/{target}")
    wait_page(page, "segment")
    # the period filter writes itself into the URL; a firm bar click selects the firm
    page.click("#drill-segment-period-from")
    page.get_by_role("option", name="2019", exact=True).click()
    page.wait_for_url("**from=2019")
    wait_page(page, "segment")
    click_bar(page, "#drill-segment-graph-compare", 1)
    page.wait_for_url("**firm=F*")
    page.wait_for_selector(".firm-anchor")
    view = page.url
    title = page.inner_text("#drill-segment-panel-firm .dpanel-title")
    shown = grid_rows(page, "drill-segment-grid", "code")

    page.go_back()
    page.wait_for_url("**from=2019")
    wait_page(page, "segment")
    assert not page.is_visible(".firm-anchor")
    page.go_back()
    page.go_back()
    page.wait_for_url("**/chains/bearings")
    wait_page(page, "chain")
    page.go_back()
    page.wait_for_url("**/chains")
    wait_page(page, "chains")

    shared = browser.new_page(viewport={"width": 1600, "height": 1000})
    shared.goto(view)
    wait_page(shared, "segment")
    assert shared.inner_text("#drill-segment-panel-firm .dpanel-title") == title
    assert grid_rows(shared, "drill-segment-grid", "code") == shown
    assert "2019" in shared.inner_text("#drill-segment-period-from")
    shared.close()
    assert page.errors == []


def test_grid_export_downloads_exactly_the_rows_the_grid_shows(server, page):
    page.goto(server.url + "/departments/kjj?lang=en")
    wait_page(page, "department")
    page.evaluate("""async () => { const api = await dash_ag_grid.getApiAsync('drill-department-grid');
        api.setFilterModel({status_label: {filterType: 'text', type: 'equals', filter: 'completed'}});
        api.applyColumnState({state: [{colId: 'days', sort: 'asc'}], defaultState: {sort: null}}); }""")
    page.wait_for_timeout(500)  # virtualRowData reaches Dash after the grid's filter and sort events
    shown = grid_rows(page, "drill-department-grid", "case_no")
    assert 0 < len(shown) < 500
    table, meta = download(page, "#drill-department-panel-cases .export-btn")
    assert list(table["case_no"]) == shown
    assert (table["status"] == "completed").all() and meta["rows"] == str(len(shown))
    assert meta["demo"].startswith("true") and meta["as_of"]
    assert page.errors == []


def test_table_export_rows_equal_the_table(server, page):
    page.goto(server.url + "/departments?sort=days&from=2024&to=2025")
    wait_page(page, "departments")
    hrefs = page.eval_on_selector_all(".dtable.ranking tbody a", "els => els.map(a => a.getAttribute('href'))")
    table, meta = download(page, "#drill-departments-panel-table .export-btn")
    assert [f"/departments/{c}?from=2024&to=2025" for c in table["department_code"]] == hrefs
    assert "from=2024" in meta["filters"] and "sort=days" in meta["filters"]
    assert page.errors == []


@pytest.mark.parametrize("path, status", [("/departments/nope", 404), ("/chains/bearings/nope?lang=en", 404),
                                          ("/chains?from=abc", 400), ("/no/such/page", 404)])
def test_bad_codes_and_parameters_show_the_friendly_page(server, page, path, status):
    reply = page.goto(server.url + path)
    page.wait_for_selector(f"#error-{status}", timeout=20_000)
    assert page.is_visible(".error-links a[href^='/']")
    assert reply.status == status  # the server checks the path first (cockpit.web.paths)
    errors = list(page.errors)
    # the browser reports the document's own 404/400 on the console, once; nothing else may fail
    errors.remove(next(e for e in errors if f"status of {status}" in e))
    assert errors == []


def _townships() -> list[dict]:
    import csv
    from pathlib import Path
    with open(Path(__file__).resolve().parents[1] / "data" / "townships.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_wall_map_names_every_township_with_its_firms_and_a_tile_click_opens_the_township(server, page):
    page.goto(server.url + "/")
    page.wait_for_selector("#wall-panel-map .js-plotly-plot .scatterlayer .point", timeout=20_000)
    shown = page.evaluate("""() => { const gd = document.querySelector('#wall-panel-map .js-plotly-plot');
        return {codes: gd.data[0].customdata, text: gd.data[0].text,
                drawn: [...gd.querySelectorAll('.textpoint text')].map(t => t.textContent),
                tiles: gd.querySelectorAll('.scatterlayer .point').length}; }""")
    towns = _townships()
    assert sorted(shown["codes"]) == sorted(r["code"] for r in towns) and shown["tiles"] == len(towns)
    for row in towns:  # every township labelled by name and its count of firms, drawn (not only in the data)
        assert any(d.startswith(row["name_zh"]) for d in shown["drawn"]), row["name_zh"]
    counts = {code: int(text.split("<b>")[1].split("</b>")[0]) for code, text in zip(shown["codes"], shown["text"])}
    assert sum(counts.values()) > 0
    # a tile click opens that township's page, inside the app
    target = max(counts, key=counts.get)
    index = shown["codes"].index(target)
    box = page.locator("#wall-panel-map .scatterlayer .point").nth(index).bounding_box()
    page.evaluate("() => { window.__sameDocument = true; }")
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(f"**/townships/{target}", timeout=10_000)
    wait_page(page, "township")
    assert page.evaluate("() => window.__sameDocument") is True
    assert page.is_visible(".breadcrumbs a[href='/townships']")
    firms = grid_rows(page, "drill-township-grid", "code")
    assert len(firms) == counts[target], "the page lists the firms the tile counted"
    table, meta = download(page, "#drill-township-panel-firms .export-btn")
    assert sorted(table["code"]) == sorted(firms)
    assert page.errors == []


def test_the_townships_page_ranks_by_the_chosen_measure_and_bad_urls_get_their_status(server, page):
    import urllib.error
    import urllib.request
    page.goto(server.url + "/townships?sort=resources")
    wait_page(page, "townships")
    names = page.locator("#drill-townships-panel-table tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(names) == sorted(r["name_zh"] for r in _townships())
    values = [int(v.replace(",", "")) for v in
              page.locator("#drill-townships-panel-table tbody tr td:nth-child(6)").all_inner_texts()]
    assert values == sorted(values, reverse=True) and page.is_visible("#drill-townships-panel-map .js-plotly-plot")
    for path, status in (("/townships/330624999999", 404), ("/townships?sort=cases", 400), ("/townships/<x>", 404)):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(server.url + path, timeout=10)
        assert err.value.code == status, path
    page.goto(server.url + "/townships?lang=en")
    wait_page(page, "townships")
    assert page.is_visible("text=Nanming Subdistrict") and page.errors == []
