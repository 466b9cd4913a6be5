"""Figures: one lean dark template, the click-through codes, both languages, and an empty frame never crashes."""
from __future__ import annotations

import pandas as pd
import pytest

from cockpit.figures import wall as figures
from cockpit.queries import wall as queries

TODAY = "2026-11-20"


@pytest.fixture
def frames(seeded_store):
    return {"depts": queries.department_matters(seeded_store, TODAY), "chains": queries.chain_segments(seeded_store),
            "rd": queries.county_series(seeded_store, ("rd_intensity",)), "res": queries.resources_by_type(seeded_store)}


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_every_figure_is_small_and_on_the_cockpit_template(frames):
    figs = [figures.rd_trend(frames["rd"], "zh"), figures.department_ranking(frames["depts"], "zh"),
            figures.chains_treemap(frames["chains"], "zh"), figures.resources_donut(frames["res"], "zh"),
            figures.on_time_gauge(97.0, 98.0, "zh")]
    for fig in figs:
        assert fig.layout.template.layout.paper_bgcolor == "rgba(0,0,0,0)"
        assert len(fig.to_json()) < 6000  # the stock template alone is 6.5 KB


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_ranking_and_treemap_carry_the_codes_the_drill_down_links_use(frames):
    bar = figures.department_ranking(frames["depts"], "zh").data[0]
    assert len(bar.y) == 33 and bar.customdata[0][0] == frames["depts"].iloc[0]["code"]
    tree = figures.chains_treemap(frames["chains"], "en").data[0]
    assert set(tree.customdata) == set(frames["chains"]["chain_code"])
    assert "Bearings" in tree.labels and "轴承" not in tree.labels


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_long_department_names_take_two_lines_and_the_bars_get_the_width(frames):
    """English department names run to 42 characters: one over 24 is broken at its middle space, so the left
    margin (the names' width) is about halved; the rows are taller then, the hover has the whole name."""
    depts = frames["depts"]
    en, zh = figures.department_ranking(depts, "en"), figures.department_ranking(depts, "zh")
    longest = max(depts["name_en"], key=len)
    assert len(longest) > 30
    label = en.data[0].y[list(depts["name_en"]).index(longest)]
    first, second = label.split("<br>")
    assert f"{first} {second}" == longest and abs(len(first) - len(second)) <= 12
    assert all("<br>" not in y for y, full in zip(en.data[0].y, depts["name_en"]) if len(full) <= 24)
    assert [row[2] for row in en.data[0].customdata] == list(depts["name_en"])  # the hover's name, whole
    assert en.layout.margin.l < 0.6 * (figures.text_px(longest, 17) + 6)
    assert en.layout.height == figures.ranking_height(33, figures.ROW_PX_TWO)
    assert zh.layout.height == figures.ranking_height(33, figures.ROW_PX) and "<br>" not in "".join(zh.data[0].y)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_rd_trend_draws_no_fixed_line_without_a_target_path(frames):
    fig = figures.rd_trend(frames["rd"], "en")  # the target path comes from the targets table (test_targets.py)
    assert not fig.layout.shapes and len(fig.data) == 1 and not fig.layout.annotations


def test_empty_frames_give_a_no_data_figure():
    empty = pd.DataFrame(columns=["code", "period", "value", "handled", "on_time", "n", "name_zh", "name_en"])
    for fig in (figures.rd_trend(empty, "zh"), figures.department_ranking(empty, "en"), figures.index_rank(empty, "zh"),
                figures.on_time_gauge(None, 98.0, "zh")):
        assert fig.layout.annotations[0].text in ("暂无数据", "No data yet")
