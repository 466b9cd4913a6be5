"""Revisions kept as vintages (issue 12 #4): a load that changes a stored observation keeps its old value, run and
revision date; the figure says 已修订 with the previous value; CSV snapshots carry a `revised` column and, as_of a
past time or load run, are byte for byte the snapshot made then (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

from cockpit.snapshot import read_snapshot
from cockpit.web import export
from etl import clock, load
from etl.sources.base import Batch, with_location
from etl.store_trust import ObservationRevision
from partial_stores import ListSource

T0 = datetime(2026, 3, 2, 1, 0)  # naive UTC: 09:00 in Shanghai


class Clock:
    """The one clock, frozen; `tick` moves it on."""
    def __init__(self, monkeypatch, start=T0):
        self.now = start
        monkeypatch.setattr(clock, "utc_now", lambda: self.now)

    def tick(self, **delta):
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def frozen(monkeypatch):
    return Clock(monkeypatch)


def batch(rows, location="mem.csv"):
    df = pd.DataFrame(rows, columns=["indicator", "period", "scope", "value"])
    return Batch("observations", location, with_location(df, location, first_row=2))


def run(engine, rows):
    result = load.run(engine, "job", ListSource(batch(rows)))
    assert result.status == "success", result.error
    return result


def vintages(engine):
    with engine.connect() as conn:
        rows = conn.execute(select(*ObservationRevision.__table__.c).order_by(ObservationRevision.id)).all()
    return [(r.indicator_code, r.scope, r.period, r.value, r.unit, r.run_id, r.replaced_by, r.replaced_at)
            for r in rows]


def snapshot(engine, **params):
    _, body, meta = export.export(engine, "observations", indicator="rd_intensity", **params)
    return b"".join(body)


FIRST = [("rd_intensity", "2023", "county", "3.58"), ("rd_intensity", "2024", "county", "3.81")]
REVISED = [("rd_intensity", "2023", "county", "3.58"), ("rd_intensity", "2024", "county", "3.86")]


def test_a_changed_value_keeps_its_vintage_and_an_unchanged_reload_keeps_none(engine, frozen):
    first = run(engine, FIRST)
    frozen.tick(hours=1)
    assert run(engine, FIRST).rows_loaded == 0
    assert vintages(engine) == []
    second_at = frozen.tick(days=30)
    second = run(engine, REVISED)
    assert second.rows_loaded == 1
    assert vintages(engine) == [("rd_intensity", "county", "2024", pytest.approx(3.81), "%", first.run_id,
                                 second.run_id, second_at)]
    frozen.tick(hours=1)
    run(engine, REVISED)
    assert len(vintages(engine)) == 1, "an unchanged reload added a vintage"


def test_snapshot_as_of_before_a_revision_is_the_snapshot_made_then(engine, frozen):
    first = run(engine, FIRST)
    frozen.tick(hours=2)
    before = snapshot(engine)
    table, meta = read_snapshot(before)
    assert table["revised"].tolist() == ["false", "false"]
    frozen.tick(days=30)
    second = run(engine, REVISED + [("rd_intensity", "2025", "county", "3.95")])
    after = snapshot(engine)
    table, meta = read_snapshot(after)
    assert dict(zip(table["period"], table["revised"])) == {"2023": "false", "2024": "true", "2025": "false"}
    assert meta["load_runs"] == f"{first.run_id};{second.run_id}"
    shown = clock.shown(T0 + timedelta(hours=1))  # a moment between the two loads, civil time in COCKPIT_TZ
    assert snapshot(engine, as_of=shown.isoformat()) == before
    assert snapshot(engine, as_of=str(first.run_id)) == before
    assert snapshot(engine, as_of=str(second.run_id)) == after
    assert snapshot(engine, as_of=(clock.shown(frozen.now) + timedelta(days=1)).isoformat()) == after  # future: now
    before_any = read_snapshot(snapshot(engine, as_of=clock.shown(T0 - timedelta(hours=1)).isoformat()))
    assert before_any[0].empty and before_any[1]["rows"] == "0"


def test_as_of_between_two_revisions_shows_the_middle_vintage_marked_revised(engine, frozen):
    run(engine, FIRST)
    frozen.tick(days=1)
    middle = run(engine, REVISED)
    frozen.tick(hours=1)
    at_middle = snapshot(engine)
    frozen.tick(days=1)
    run(engine, [("rd_intensity", "2024", "county", "3.90")])
    table, _ = read_snapshot(snapshot(engine, as_of=str(middle.run_id)))
    assert snapshot(engine, as_of=str(middle.run_id)) == at_middle
    assert dict(zip(table["period"], table["value"])) == {"2023": "3.58", "2024": "3.86"}
    assert dict(zip(table["period"], table["revised"])) == {"2023": "false", "2024": "true"}


@pytest.mark.parametrize("as_of", ["yesterday", "2026-13-01", "999999"])
def test_a_bad_as_of_is_a_bad_request(engine, frozen, as_of):
    run(engine, FIRST)
    with pytest.raises(export.BadRequest, match="as_of"):
        snapshot(engine, as_of=as_of)


def test_http_as_of_and_its_400(store_url, engine, frozen, tmp_path):
    from cockpit import create_app
    client = create_app(DATABASE_URL=store_url, COCKPIT_DATA_DIR=tmp_path).server.test_client()
    first = run(engine, FIRST)
    frozen.tick(hours=1)
    before = snapshot(engine)
    frozen.tick(days=1)
    run(engine, REVISED)
    resp = client.get(f"/export/observations.csv?indicator=rd_intensity&as_of={first.run_id}")
    assert resp.status_code == 200 and resp.data == before
    local = clock.shown(T0 + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    assert client.get(f"/export/observations.csv?indicator=rd_intensity&as_of={local}").data == before
    bad = client.get("/export/observations.csv?indicator=rd_intensity&as_of=soon")
    assert bad.status_code == 400 and "驾驶舱".encode() in bad.data and b"as_of" in bad.data
    bad = client.get("/export/observations.csv?indicator=rd_intensity&as_of=soon", headers={"Accept": "application/json"})
    assert bad.status_code == 400


def test_cli_export_as_of(store_url, engine, frozen, tmp_path, monkeypatch):
    from click.testing import CliRunner
    from cockpit.cli import main
    monkeypatch.setenv("DATABASE_URL", store_url)
    monkeypatch.setenv("COCKPIT_DATA_DIR", str(tmp_path))
    from cockpit import settings
    if hasattr(settings.get_settings, "cache_clear"):
        settings.get_settings.cache_clear()
    first = run(engine, FIRST)
    frozen.tick(hours=1)
    before = snapshot(engine)
    frozen.tick(days=1)
    run(engine, REVISED)
    out = tmp_path / "then.csv"
    result = CliRunner().invoke(main, ["export", "observations", "--indicator", "rd_intensity",
                                       "--as-of", str(first.run_id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == before
    bad = CliRunner().invoke(main, ["export", "observations", "--indicator", "rd_intensity", "--as-of", "x",
                                    "-o", str(out)])
    assert bad.exit_code != 0 and "as_of" in bad.output


def test_the_postgres_staged_path_keeps_vintages(engine, frozen):
    """A batch over many stored keys takes the staged UPDATE on PostgreSQL (etl.staging.copy_new returns it whole)."""
    periods = pd.date_range("2018-01-01", periods=2500, freq="D").strftime("%Y-%m-%d")
    rows = [("rd_spending", p, "county", "1.5") for p in periods]
    first = run(engine, rows)
    frozen.tick(days=1)
    changed = {periods[i] for i in range(0, 2500, 100)}
    second = run(engine, [(i, p, s, "2.5" if p in changed else v) for i, p, s, v in rows]
                 + [("rd_spending", "2017-06-01", "county", "9")])
    assert second.rows_loaded == len(changed) + 1
    kept = vintages(engine)
    assert {v[2] for v in kept} == changed
    assert {(v[3], v[5], v[6]) for v in kept} == {(1.5, first.run_id, second.run_id)}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ObservationRevision)).scalar() == len(changed)


def texts(node) -> list[str]:
    """Every string in a Dash component tree (children and aria-labels)."""
    found = [node] if isinstance(node, str) else []
    children = getattr(node, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children] if children is not None else []:
        found += texts(child)
    label = getattr(node, "aria-label", None) if hasattr(node, "aria-label") else None
    return found + ([label] if isinstance(label, str) else [])


def test_a_revised_wall_tile_says_so_with_the_previous_value_and_date(engine, frozen):
    from cockpit.components.kpi import kpi_card
    from cockpit.queries import wall
    run(engine, FIRST)
    frozen.tick(days=30)
    run(engine, REVISED)
    row = wall.kpis(engine, "2026-04-01").set_index("code").loc["rd_intensity"].to_dict()
    assert row["revised_from"] == pytest.approx(3.81)
    when = f"{clock.shown(frozen.now):%Y-%m-%d %H:%M}"  # the revising run's end
    for lang, word, text in [("zh", "已修订", f"前值 3.81% · 修订于 {when}"), ("en", "revised", f"previous 3.81% · revised {when}")]:
        shown = texts(kpi_card({**row, "code": "rd_intensity"}, lang))
        assert word in shown and text in shown, shown
    unrevised = wall.kpis(engine, "2026-04-01").set_index("code").loc["listed_firms"].to_dict()
    assert "已修订" not in texts(kpi_card({**unrevised, "code": "listed_firms"}, "zh"))


def test_a_revised_drill_down_figure_says_so_in_its_info_popover(engine, frozen):
    from cockpit.components.info import info_mark
    from cockpit.queries import chains
    rows = [("rd_intensity", "2023", "equipment", "4.80"), ("rd_intensity", "2024", "equipment", "4.90")]
    run(engine, rows)
    frozen.tick(days=2)
    run(engine, [("rd_intensity", "2024", "equipment", "4.95")])
    series = chains.series(engine, ("equipment",), ("rd_intensity",), None, None)
    latest, older = series[series["period"] == "2024"], series[series["period"] == "2023"]
    shown = texts(info_mark(latest, "zh", {"unit": "%"}))
    assert "已修订" in shown and f"前值 4.90% · 修订于 {clock.shown(frozen.now):%Y-%m-%d %H:%M}" in shown
    assert any("已修订: 前值 4.90%" in s for s in shown), "the aria-label says it too"
    assert "已修订" not in texts(info_mark(older, "zh", {"unit": "%"}))


def test_the_demo_keeps_one_revised_figure_and_reloads_add_no_vintage(seeded_store, demo_now):
    from etl.sources.demo_feed import DemoFeedSource
    from etl.sources import DemoSource
    history = vintages(seeded_store)
    assert history == []
    feed = load.run(seeded_store, "demo-live-feed", DemoFeedSource(now=demo_now))
    kept = vintages(seeded_store)
    assert [(k[0], k[1], k[2], k[3], k[6]) for k in kept] == [("high_tech_firms", "county", "2025", 426, feed.run_id)]
    load.run(seeded_store, "demo-history", DemoSource(now=demo_now))
    load.run(seeded_store, "demo-live-feed", DemoFeedSource(now=demo_now))
    assert vintages(seeded_store) == kept


def test_a_department_page_shows_its_own_reported_figures_and_says_which_was_revised(store_url, frozen):
    """A department's page has a tile per figure it reports (its own scope), each with its ⓘ; a revised one
    says 已修订 with the previous value, an unrevised one does not."""
    import json

    from plotly.io.json import to_json_plotly

    from cockpit import create_app
    app = create_app(database_url=store_url)
    from cockpit.pages import department  # registers its page: after the app
    engine = app.server.extensions["cockpit"].engine
    run(engine, [("matters_handled", "2024", "kjj", "1200"), ("matters_handled", "2025", "kjj", "1300")])
    frozen.tick(days=3)
    run(engine, [("matters_handled", "2025", "kjj", "1320")])
    with app.server.test_request_context():
        text = json.dumps(json.loads(to_json_plotly(department.layout(code="kjj"))), ensure_ascii=False)
        other = json.dumps(json.loads(to_json_plotly(department.layout(code="fgj"))), ensure_ascii=False)
    assert "本部门报送的指标" in text and "1,320" in text and "已修订" in text and "前值 1,300" in text
    assert "本部门报送的指标" not in other and "已修订" not in other  # nothing reported: no such row
