"""cockpit/components/: drill.py (link, breadcrumbs, no_data, error_page, indicator_tiles), kpi.py (kpi_payload with
a missing value) and ticker.py (an empty frame), rendered as layout trees."""
from __future__ import annotations

import pandas as pd
import pytest

from cockpit.components import drill, kpi, ticker
from cockpit.state import BadParam, State
from etl.catalogue import read_catalogue

META = pd.DataFrame(read_catalogue()["indicators"]).set_index("code")


def nodes(component):
    """Every component of a layout tree, depth first."""
    out, stack = [], [component]
    while stack:
        node = stack.pop(0)
        if isinstance(node, (list, tuple)):
            stack[:0] = list(node)
        elif hasattr(node, "to_plotly_json"):
            out.append(node)
            stack[:0] = [getattr(node, "children", None)]
    return out


def texts(component) -> list[str]:
    found = []
    for node in nodes(component):
        child = getattr(node, "children", None)
        if isinstance(child, (str, int, float)):
            found.append(str(child))
        elif isinstance(child, (list, tuple)):
            found += [str(c) for c in child if isinstance(c, (str, int, float))]
    return found


def by_class(component, cls: str):
    return [n for n in nodes(component) if cls in (getattr(n, "className", None) or "").split()]


# --- drill.py ---------------------------------------------------------------------------------------------------

def test_link_keeps_language_and_period_and_applies_changes():
    state = State(path="/chains", lang="en", start="2020", end="2022", sort="rd")
    a = drill.link(state, "/chains/c1", "Chain 1")
    assert (a.href, a.children, a.className) == ("/chains/c1?lang=en&from=2020&to=2022", "Chain 1", "drill-link")
    same = drill.link(state, None, "by patents", sort="patents")
    assert same.href == "/chains?lang=en&from=2020&to=2022&sort=patents"
    assert a.to_plotly_json()["type"] == "Link"


def test_breadcrumbs_link_all_but_the_page_itself():
    crumbs = drill.breadcrumbs([("Cockpit", "/?lang=en"), ("Chains", "/chains?lang=en"), ("Chain 1", None)])
    parts = crumbs.children
    assert crumbs.className == "breadcrumbs"
    assert [type(p).__name__ for p in parts] == ["Link", "Span", "Link", "Span", "Span"]
    assert [p.href for p in parts if type(p).__name__ == "Link"] == ["/?lang=en", "/chains?lang=en"]
    assert [p.children for p in by_class(crumbs, "crumb-sep")] == ["›", "›"]
    here = by_class(crumbs, "here")
    assert len(here) == 1 and here[0].children == "Chain 1" and not hasattr(here[0], "href")
    assert drill.breadcrumbs([("Only", None)]).children[0].className == "crumb here"


def test_no_data_says_what_is_missing_part_by_part():
    box = drill.no_data("en", "No firm register yet · loaded by a firm register or source (file drop/HTTP/SQL)")
    assert box.className == "no-data" and box.role == "note"
    assert [n.children for n in by_class(box, "no-data-title")] == ["No data yet"]
    assert [n.children for n in by_class(box, "no-data-need")] == \
        ["No firm register yet", "loaded by a firm register or source (file drop/HTTP/SQL)"]
    plain = drill.no_data("zh")
    assert texts(plain) == ["暂无数据"] and not by_class(plain, "no-data-need")


@pytest.mark.parametrize("code, lang, heading, lead", [
    (404, "en", "404 · Not found", "There is no such department, chain, segment or firm."),
    (404, "zh", "404 · 未找到", "没有这个部门、产业链、环节或企业。"),
    (400, "en", "400 · Bad request", ""), (403, "zh", "403 · 无权访问", ""), (418, "en", "418 · Bad request", ""),
])
def test_error_page(code, lang, heading, lead):
    page = drill.error_page(code, "details here", lang)
    assert page.className == f"drill drill-error lang-{lang}"
    box = page.children
    assert box.id == f"error-{code}" and box.className == "error-box"
    assert box.children[0].children == heading
    assert by_class(page, "error-lead")[0].children == lead
    assert by_class(page, "error-detail")[0].children == "details here"
    links = by_class(page, "error-links")[0].children
    suffix = "?lang=en" if lang == "en" else ""
    assert [a.href for a in links] == ["/" + suffix, "/departments" + suffix, "/chains" + suffix]


def test_bad_request_page_speaks_the_asked_language():
    page = drill.bad_request_page(BadParam("bad_year", name="from", value="x"), {"lang": "en", "from": "x"})
    assert "from: 'x' is not a year (e.g. 2021)" in texts(page) and page.className.endswith("lang-en")
    zh = drill.bad_request_page(BadParam("bad_year", name="from", value="x"), {"lang": "fr"})
    assert "参数 from 的值 'x' 不是年份(例如 2021)" in texts(zh)


def test_indicator_tiles_show_the_newest_value_and_a_dash_when_missing():
    values = pd.DataFrame({"indicator_code": ["rd_intensity", "rd_intensity", "patents_granted"],
                           "period": ["2021", "2023", "2022"], "value": [3.9, 4.25, 1234.0],
                           "run_id": [1, 2, 2], "source": ["demo", "demo", "demo"],
                           "loaded_at": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-02-01"]),
                           "is_demo": [True, True, True]})
    row = drill.indicator_tiles(values, ["rd_intensity", "patents_granted", "talent_introduced"], META, "en",
                                extra=["x"])
    assert row.className == "dkpi-row" and row.children[-1] == "x"
    tiles = by_class(row, "dkpi")
    assert len(tiles) == 3
    assert [n.children for n in by_class(row, "dkpi-label")] == \
        ["R&D intensity", META.loc["patents_granted", "name_en"], META.loc["talent_introduced", "name_en"]]
    assert [n.children for n in by_class(row, "dkpi-value")] == ["4.25", "1,234", "—"]
    assert [n.children for n in by_class(row, "dkpi-note")] == ["2023", "2022", "No data yet"]
    assert [n.children for n in by_class(row, "dkpi-unit")][0] == "%"
    zh = drill.indicator_tiles(values.iloc[0:0], ["rd_intensity"], META, "zh")
    assert [n.children for n in by_class(zh, "dkpi-note")] == ["暂无数据"]
    assert [n.children for n in by_class(zh, "dkpi-label")] == ["研发投入强度"]


# --- kpi.py -----------------------------------------------------------------------------------------------------

def _kpis():
    return pd.DataFrame([
        {"code": "rd_intensity", "unit": "%", "value": 4.1, "compare": 3.9, "target": 4.0, "higher_is_better": True,
         "compare_kind": "period"},
        {"code": "patents_granted", "unit": "件", "value": float("nan"), "compare": 100.0, "target": None,
         "higher_is_better": True, "compare_kind": "period"},
        {"code": "avg_days", "unit": "天", "value": 5.0, "compare": 4.0, "target": float("nan"),
         "higher_is_better": False, "compare_kind": "ytd"},
        {"code": "rd_spending", "unit": "亿元", "value": 12.5, "compare": float("nan"), "target": float("nan"),
         "higher_is_better": True, "compare_kind": "period"},
    ]).assign(name_zh="指标", name_en="Indicator", source="demo")  # as wall.kpis' rows carry them


def test_kpi_payload_with_a_missing_value():
    full = kpi.kpi_payload(_kpis(), "en")
    assert set(full) == {"rd_intensity", "patents_granted", "avg_days", "rd_spending"}
    # the tile's words ride along (assets/wall-tiles.js): none of these rows has a period, staleness or revision
    assert {k: full["rd_intensity"][k] for k in ("p", "s", "sw", "rv", "tg")} == {"p": "", "s": None, "sw": "",
                                                                                  "rv": "", "tg": ""}
    out = {code: {k: v[k] for k in ("v", "d", "delta", "cls")} for code, v in full.items()}
    assert out["patents_granted"] == {"v": None, "d": 0, "delta": "No data yet", "cls": "none"}
    assert out["rd_intensity"] == {"v": 4.1, "d": 2, "delta": "vs last ▲ +0.20pt", "cls": "good"}
    # the catalogue's target (4.0) is not a target source: without the targets table's, no tile claims one
    assert out["avg_days"] == {"v": 5.0, "d": 0, "delta": "vs last YTD ▲ +25.0%", "cls": "bad"}
    assert out["rd_spending"] == {"v": 12.5, "d": 2, "delta": "", "cls": "flat"}
    assert kpi.kpi_payload(_kpis(), "zh")["patents_granted"]["delta"] == "暂无数据"


def test_kpi_fmt_and_decimals():
    assert kpi.fmt(None, 2) == kpi.fmt(float("nan"), 0) == "—"
    assert kpi.fmt(1234.5, 0) == "1,234" and kpi.fmt(4.256, 2) == "4.26"
    assert kpi.decimals("%") == kpi.decimals("亿元") == 2 and kpi.decimals("件") == 0


# --- ticker.py --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ticker_on_an_empty_frame_says_what_is_missing(lang):
    from cockpit.i18n import missing, t
    items = ticker.ticker_items(pd.DataFrame(columns=["submitted_at", "dept_zh", "dept_en", "matter_zh",
                                                      "matter_en", "status"]), lang)
    assert len(items) == 1 and items[0].className == "ticker-row empty"
    assert [n.children for n in by_class(items[0], "ticker-none")] == [t("no_data", lang)]
    assert [n.children for n in by_class(items[0], "ticker-need")] == missing("cases", lang).split(" · ")
    assert not by_class(items[0], "ticker-track")


def test_ticker_repeats_the_rows_it_shows_for_the_loop():
    cases = pd.DataFrame([{"submitted_at": pd.Timestamp("2026-11-20 09:05"), "dept_zh": "科技局", "dept_en": "Sci",
                           "matter_zh": "事项", "matter_en": "Matter", "status": "completed"}])
    tracks = ticker.ticker_items(cases, "en")
    assert [tr.className for tr in tracks] == ["ticker-track", "ticker-track repeat"]
    assert tracks[1].to_plotly_json()["props"]["aria-hidden"] == "true"
    assert texts(tracks[0]) == ["11-20 09:05", "Sci", "Matter", "completed"] == texts(tracks[1])
    assert by_class(tracks[0], "ticker-status")[0].className == "ticker-status completed"
    many = pd.concat([cases.assign(matter_en=f"Matter {i}") for i in range(16)], ignore_index=True)
    whole, repeat = ticker.ticker_items(many, "en")
    assert len(whole.children) == 16 and len(repeat.children) == ticker.LOOP  # the first rows again, not all 16
    assert [texts(r) for r in repeat.children] == [texts(r) for r in whole.children[:ticker.LOOP]]


def test_a_source_is_named_by_its_label_or_its_job_never_by_a_path():
    from cockpit.components.panel import caption, source_name
    bilingual = "演示数据(生成) / demo data (generated)"
    assert source_name(bilingual, "zh") == "演示数据(生成)" and source_name(bilingual, "en") == "demo data (generated)"
    jobs = {"file_drop:/srv/cockpit/drop": {"file-drop"}}
    assert source_name("file_drop:/srv/cockpit/drop", "zh", jobs) == "文件报送 (file-drop)"
    assert source_name("http_json:http://10.0.0.5/api/obs?page=1", "en") == "HTTP API"
    assert source_name("sql:postgresql://stats@db/stats", "en") == "database"
    assert source_name("县统计局 / Statistics Bureau", "en") == "Statistics Bureau"
    assert source_name("县统计局", "en") == "县统计局"  # a named source as the county wrote it
    frame = pd.DataFrame({"source": ["file_drop:/srv/cockpit/drop"], "loaded_at": [pd.Timestamp("2026-03-02 01:00")]})
    text = caption(frame, "zh", "2025", jobs=jobs)
    assert "/srv" not in text and "文件报送 (file-drop)" in text and "加载 2026-03-02 09:00" in text
