"""The drill-down pages as plain functions against the seeded store (SQLite and PostgreSQL): every department,
chain and segment renders; unknown codes and bad parameters give the friendly 404/400 layouts; every name is a
link that keeps the view's state; chart clicks and the period filter write URLs; exports write the rows shown."""
from __future__ import annotations

import importlib
import re
from datetime import datetime

import pytest
from dash import dcc, no_update
from sqlalchemy import func, select

from cockpit import create_app, ids
from cockpit import state as drill
from cockpit.snapshot import read_snapshot
from conftest import _fresh_pg
from etl import load, migrate
from etl.catalogue import read_catalogue
from etl.sources import DemoSource
from etl.store import Chain, Department, Firm, MatterCase, Segment, make_engine


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request, tmp_path_factory):
    """One seeded store per dialect for the whole module: these tests only read (seeding takes seconds)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('drill') / 'store.sqlite'}"
        engine = make_engine(url)
    else:
        url = request.getfixturevalue("pg_database")
        engine = _fresh_pg(url)
    migrate.prepare(engine, read_catalogue())
    assert load.run(engine, "demo-history", DemoSource(now=datetime(2026, 11, 20, 10, 30))).status == "success"
    yield url, engine
    engine.dispose()


@pytest.fixture(scope="module")
def seeded_store(store):
    return store[1]


@pytest.fixture(scope="module")
def pages(store):
    app = create_app(database_url=store[0])
    with app.server.test_request_context():  # exports are audited with the request's address
        yield {name: importlib.import_module(f"cockpit.pages.{name}")
               for name in ("departments", "department", "chains", "chain", "segment", "not_found_404")}


def walk(node):
    yield node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            yield from walk(child)


def find(layout, component_id):
    return next(c for c in walk(layout) if getattr(c, "id", None) == component_id)


def links(layout) -> list[str]:
    return [c.href for c in walk(layout) if isinstance(c, dcc.Link)]


def text(layout) -> str:
    return " ".join(str(c.children) for c in walk(layout) if isinstance(getattr(c, "children", None), (str, int, float)))


def codes(engine, model, where=None) -> list[str]:
    stmt = select(model.code) if where is None else select(model.code).where(where)
    with engine.connect() as conn:
        return list(conn.execute(stmt.order_by(model.code)).scalars())


def is_error(layout, code: int) -> bool:
    return any(getattr(c, "id", None) == f"error-{code}" for c in walk(layout))


def test_every_department_chain_and_segment_page_renders(pages, seeded_store):
    assert not is_error(pages["departments"].layout(), 404)
    for code in codes(seeded_store, Department):
        layout = pages["department"].layout(code=code)
        assert layout.id == "drill-department", code
        assert find(layout, ids.drill_state("department")).data["path"] == f"/departments/{code}"
    assert pages["chains"].layout().id == "drill-chains"
    for code in codes(seeded_store, Chain):
        assert pages["chain"].layout(code=code).id == "drill-chain", code
        for seg in codes(seeded_store, Segment, Segment.chain_code == code):
            assert pages["segment"].layout(code=code, segment=seg).id == "drill-segment", seg


@pytest.mark.parametrize("page, kwargs, status", [
    ("department", {"code": "nope"}, 404),
    ("chain", {"code": "nope"}, 404),
    ("segment", {"code": "bearings", "segment": "nope"}, 404),
    ("segment", {"code": "equipment", "segment": "bearings.precision"}, 404),  # a segment of another chain
    ("segment", {"code": "bearings", "segment": "bearings.precision", "firm": "F001"}, 404),  # a firm elsewhere
    ("not_found_404", {}, 404),
    ("departments", {"from": "abc"}, 400),
    ("departments", {"from": "2025", "to": "2021"}, 400),
    ("departments", {"sort": "zzz"}, 400),
    ("departments", {"lang": "fr"}, 400),
    ("department", {"code": "kjj", "matter": "M999"}, 400),
    ("department", {"code": "kjj", "to": "20x1"}, 400),
    ("chains", {"indicator": "gdp<script>"}, 400),
    ("chain", {"code": "bearings", "from": ["2020", "2021"]}, 400),
    ("departments", {"from": "2099"}, 400),  # a year the page has no data for, not a silent "all years"
    ("chain", {"code": "bearings", "to": "1990"}, 400),
])
def test_unknown_codes_and_bad_parameters_give_the_friendly_page(pages, page, kwargs, status):
    layout = pages[page].layout(**kwargs)
    assert is_error(layout, status), kwargs
    assert "drill-error" in layout.className
    assert links(layout)[0] == "/"  # a way back to the cockpit


@pytest.mark.parametrize("lang, words", [(None, "不是年份"), ("en", "is not a year")])
def test_the_400_page_says_what_is_wrong_in_the_page_language(pages, lang, words):
    layout = pages["departments"].layout(**{"from": "19x9", **({"lang": lang} if lang else {})})
    text = " ".join(str(c.children) for c in walk(layout) if isinstance(getattr(c, "children", None), str))
    assert words in text and "19x9" in text


def test_every_department_named_links_to_its_page_keeping_the_period_and_language(pages, seeded_store):
    layout = pages["departments"].layout(**{"from": "2024", "to": "2025", "lang": "en"})
    depts = {h for h in links(layout) if h.startswith("/departments/")}
    assert depts == {f"/departments/{c}?lang=en&from=2024&to=2025" for c in codes(seeded_store, Department)}
    assert "/?lang=en&from=2024&to=2025" in links(layout)  # the breadcrumb back to the wall
    assert "/departments?from=2024&to=2025" in links(layout)  # the language switch keeps the view
    assert not re.search(r"[\u4e00-\u9fff]", " ".join(str(c.children) for c in walk(layout)
                                                       if getattr(c, "className", "") in ("dpanel-title", "crumb")))


def test_chain_page_links_segments_firms_and_departments(pages, seeded_store):
    layout = pages["chain"].layout(code="bearings")
    hrefs = links(layout)
    for seg in codes(seeded_store, Segment, Segment.chain_code == "bearings"):
        assert f"/chains/bearings/{seg}" in hrefs
    assert any(h.startswith("/departments/") for h in hrefs)  # resources name the department providing them
    assert ["/", "/chains"] == [c.href for c in walk(layout) if getattr(c, "className", "") == "crumb"]
    rows = find(layout, ids.drill_grid("chain")).rowData
    firms = codes(seeded_store, Firm, Firm.chain_code == "bearings")
    assert sorted(r["code"] for r in rows) == firms
    assert all(re.fullmatch(r"/chains/bearings/bearings\.\w+\?firm=F\d{3}", r["firm_href"]) for r in rows)


def test_segment_page_shows_the_firm_in_the_url_and_crumbs_back_up(pages):
    layout = pages["segment"].layout(code="bearings", segment="bearings.precision", firm="F130", lang="en")
    assert find(layout, "firm-F130")
    crumbs = [c.href for c in walk(layout) if getattr(c, "className", "") == "crumb"]
    assert crumbs == ["/?lang=en", "/chains?lang=en", "/chains/bearings?lang=en"]


def test_period_filter_and_chart_clicks_write_the_url(pages):
    data = drill.State(path="/departments", lang="en", sort="days").to_dict()
    dep = pages["departments"]
    assert dep.set_period("2025", "2023", data) == "/departments?lang=en&from=2023&to=2025&sort=days"
    assert dep.set_period(None, None, data) is no_update
    assert dep.open_department({"points": [{"customdata": "kjj"}]}, data) == "/departments/kjj?lang=en"
    assert dep.open_department({"points": [{"customdata": "../x"}]}, data) is no_update
    seg = drill.State(path="/chains/bearings/bearings.precision", start="2020").to_dict()
    assert pages["segment"].select_firm({"points": [{"customdata": "F130"}]}, seg) == \
        "/chains/bearings/bearings.precision?from=2020&firm=F130"
    dept = drill.State(path="/departments/kjj").to_dict()
    assert pages["department"].filter_matter({"points": [{"customdata": "M003"}]}, dept) == "/departments/kjj?matter=M003"


def test_a_period_applies_to_every_panel(pages, seeded_store):
    layout = pages["department"].layout(code="kjj", **{"from": "2025", "to": "2025"})
    state = find(layout, ids.drill_state("department")).data
    months = csv(pages["department"].snapshot("monthly", state))[0]["month"]
    assert months.str.startswith("2025").all() and len(months) == 12
    with seeded_store.connect() as conn:
        done = conn.execute(select(func.count()).where(
            MatterCase.department_code == "kjj", MatterCase.status == "completed",
            MatterCase.completed_at >= datetime(2025, 1, 1), MatterCase.completed_at < datetime(2026, 1, 1))).scalar()
    ranking = csv(pages["departments"].snapshot("table", drill.State(path="/departments", start="2025", end="2025").to_dict()))
    assert int(ranking[0].set_index("department_code").loc["kjj", "handled"]) == done
    cases = csv(pages["department"].snapshot("cases", state))[0]
    assert cases["submitted_at"].str.startswith("2025").all()


def csv(payload):
    import base64
    assert payload["filename"].endswith(".csv") and payload["base64"]
    return read_snapshot(base64.b64decode(payload["content"]))


@pytest.mark.parametrize("page, kwargs, keys", [
    ("departments", {}, ["chart", "table"]),
    ("department", {"code": "kjj"}, ["monthly", "ontime", "days", "matters", "resources", "cases"]),
    ("chains", {}, ["compare", "trend", "table"]),
    ("chain", {"code": "bearings"}, ["segments", "trend", "segtable", "firms", "resources"]),
    ("segment", {"code": "bearings", "segment": "bearings.precision", "firm": "F130"},
     ["compare", "trend", "firm", "firms"]),
])
def test_every_panel_has_an_export_and_its_snapshot_carries_provenance(pages, page, kwargs, keys):
    module = pages[page]
    layout = module.layout(**kwargs)
    buttons = sorted(c.id["panel"] for c in walk(layout) if isinstance(getattr(c, "id", None), dict)
                     and c.id.get("type") == ids.DRILL_EXPORT_TYPE)
    assert buttons == sorted(keys)
    state = find(layout, ids.drill_state(page)).data
    for key in keys:
        table, meta = csv(module.snapshot(key, state))
        assert len(table) > 0, key
        assert meta["demo"].startswith("true") and meta["as_of"] and meta["load_runs"], key
        assert int(meta["rows"]) == len(table)
        assert any(c.endswith("_zh") for c in table.columns) and any(c.endswith("code") or c == "scope"
                                                                      for c in table.columns), key
    assert module.snapshot("nope", state) is None


def test_grid_export_writes_exactly_the_rows_the_grid_shows_in_its_order(pages):
    layout = pages["department"].layout(code="kjj")
    state = find(layout, ids.drill_state("department")).data
    rows = find(layout, ids.drill_grid("department")).rowData
    shown = [r for r in rows if r["status_label"] == "已办结"][::-1][:37]  # as if filtered and re-sorted
    table, meta = csv(pages["department"].snapshot("cases", state, shown))
    assert list(table["case_no"]) == [r["case_no"] for r in shown]
    assert (table["status"] == "completed").all() and meta["rows"] == "37"
    assert "department=kjj" in meta["filters"]
    forged = csv(pages["department"].snapshot("cases", state, [{"case_no": "XC-NOT-SHOWN"}]))[0]
    assert forged.empty  # the grid can only narrow what the server shows, never add to it


def test_every_tile_and_chart_carries_a_provenance_mark(pages):
    layout = pages["department"].layout(code="kjj")
    marks = [c for c in walk(layout) if getattr(c, "className", "") == "info-mark"]
    tiles = [c for c in walk(layout) if getattr(c, "className", "") == "dkpi"]
    panels = [c for c in walk(layout) if getattr(c, "className", "") in ("dpanel", "dpanel wide")]
    reported = [c for c in walk(layout) if getattr(c, "className", "") == "dkpi-caption"]
    assert len(reported) == 1  # the figures the department reports: three in the demo (its yearly matters etc.)
    assert len(marks) == len(tiles) + len(panels) == (5 + 3) + 7  # the case tiles, its figures; six panels, the record
    label = marks[0].to_plotly_json()["props"]["aria-label"]
    for part in ("定义", "单位", "期间", "来源", "加载批次: #1", "演示数据: 是"):
        assert part in label, part
    assert "本期办结的创新事项件数" in label  # the catalogue's definition of matters handled
