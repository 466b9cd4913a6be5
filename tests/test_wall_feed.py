"""cockpit/web/wall_feed.py: what each wall panel shows on an empty store (an empty figure naming the missing
data and its source), the refresh patch (_patch), and refresh_json cached per data version."""
from __future__ import annotations

import json
import re

import pytest

from cockpit.i18n import missing, t
from cockpit.queries import wall as queries
from cockpit.web import wall_feed
from etl import load
from etl.sources import DemoSource

TODAY = "2026-11-20"
INDICATOR_PANELS = {"rd": "rd_intensity", "rank": "innovation_index_rank", "chains": "rd_spending",
                    "patents": "patents_granted", "enterprises": "high_tech_firms", "talent": "talent_introduced",
                    "digital": "base_stations_5g"}


def _note(fig) -> str:
    """The figure's note as plain text, without the tags and line breaks the wall wraps it in."""
    return re.sub(r"<[^>]+>|\s|·", "", "".join(a.text for a in fig.layout.annotations))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_panel_on_an_empty_store_is_an_empty_figure_saying_what_is_missing(engine, lang):
    meta = queries.indicator_meta(engine)
    expected = {key: missing("observations", lang, meta.loc[code, f"name_{lang}"])
                for key, code in INDICATOR_PANELS.items()}
    expected.update(depts=missing("cases", lang), ontime=missing("cases", lang),
                    resources=missing("resources", lang), map=missing("townships", lang))
    assert set(expected) == set(wall_feed.PANELS)
    for key in wall_feed.PANELS:
        fig, df = wall_feed.panel_data(engine, key, lang, TODAY)
        assert not fig.data, key
        assert re.sub(r"\s|·", "", expected[key]) in _note(fig), (key, _note(fig))
        assert _note(fig).startswith(re.sub(r"\s", "", t("no_data", lang))), key
        assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False, key
        assert df.empty or (key == "resources" and (df["n"] == 0).all()), key  # every type at zero
    assert "R&D intensity" in expected["rd"] if lang == "en" else "研发投入强度" in expected["rd"]


def test_unknown_panel_key_is_a_key_error(engine):
    with pytest.raises(KeyError):
        wall_feed.panel_data(engine, "nope", "en", TODAY)


SQLITE_ONLY = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)  # a demo load: once, to stay fast


@SQLITE_ONLY
def test_panels_with_data_draw_traces(seeded_store):
    for key in wall_feed.PANELS:
        fig, df = wall_feed.panel_data(seeded_store, key, "en", TODAY)
        assert fig.data and not df.empty, key


@SQLITE_ONLY
def test_every_panel_says_its_source_by_name_and_its_load_time(seeded_store, drop):
    """Issue 13 #6: each caption names its source by the demo's label or the loading job, never a path, and says
    when it was loaded (the department, on-time and resources panels said no load time)."""
    from etl import load
    from etl.sources import FileDropSource
    (drop / "gdp.csv").write_text("indicator,period,scope,value\nbase_stations_5g,2025,county,2400\n", encoding="utf-8")
    assert load.run(seeded_store, "file-drop", FileDropSource(folder=str(drop), settle_seconds=0)).status == "success"
    for lang, loaded in (("zh", "加载"), ("en", "loaded")):
        for key in wall_feed.PANELS:
            fig, df = wall_feed.panel_data(seeded_store, key, lang, TODAY)
            text = wall_feed._caption(seeded_store, key, df, lang, TODAY)
            assert f" · {loaded} 20" in text and str(drop) not in text and ":/" not in text, (key, text)
        _, df = wall_feed.panel_data(seeded_store, "digital", lang, TODAY)
        assert ("文件报送 (file-drop)" if lang == "zh" else "file drop (file-drop)") in wall_feed._caption(
            seeded_store, "digital", df, lang, TODAY)
        _, df = wall_feed.panel_data(seeded_store, "rd", lang, TODAY)
        assert ("演示数据(生成)" if lang == "zh" else "demo data (generated)") in wall_feed._caption(
            seeded_store, "rd", df, lang, TODAY).split("/")[0]


def test_patch_carries_data_annotations_shapes_and_axis_visibility():
    fig = {"data": [{"type": "bar", "y": [1]}],
           "layout": {"annotations": [{"text": "a"}], "xaxis": {"range": [0, 3], "title": {"text": "x"}},
                      "yaxis": {"visible": False}, "title": {"text": "kept in the browser"}}}
    ops = wall_feed._patch(fig).to_plotly_json()["operations"]
    assigned = {tuple(op["location"]): op["params"]["value"] for op in ops if op["operation"] == "Assign"}
    assert assigned == {("data",): [{"type": "bar", "y": [1]}], ("layout", "annotations"): [{"text": "a"}],
                        ("layout", "shapes"): [], ("layout", "xaxis", "visible"): True,
                        ("layout", "yaxis", "visible"): False, ("layout", "xaxis", "range"): [0, 3]}


def test_patch_of_a_figure_without_layout_parts_clears_the_no_data_note():
    ops = wall_feed._patch({"data": [], "layout": {}}).to_plotly_json()["operations"]
    assigned = {tuple(op["location"]): op["params"]["value"] for op in ops}
    assert assigned[("layout", "annotations")] == [] and assigned[("layout", "shapes")] == []
    assert assigned[("layout", "xaxis", "visible")] is True and ("layout", "yaxis", "range") not in assigned


@pytest.fixture
def app(store_url, tmp_path):
    from cockpit import create_app
    return create_app(DATABASE_URL=store_url, COCKPIT_DATA_DIR=tmp_path)


@SQLITE_ONLY
def test_refresh_json_is_cached_per_version(app, engine, monkeypatch, demo_now):
    built = []
    real = wall_feed._build
    monkeypatch.setattr(wall_feed, "_build", lambda keys, lang: built.append((keys, lang)) or real(keys, lang))
    keys = ["rd", "depts"]
    with app.server.app_context():
        first = wall_feed.refresh_json(keys, "en")
        assert wall_feed.refresh_json(keys, "en") == first and len(built) == 1
        body = json.loads(first)
        assert set(body) == {"v", "figures", "captions", "ticker", "kpis", "demo", "empty"}
        assert set(body["figures"]) == set(keys) and body["empty"] == ["depts", "rd"] and body["demo"] is False
        assert body["figures"]["rd"]["__dash_patch_update"] == "__dash_patch_update"
        wall_feed.refresh_json(keys, "zh")
        wall_feed.refresh_json(["rd"], "en")
        assert len(built) == 3  # language and panels are part of the key

        assert load.run(engine, "demo-history", DemoSource(now=demo_now)).status == "success"
        app.server.extensions["cockpit"].cache.delete("q:version")  # no wait for VERSION_TTL
        moved = json.loads(wall_feed.refresh_json(keys, "en"))
        assert len(built) == 4 and moved["v"] > body["v"] and moved["empty"] == [] and moved["demo"] is True
