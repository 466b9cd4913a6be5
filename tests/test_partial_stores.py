"""Every screen renders on any subset of data, and "latest" is by period order within the indicator's cadence:
the period helper as a pure function, then each page's layout as a plain function on stores holding only part of
the data (empty, observations only, cases only, one indicator), built through etl.load.run."""
from __future__ import annotations

import importlib
import json
from datetime import date

import pandas as pd
from plotly.io.json import to_json_plotly
import pytest

import partial_stores
from cockpit import create_app
from cockpit.queries import _sql as periods
from cockpit.queries import wall as queries

TODAY = "2026-11-20"
PAGES = [("wall", {}), ("wall", {"lang": "en", "rotate": "10"}), ("departments", {}), ("department", {"code": "kjj"}),
         ("chains", {}), ("chain", {"code": "equipment"}), ("segment", {"code": "equipment", "segment": "equipment.smart"}),
         ("townships", {}), ("township", {"code": "330624001000"}), ("township", {"code": "330624001000", "lang": "en"}),
         ("ops", {})]


def test_periods_parse_into_start_and_granularity():
    assert periods.parse_period("2025") == (date(2025, 1, 1), "annual")
    assert periods.parse_period("2025Q3") == (date(2025, 7, 1), "quarterly")
    assert periods.parse_period("2025-02") == (date(2025, 2, 1), "monthly")
    assert periods.parse_period("2025-02-10") == (date(2025, 2, 10), "daily")
    assert periods.parse_period("2025-13") is None and periods.parse_period("soon") is None and periods.parse_period(None) is None


def test_latest_is_by_time_within_the_cadence_never_by_text():
    mixed = ["2024", "2025-02", "2025Q3", "2025", "2023Q4", "2025-11", "2025-02-10", "2024Q1"]
    assert max(mixed) == "2025Q3"  # what sorting as text picked
    assert periods.latest_period(mixed, "annual") == "2025"
    assert periods.latest_period(mixed, "quarterly") == "2025Q3"
    assert periods.latest_period(mixed, "monthly") == "2025-11"
    assert periods.latest_period(mixed, "daily") == "2025-02-10"
    assert periods.latest_period(mixed, "live") == "2025"  # a live indicator's observations are yearly totals
    assert periods.of_grain(mixed, "quarterly") == ["2023Q4", "2024Q1", "2025Q3"]
    assert periods.latest_period(["2025-02"], "annual") is None


def test_in_order_keeps_each_indicators_own_granularity_in_time_order():
    frame = pd.DataFrame({"code": ["a", "a", "a", "q", "q", "q"], "period": ["2025", "2025-02", "2024", "2025Q1",
                                                                         "2024Q4", "2025"],
                          "value": [3, 9, 2, 5, 4, 8]})
    out = periods.in_period_order(frame, {"a": "annual", "q": "quarterly"})
    assert out[["code", "period"]].values.tolist() == [["a", "2024"], ["a", "2025"], ["q", "2024Q4"], ["q", "2025Q1"]]


@pytest.fixture(scope="module", params=["empty", "observations", "cases", "one_indicator", "registers"])
def store(request, tmp_path_factory):
    url = partial_stores.build(request.param, tmp_path_factory.mktemp(request.param))
    app = create_app(database_url=url)
    with app.server.test_request_context():
        yield request.param, app


def test_the_annual_tile_shows_the_year_not_a_month_or_quarter_loaded_later(tmp_path):
    app = create_app(database_url=partial_stores.build("one_indicator", tmp_path))
    with app.server.app_context():
        engine = app.server.extensions["cockpit"].engine
        tiles = queries.kpis(engine, TODAY).set_index("code")
        series = queries.county_series(engine, ("rd_intensity",))
    assert tiles.loc["rd_intensity", "period"] == "2024"  # the CSV has 2025-02 and 2025Q3 after it
    assert tiles.loc["rd_intensity", ["value", "compare"]].tolist() == [3.81, 3.58]  # vs 2023, the previous year
    assert series["period"].tolist() == ["2021", "2022", "2023", "2024"]
    assert list(tiles.index) == list(queries.KPI_CODES)  # every tile, with or without a value
    assert tiles.loc["rd_spending", "value"] is None or pd.isna(tiles.loc["rd_spending", "value"])


def _text(layout) -> str:
    return json.dumps(json.loads(to_json_plotly(layout)), ensure_ascii=False)


@pytest.mark.parametrize("page, query", PAGES, ids=[f"{p}{'-' + '-'.join(q.values()) if q else ''}" for p, q in PAGES])
def test_every_page_renders_on_partial_data(store, page, query):
    kind, _ = store
    text = _text(importlib.import_module(f"cockpit.pages.{page}").layout(**query))
    assert "wall-failed" not in text  # the wall's failed-layout fallback
    assert "Traceback" not in text
    if page == "wall":
        assert text.count('"kpi') >= 9  # the KPI row with its nine tiles
    if page == "wall" or (kind != "observations" and page in ("chains", "chain", "segment")):  # every store lacks some
        assert ("暂无数据" if query.get("lang") != "en" else "No data yet") in text
    if kind == "empty" and page == "wall":  # a panel with nothing says so; its caption names no source "—"
        assert "来源: —" not in text and "Source: —" not in text
    if kind != "cases" and page in ("wall", "departments", "department"):
        need = ("暂无办件数据", "由办件数据源(HTTP/SQL)提供") if query.get("lang") != "en" else (
            "No matter cases yet", "loaded by a cases source")
        assert all(part in text for part in need)
