"""Reporting completeness (issue 12 #3) on SQLite and PostgreSQL with a fixed clock: duties seeded from the
catalogue, counts and late departments on both sides of a deadline, a department's record, a catalogue naming an
unknown department refused, an empty store drawn without error, the demo's two late departments, and the wall
and /departments in Chromium showing the line (screenshots kept under the test's tmp directory)."""
from __future__ import annotations

import copy
import tomllib
from datetime import date, datetime

import pytest
from sqlalchemy import func, insert, select

from cockpit.components import reporting as ui
from cockpit.queries import reporting as rq
from etl import clock, load, migrate
from etl.catalogue import DEFAULT_CATALOGUE, read_catalogue
from etl.config import ConfigError
from etl.store import MatterCase, Observation, ReportingDuty

DUTIES = [{"subject": "matters", "departments": ["kjj", "fgj", "jxj"], "cadence": "monthly", "due_day": 10},
          {"subject": "patents_granted", "departments": ["kjj", "fgj"], "cadence": "quarterly", "due_day": 15}]


def catalogue(duties) -> dict:
    cat = copy.deepcopy(read_catalogue())
    cat["reporting"] = duties
    return cat


def freeze(monkeypatch, utc: datetime) -> None:
    monkeypatch.setattr(clock, "utc_now", lambda: utc)


@pytest.fixture
def store(engine):
    """Three departments owe monthly matter cases (by the 10th), two a quarterly patents figure (by the 15th)."""
    load.seed_reference(engine, catalogue(DUTIES))
    case = lambda no, dept, at: {"case_no": no, "matter_code": "M001", "department_code": dept, "submitted_at": at,
                                 "status": "submitted", "source": "test", "is_demo": False, "run_id": 1}
    obs = lambda scope, period: {"indicator_code": "patents_granted", "scope": scope, "period": period, "value": 5.0,
                                 "unit": "件", "source": "test", "note": "", "is_demo": False, "run_id": 1}
    with engine.begin() as conn:
        conn.execute(insert(MatterCase), [
            case("C1", "kjj", datetime(2026, 9, 3, 9)), case("C2", "fgj", datetime(2026, 9, 30, 23, 59)),
            case("C3", "jxj", datetime(2026, 9, 1, 0, 0)), case("C4", "kjj", datetime(2026, 10, 8, 10)),
            case("C5", "fgj", datetime(2026, 10, 31, 18)), case("C6", "jxj", datetime(2026, 11, 1, 0, 0))])
        conn.execute(insert(Observation), [obs("kjj", "2026Q3"), obs("fgj", "2026Q2"), obs("kjj", "2026Q2"),
                                           obs("fgj", "2026")])  # an annual figure is not the quarter's
    return engine


def by_subject(rows) -> dict:
    return {r["subject"]: r for r in rows}


def test_duties_are_the_catalogues(engine):
    with engine.connect() as conn:
        rows = conn.execute(select(ReportingDuty.subject, ReportingDuty.cadence, ReportingDuty.due_day,
                                   func.count()).group_by(ReportingDuty.subject, ReportingDuty.cadence,
                                                          ReportingDuty.due_day)).all()
    assert sorted(map(tuple, rows)) == [("matters", "monthly", 10, 33), ("matters_handled", "annual", 20, 33)]
    load.seed_reference(engine, catalogue(DUTIES))  # a duty the catalogue no longer names goes
    with engine.connect() as conn:
        rows = conn.execute(select(ReportingDuty.subject, ReportingDuty.department_code, ReportingDuty.cadence,
                                   ReportingDuty.due_day)).all()
    assert sorted(map(tuple, rows)) == [("matters", d, "monthly", 10) for d in ("fgj", "jxj", "kjj")] + [
        ("patents_granted", d, "quarterly", 15) for d in ("fgj", "kjj")]


def test_counts_and_late_departments_on_both_sides_of_the_deadline(store, monkeypatch):
    # 2026-11-10 23:59 in Asia/Shanghai: October is due today, not yet late; September is the period due now
    freeze(monkeypatch, datetime(2026, 11, 10, 15, 59))
    before = by_subject(rq.completeness(store))
    assert {k: before["matters"][k] for k in ("period", "due", "reported", "expected", "late_codes")} == {
        "period": "2026-09", "due": "2026-10-10", "reported": 3, "expected": 3, "late_codes": []}
    # a minute later it is 2026-11-11 there: October is due now, and jxj (whose case came on 1 November) is late
    freeze(monkeypatch, datetime(2026, 11, 10, 16, 0))
    after = by_subject(rq.completeness(store))
    assert {k: after["matters"][k] for k in ("period", "due", "reported", "expected", "late_codes")} == {
        "period": "2026-10", "due": "2026-11-10", "reported": 2, "expected": 3, "late_codes": ["jxj"]}
    assert after["matters"]["late"] == [{"code": "jxj", "name_zh": "县经济和信息化局",
                                         "name_en": "Economy and Information Technology Bureau"}]
    assert ui.counts(after["matters"], "zh") == "2/3 已报送 · 1 逾期"
    assert ui.counts(after["matters"], "en") == "2/3 reported · 1 late"
    # the quarter: due by 2026-10-15; on the day both reported Q2; the day after, fgj's Q3 is missing
    on_day = by_subject(rq.completeness(store, date(2026, 10, 15)))["patents_granted"]
    day_after = by_subject(rq.completeness(store, date(2026, 10, 16)))["patents_granted"]
    assert (on_day["period"], on_day["reported"], on_day["late_codes"]) == ("2026Q2", 2, [])
    assert (day_after["period"], day_after["reported"], day_after["expected"], day_after["late_codes"]) == (
        "2026Q3", 1, 2, ["fgj"])
    assert day_after["name_zh"] == "专利授权" and day_after["due"] == "2026-10-15"


def test_a_departments_record(store):
    record = by_subject(rq.department_record(store, "jxj", date(2026, 11, 11), count=3))
    assert record["matters"]["periods"] == [
        {"period": "2026-10", "due": "2026-11-10", "status": "late"},
        {"period": "2026-09", "due": "2026-10-10", "status": "reported"},
        {"period": "2026-08", "due": "2026-09-10", "status": "late"}]
    assert list(record) == ["matters"]  # jxj owes no patents figure
    early = rq.department_record(store, "jxj", date(2026, 11, 10), count=1)[0]["periods"]
    assert early == [{"period": "2026-10", "due": "2026-11-10", "status": "pending"}]
    fgj = by_subject(rq.department_record(store, "fgj", date(2026, 10, 16), count=2))["patents_granted"]
    assert [p["status"] for p in fgj["periods"]] == ["late", "reported"]
    assert rq.department_record(store, "nope", date(2026, 11, 11)) == []
    text = str(ui.record(rq.department_record(store, "jxj", date(2026, 11, 11), count=2), "en"))
    assert "2026-10 late" in text and "2026-09 reported" in text and "monthly, by day 10" in text


@pytest.mark.parametrize("duty, where", [
    ({"subject": "matters", "departments": ["kjj", "nope"]}, "reporting[0] (subject 'matters'): departments: "
                                                              "unknown department 'nope'"),
    ({"subject": "no_such_indicator"}, "reporting[0] (subject 'no_such_indicator'): subject: unknown subject"),
    ({"subject": "matters", "due_day": 31}, "reporting[0] (subject 'matters'): due_day"),
])
def test_a_duty_naming_what_the_catalogue_lacks_is_refused_with_its_name(tmp_path, duty, where):
    text = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    path = tmp_path / "catalogue.toml"
    path.write_text(text.split("[[reporting]]")[0] + "[[reporting]]\n" + "\n".join(
        f"{k} = {tomllib_value(v)}" for k, v in duty.items()) + "\n\n# Scope" + text.split("# Scope", 1)[1],
        encoding="utf-8")
    assert tomllib.loads(path.read_text(encoding="utf-8"))["reporting"] == [duty]
    with pytest.raises(ConfigError) as err:
        read_catalogue(path)
    assert str(err.value).startswith(f"{path}: {where}")


def tomllib_value(v) -> str:
    return "[" + ", ".join(f'"{x}"' for x in v) + "]" if isinstance(v, list) else f'"{v}"' if isinstance(v, str) else str(v)


def test_an_empty_store_without_duties_draws_without_error(engine):
    load.seed_reference(engine, catalogue([]))
    assert rq.completeness(engine, date(2026, 11, 11)) == [] and rq.department_record(engine, "kjj") == []
    assert ui.wall_text([], "zh") == ""
    assert "未设报送要求" in str(ui.overview([], "zh")) and "No reporting duties" in str(ui.record([], "en"))
    load.seed_reference(engine, catalogue(DUTIES))  # duties, but no cases or figures at all: everyone late
    row = by_subject(rq.completeness(engine, date(2026, 11, 11)))["matters"]
    assert (row["reported"], row["expected"], row["late_codes"]) == (0, 3, ["fgj", "jxj", "kjj"])
    # ...but the wall does not name the whole county late for a subject no source has reached yet
    assert row["connected"] is False and ui.line(row, "zh") == "事项办件 2026-10 · 0/3 · 尚未载入任何报送"
    assert ui.line(row, "en").endswith("0/3 · no reports loaded yet")


def test_the_demo_has_two_late_departments_for_the_period_due_now(seeded_store, demo_now):
    rows = by_subject(rq.completeness(seeded_store, demo_now.date()))
    matters = rows["matters"]
    assert (matters["period"], matters["reported"], matters["expected"]) == ("2026-10", 31, 33)
    assert matters["late_codes"] == ["gqt", "zgh"] and matters["connected"] is True
    assert (rows["matters_handled"]["period"], rows["matters_handled"]["reported"]) == ("2025", 33)
    assert ui.wall_text(list(rows.values()), "zh").startswith(
        "报送: 事项办件 2026-10 · 31/33 已报送 · 2 逾期：团县委、县总工会")
    assert "31/33 reported · 2 late: Youth League Committee, Federation of Trade Unions" in ui.wall_text(
        list(rows.values()), "en")
    record = by_subject(rq.department_record(seeded_store, "gqt", demo_now.date(), count=2))["matters"]["periods"]
    assert [p["status"] for p in record] == ["late", "reported"]  # October missing, September in


@pytest.mark.parametrize("duties", [[], DUTIES], ids=["no-duties", "duties-no-data"])
def test_the_pages_render_on_an_empty_store(store_url, duties):
    import importlib
    import json

    from plotly.io.json import to_json_plotly

    from cockpit import create_app
    app = create_app(database_url=store_url)
    with app.server.test_request_context():
        load.seed_reference(app.server.extensions["cockpit"].engine, catalogue(duties))
        for page, query in (("wall", {}), ("departments", {}), ("department", {"code": "kjj"}), ("ops", {"lang": "en"})):
            text = json.dumps(json.loads(to_json_plotly(importlib.import_module(f"cockpit.pages.{page}").layout(
                **query))), ensure_ascii=False)
            assert "wall-failed" not in text and "Traceback" not in text, page
            if page in ("departments", "department"):  # nothing reported by anyone: every period due is late
                said = {"departments": "0/3 已报送 · 3 逾期", "department": "报送记录"}[page] if duties else "未设报送要求"
                assert said in text and (not duties or page == "departments" or " 逾期" in text), page
            if page == "wall":
                assert ("报送: 事项办件" in text) == bool(duties)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    from browser.harness import AppServer, cockpit, free_port, store_env
    env = store_env(tmp_path_factory.mktemp("reporting"))
    cockpit(env, "demo")
    srv = AppServer(env, free_port(), tmp_path_factory.mktemp("log") / "app.log").start()
    yield srv
    srv.stop()


# The line's text up to the late departments' names lies inside the line and the line inside its panel, above
# the chart; the canvas has no scrollbar.
FITS = """(names) => {
    const line = document.querySelector('#wall-panel-reporting > div'), box = line.getBoundingClientRect();
    const panel = document.querySelector('#wall-panel-depts').getBoundingClientRect();
    const body = document.querySelector('#wall-panel-depts .panel-body').getBoundingClientRect();
    const node = line.firstChild, end = node.textContent.indexOf(names) + names.length, range = document.createRange();
    range.setStart(node, 0); range.setEnd(node, end);
    const rects = [...range.getClientRects()], last = rects[rects.length - 1];
    const d = document.documentElement;
    return {text: line.textContent, shown: end >= names.length && last.bottom <= box.bottom + 0.5
                && last.right <= box.right + 0.5,
            inside: box.left >= panel.left && box.right <= panel.right + 0.5 && box.bottom <= body.top + 0.5
                && box.top >= panel.top, scroll: [d.scrollWidth - innerWidth, d.scrollHeight - innerHeight]};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("lang, size", [("zh", (1920, 1080)), ("en", (1920, 1080)), ("zh", (3840, 2160)),
                                        ("en", (1366, 768))])
def test_the_wall_and_departments_show_the_completeness_line(demo_server, browser, tmp_path_factory, size, lang):
    line, names = {"zh": ("31/33 已报送 · 2 逾期：团县委、县总工会", "县总工会"),
                   "en": ("31/33 reported · 2 late: Youth League Committee, Federation of Trade Unions",
                          "Federation of Trade Unions")}[lang]
    query = "?lang=en" if lang == "en" else ""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(demo_server.url + "/" + query)
    page.wait_for_selector("#wall-panel-depts .js-plotly-plot .bars", timeout=20_000)
    fit = page.evaluate(FITS, names)
    assert line in fit["text"] and fit["shown"] and fit["inside"] and fit["scroll"] == [0, 0], fit
    shots = tmp_path_factory.getbasetemp() / "reporting-shots"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / f"wall-{lang}-{size[0]}.png"))
    if size == (1920, 1080):
        page.goto(demo_server.url + "/departments" + query)
        page.wait_for_selector("#reporting-overview")
        overview = page.inner_text("#reporting-overview")
        assert line.split("：")[0].split(": ")[0] in overview and names in overview
        table = page.evaluate("() => { const w = document.querySelector('#reporting-overview .dtable-wrap');"
                              " return [w.scrollWidth - w.clientWidth, w.scrollHeight - w.clientHeight]; }")
        assert table == [0, 0]  # nothing cut off or scrolled away
        page.screenshot(path=str(shots / f"departments-{lang}.png"))
    assert errors == []
    page.close()
