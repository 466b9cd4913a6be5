"""Plan targets as data (issue 12 #1): a targets table recognised by its columns (run-file and the file drop),
versions kept on revision, bad rows quarantined, the target that applies to a year, progress both ways, the
wall's target path and the KPI tiles' target text; SQLite and PostgreSQL."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cockpit.cli import main
from cockpit.components import kpi
from cockpit.figures import wall as figures
from cockpit.queries import targets as queries
from cockpit.queries import wall as wall_queries
from etl import load
from etl.sources import FileDropSource
from etl.sources import demo_targets
from etl.store import RejectedRow, data_version
from etl.store_trust import Target

TARGETS_CSV = """规划,指标,范围,期间,目标值,来源
十四五,研发投入强度,全县,2025,4.6%,县十四五规划
十五五,研发投入强度,新昌县,2030年,5.0,县十五五规划
年度,研发投入强度,全县,2025,4.55,
年度,研发投入强度,全县,2026,4.7,
年度,高新技术企业,全县,2025,440,
十四五,高新技术企业,全县,2025,450,
"""


def stored(engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(select(Target.plan, Target.indicator_code, Target.scope, Target.period, Target.version,
                                   Target.value).order_by(Target.indicator_code, Target.plan, Target.period,
                                                          Target.version)).all()
    return [tuple(r) for r in rows]


def current_version_of(engine) -> int:
    with engine.connect() as conn:
        return data_version(conn)


def run_file(engine, path):
    return load.run(engine, "targets", FileDropSource(files=[str(path)], move=False))


def write(tmp_path, text: str, name: str = "targets.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_run_file_recognises_a_chinese_targets_table(store_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", store_url)
    path = write(tmp_path, TARGETS_CSV)
    out = CliRunner().invoke(main, ["etl", "run-file", str(path), "--json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    summary = json.loads(out.output.strip().splitlines()[-1])
    assert (summary["read"], summary["loaded"], summary["rejected"]) == (6, 6, 0)
    from etl.store import make_engine
    engine = make_engine(store_url)
    assert ("14th", "rd_intensity", "county", "2025", 1, 4.6) in stored(engine)
    assert ("15th", "rd_intensity", "county", "2030", 1, 5.0) in stored(engine)
    again = json.loads(CliRunner().invoke(main, ["etl", "run-file", str(path), "--json"]).output.splitlines()[-1])
    assert (again["loaded"], again["unchanged"]) == (0, 6)  # loaded again unchanged: no new version
    assert len(stored(engine)) == 6
    engine.dispose()


def test_the_file_drop_recognises_a_targets_workbook_beside_an_observations_file(engine, drop):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["新昌县规划目标表"])  # a title block above the header
    for line in TARGETS_CSV.splitlines():
        sheet.append(line.split(","))
    book.save(drop / "目标.xlsx")
    (drop / "obs.csv").write_text("指标,期间,范围,数值\n研发投入强度,2025,全县,4.62\n", encoding="utf-8")
    result = load.run(engine, "drop", FileDropSource(folder=str(drop), now=lambda: time.time() + 60))
    assert result.status == "success" and result.rows_loaded == 7, result
    assert len(stored(engine)) == 6
    assert (drop / "processed" / "目标.xlsx").exists()


def test_a_revised_target_is_a_new_version_and_the_old_one_stays(engine, tmp_path):
    before = current_version_of(engine)
    run_file(engine, write(tmp_path, TARGETS_CSV))
    assert current_version_of(engine) > before  # a target load advances the data version: caches move on
    revised = TARGETS_CSV.replace("年度,研发投入强度,全县,2026,4.7,", "年度,研发投入强度,全县,2026,4.75,")
    result = run_file(engine, write(tmp_path, revised, "revised.csv"))
    assert (result.rows_loaded, result.rows_unchanged) == (1, 5)
    rows = [r for r in stored(engine) if r[:4] == ("annual", "rd_intensity", "county", "2026")]
    assert rows == [("annual", "rd_intensity", "county", "2026", 1, 4.7),
                    ("annual", "rd_intensity", "county", "2026", 2, 4.75)]
    history = queries.history(engine, "rd_intensity", "county")
    path = history[(history["plan"] == "annual") & (history["period"] == "2026")]
    assert list(path["version"]) == [1, 2] and list(path["newest"]) == [False, True]


def test_bad_target_rows_are_quarantined_with_their_location(engine, tmp_path):
    path = write(tmp_path, "规划,指标,范围,期间,目标值\n"
                           "十四五,研发投入强度,全县,2025,4.6\n"
                           "十三五,研发投入强度,全县,2020,4.0\n"    # no such plan here
                           "十四五,研发投入强度,全县,2028,4.9\n"    # outside the 14th plan
                           "年度,不存在的指标,全县,2025,1\n"
                           "年度,研发投入强度,火星,2025,4.5\n"
                           "年度,研发投入强度,全县,2025年3月,4.5\n"  # a target is set for a year
                           "年度,研发投入强度,全县,2025,很多\n"
                           "年度,上市公司,全县,2025,16%\n")
    result = run_file(engine, path)
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 1, 7)
    with engine.connect() as conn:
        rejected = conn.execute(select(RejectedRow.location, RejectedRow.row_number, RejectedRow.reason)
                                .order_by(RejectedRow.row_number)).all()
    assert {r.location for r in rejected} == {str(path)}
    assert [r.row_number for r in rejected] == [3, 4, 5, 6, 7, 8, 9]
    reasons = [r.reason for r in rejected]
    assert reasons[0].startswith("unknown plan") and "outside the plan (14th: 2021-2025)" in reasons[1]
    assert reasons[2:5] == ["unknown indicator", "unknown scope",
                            "a target is set for a year (2025, 2025年), not a month or quarter"]
    assert reasons[5] == "unparseable target" and reasons[6] == "percent target for an indicator not measured in %"


def test_applicable_picks_the_newest_version_and_the_plan_of_the_year(engine, tmp_path):
    run_file(engine, write(tmp_path, TARGETS_CSV))
    run_file(engine, write(tmp_path, TARGETS_CSV.replace("2026,4.7,", "2026,4.8,"), "revised.csv"))
    y2026 = queries.applicable(engine, "county", 2026)["rd_intensity"]
    assert (y2026["plan"], y2026["period"], y2026["value"], y2026["version"]) == ("annual", "2026", 4.8, 2)
    assert (y2026["end_year"]["plan"], y2026["end_year"]["period"], y2026["end_year"]["value"]) == ("15th", "2030", 5.0)
    assert set(y2026) >= {"plan", "period", "value", "version", "source", "loaded_at", "annual", "end_year"}
    y2024 = queries.applicable(engine, "county", 2024)["rd_intensity"]  # no annual target for 2024: the plan's
    assert (y2024["plan"], y2024["period"], y2024["value"], y2024["annual"]) == ("14th", "2025", 4.6, None)
    assert "high_tech_firms" not in queries.applicable(engine, "county", 2027)  # no 15th plan target for it
    assert queries.applicable(engine, "kjj", 2025) == {}  # a department's targets are its own


def test_progress_and_off_target_follow_higher_is_better():
    assert queries.progress(4.6, 4.7) == pytest.approx(4.6 / 4.7)
    assert queries.progress(5.0, 4.0, higher_is_better=False) == pytest.approx(0.8)  # lower is better: target/value
    assert queries.progress(None, 4.0) is None and queries.progress(4.0, 0) is None
    assert queries.progress(float("nan"), 4.0) is None
    assert queries.off_target(4.6, 4.7) is True and queries.off_target(4.8, 4.7) is False
    assert queries.off_target(3, 2, higher_is_better=False) is True  # a rank of 3 against a target of 2
    assert queries.off_target(2, 2, higher_is_better=False) is False and queries.off_target(None, 2) is None


def test_the_wall_chart_draws_the_target_path_from_the_table(engine, tmp_path):
    series = pd.DataFrame({"period": ["2023", "2024", "2025"], "value": [4.53, 4.57, 4.62]})
    none = figures.rd_trend(series, "zh", queries.path(engine, "rd_intensity"))
    assert len(none.data) == 1 and not none.layout.shapes and not none.layout.annotations  # no targets: no line
    run_file(engine, write(tmp_path, TARGETS_CSV))
    path = queries.path(engine, "rd_intensity")
    assert list(zip(path["period"], path["value"], path["plan"])) == [
        ("2025", 4.55, "annual"), ("2026", 4.7, "annual"), ("2030", 5.0, "15th")]  # the annual target outranks
    fig = figures.rd_trend(series, "en", path)
    line = fig.data[1]
    assert list(line.x) == ["2025"] and list(line.y) == [4.55] and line.line.dash == "dash"
    assert fig.layout.annotations[0].text == "- - target path 2025: 4.55%"
    assert not fig.layout.shapes  # no fixed 4% line any more


def tile_row(**extra) -> dict:
    return {"code": "rd_intensity", "name_zh": "研发投入强度", "name_en": "R&D intensity", "unit": "%",
            "period": "2025", "value": 4.62, "compare": 4.57, "compare_kind": "last", "target": 4.0,
            "higher_is_better": True, "source": "demo", "loaded_at": None, **extra}


def test_a_kpi_tile_shows_progress_against_its_targets_in_words(engine, tmp_path):
    run_file(engine, write(tmp_path, TARGETS_CSV))
    rows = queries.for_tiles(engine, pd.DataFrame([tile_row(), tile_row(code="high_tech_firms", unit="家",
                                                                        value=431.0, compare=404.0)]))
    on, off = rows.to_dict("records")
    assert kpi.target_text(on, "zh") == ("年度目标 4.55% · 完成 102%\n十四五目标 4.6% · 完成 100%", "good")
    assert kpi.target_text(on, "en") == ("Annual 4.55% · 102% done\n14th plan 4.6% · 100% done", "good")
    assert kpi.target_text(off, "zh") == ("年度目标 440 · 未达 98%\n十四五目标 450 · 未达 96%", "bad")
    assert kpi.target_text(off, "en")[0] == "Annual 440 · behind 98%\n14th plan 450 · behind 96%"
    card = kpi.kpi_card(off, "zh")
    goal = [c for c in card.children if "kpi-targets" in (c.className or "")][0]
    # the wall's tile: the same words, shorter, so 16 px text fits its 186 px (issue 13 #4's type scale)
    assert goal.children == "年度 440·未达 98%\n十四五 450·未达 96%" and "bad" in goal.className
    assert kpi.target_text(on, "en", short=True)[0] == "Year 4.55%·102% done\n14th 4.6%·100% done"
    assert kpi.kpi_payload(rows, "en")["high_tech_firms"]["tg"].startswith("Year 440·behind")
    assert "target" not in kpi.delta(on, "en")[0]  # the catalogue's 4% is never a target
    plain = queries.for_tiles(engine, pd.DataFrame([tile_row(code="listed_firms", unit="家", value=16.0)]))
    assert kpi.target_text(plain.to_dict("records")[0], "zh") == ("", "none")


class DemoTargets:
    """The demo's target batches alone (etl.sources.demo_targets), as a source."""
    name, key, is_demo = "demo", "targets", True

    def extract(self, state):
        yield from demo_targets.batches()


def test_the_demo_targets_keep_one_revision_and_a_rerun_adds_nothing(engine):
    first = load.run(engine, "demo-targets", DemoTargets())
    assert first.status == "success" and first.rows_loaded == len(demo_targets.TARGETS) + 1
    again = load.run(engine, "demo-targets", DemoTargets())
    assert (again.rows_loaded, again.rows_rejected) == (0, 0)
    revised = [r for r in stored(engine) if r[:4] == ("annual", "rd_intensity", "county", "2026")]
    assert [(r[4], r[5]) for r in revised] == [(1, 4.65), (2, 4.70)]
    plans = {r[0] for r in stored(engine)}
    assert plans == {"14th", "15th", "annual"}


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_demo_has_one_indicator_on_track_and_one_behind(seeded_store):
    rows = queries.for_tiles(seeded_store, wall_queries.kpis(seeded_store, "2026-11-20")).set_index("code")
    assert rows.loc["rd_intensity", "plan_off"] is False and rows.loc["rd_intensity", "plan_progress"] >= 1
    assert rows.loc["high_tech_firms", "plan_off"] is True and rows.loc["high_tech_firms", "annual_off"] is True
    now = queries.applicable(seeded_store, "county", 2026)["rd_intensity"]
    assert (now["value"], now["version"], now["end_year"]["plan"]) == (4.7, 2, "15th")
    assert queries.applicable(seeded_store, "county", 2025)["rd_intensity"]["end_year"]["plan"] == "14th"
    assert queries.applicable(seeded_store, "equipment", 2025)["rd_intensity"]["value"] == 5.1



@pytest.fixture(scope="module")
def demo_wall(tmp_path_factory):
    """`python app.py` on a store of its own seeded by `cockpit demo`."""
    from browser.harness import AppServer, cockpit, free_port, store_env
    env = store_env(tmp_path_factory.mktemp("targets-wall"))
    cockpit(env, "demo")
    srv = AppServer(env, free_port(), tmp_path_factory.mktemp("log") / "app.log").start()
    yield srv
    srv.stop()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_kpi_tiles_on_and_off_target_read_whole_in_the_browser(demo_wall, browser, tmp_path, lang):
    """The demo wall at 1920x1080: the R&D tile on track, the high-tech tile behind in words; no clipped line.
    The screenshot goes to $COCKPIT_SHOTS (to look at) or the test's tmp folder."""
    import os
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{demo_wall.url}/?lang={lang}")
    page.wait_for_selector("#wall-panel-rd .js-plotly-plot .scatterlayer .trace", timeout=30_000)
    page.wait_for_function("() => document.body.dataset.rendered !== undefined")
    tiles = page.evaluate("""() => [...document.querySelectorAll('.kpi')].map(k => {
        const g = k.querySelector('.kpi-targets'), v = k.querySelector('.kpi-value');
        return {id: v.id, text: g ? g.innerText : '', cls: g ? g.className : '',
                clipped: (g && g.scrollWidth > g.clientWidth + 1) || k.scrollHeight > k.clientHeight + 1};
    })""")
    shots = Path(os.environ.get("COCKPIT_SHOTS") or tmp_path)
    page.screenshot(path=str(shots / f"kpi-targets-{lang}.png"))
    by = {t["id"].removeprefix("wall-kpi-"): t for t in tiles}
    on, off = by["rd_intensity"], by["high_tech_firms"]
    assert ("完成" if lang == "zh" else "done") in on["text"] and "good" in on["cls"]
    assert ("未达" if lang == "zh" else "behind") in off["text"] and "bad" in off["cls"]
    assert not [t["id"] for t in tiles if t["clipped"]]
    traces = page.evaluate("() => document.querySelectorAll('#wall-panel-rd .scatterlayer .trace').length")
    assert traces == 2  # the R&D series and its target path
    page.close()


def test_drill_downs_show_their_own_scopes_targets(store_url, engine, tmp_path):
    """A chain's page shows the chain's own targets on its tiles; a department's on-time chart takes its own target,
    else the county's, else the catalogue's (the only place the catalogue's target is still read)."""
    from cockpit import create_app
    assert queries.value_for(engine, "on_time_rate", "kjj", 2026, 98.0) == 98.0  # no targets yet: the catalogue's
    run_file(engine, write(tmp_path, "indicator,period,scope,value\nrd_intensity,2025,equipment,5.14\n", "obs.csv"))
    load.run(engine, "demo-targets", DemoTargets())
    assert queries.value_for(engine, "on_time_rate", "kjj", 2026, 90.0) == 97.0  # its own
    assert queries.value_for(engine, "on_time_rate", "fgj", 2026, 90.0) == 98.0  # the county's
    app = create_app(database_url=store_url)
    with app.server.test_request_context():
        import importlib
        chain = importlib.import_module("cockpit.pages.chain")
        layout = chain.layout(code="equipment")
        found = []

        def walk(node):
            if "dkpi-targets" in (getattr(node, "className", "") or ""):
                found.append((node.children, node.className))
            children = getattr(node, "children", None)
            for child in children if isinstance(children, (list, tuple)) else [children]:
                if child is not None and not isinstance(child, (str, int, float)):
                    walk(child)
        walk(layout)
        assert found == [("年度目标 5.1% · 完成 101%\n十四五目标 5.2% · 未达 99%", "kpi-targets dkpi-targets bad")]
        bearings = chain.layout(code="bearings")  # no targets of its own: none shown
        found.clear()
        walk(bearings)
        assert found == []
