"""GET /api/status on a small loaded store (SQLite and PostgreSQL) at a fixed clock: per indicator its latest
period, value, load time in COCKPIT_TZ, staleness and due date, the same period the tiles show; an empty store is a
valid document; no role is a 401 JSON in production; the document is cached per data version and day."""
from __future__ import annotations

import re
from datetime import datetime

import pandas as pd
import pytest

from cockpit import components, create_app
from cockpit.queries import status as status_queries
from cockpit.queries import wall as wall_queries
from cockpit.web import wall_feed
from etl import clock, load
from etl.sources.base import Batch, with_location
from partial_stores import ListSource

LOADED = datetime(2026, 10, 15, 2, 0)  # naive UTC: 10:00 in Asia/Shanghai
TODAY = "2026-10-15"
ROWS = [("rd_intensity", "2023", "3.58"), ("rd_intensity", "2024", "3.81"),  # 2025 due 2026-09-27: due
        ("patents_granted", "2023", "3000"), ("patents_granted", "2024", "3100"),  # 2025 due 03-01, +30: overdue
        ("listed_firms", "2024", "12"), ("listed_firms", "2025", "13")]  # 2026 due 2027-01-15: current
SECRET, TOKEN = "s" * 32, "status-kiosk-token"


def _load(engine, rows=ROWS):
    df = pd.DataFrame([(c, p, "county", v) for c, p, v in rows], columns=["indicator", "period", "scope", "value"])
    batch = Batch("observations", "obs.csv", with_location(df, "obs.csv", first_row=2))
    result = load.run(engine, "obs", ListSource(batch), today=datetime(2026, 10, 15).date())
    assert result.status == "success", result.error


@pytest.fixture
def frozen(monkeypatch):
    now = [LOADED]
    monkeypatch.setattr(clock, "utc_now", lambda: now[0])
    return now


def _client(store_url, tmp_path, **extra):
    app = create_app(DATABASE_URL=store_url, COCKPIT_DATA_DIR=tmp_path, **extra)
    app.server.config["TESTING"] = True
    return app.server.test_client()


def _by_code(doc):
    return {i["code"]: i for i in doc["indicators"]}


def test_status_lists_every_indicator_with_period_value_staleness_and_due(store_url, engine, tmp_path, frozen):
    _load(engine)
    resp = _client(store_url, tmp_path).get("/api/status")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    doc = resp.get_json()
    assert doc["today"] == TODAY and doc["zone"] == "Asia/Shanghai" and isinstance(doc["v"], int)
    assert [i["code"] for i in doc["indicators"]] == list(wall_queries.indicator_meta(engine).index)
    got = _by_code(doc)
    rd, patents, listed = got["rd_intensity"], got["patents_granted"], got["listed_firms"]
    assert {k: rd[k] for k in ("period", "value", "cadence", "lag_days", "grace_days", "staleness", "due",
                               "overdue_after")} == {
        "period": "2024", "value": 3.81, "cadence": "annual", "lag_days": 270, "grace_days": 30,
        "staleness": "due", "due": "2026-09-27", "overdue_after": "2026-10-27"}
    assert rd["loaded_at"] == "2026-10-15T10:00:00+08:00" and rd["name_zh"] == "研发投入强度"
    assert (patents["period"], patents["staleness"], patents["due"]) == ("2024", "overdue", "2026-03-01")
    assert (listed["period"], listed["staleness"], listed["due"]) == ("2025", "current", "2027-01-15")
    gdp = got["gdp"]  # nothing loaded: no period, no value, nothing to judge
    assert (gdp["period"], gdp["value"], gdp["staleness"], gdp["due"], gdp["loaded_at"]) == (None,) * 5
    assert gdp["lag_days"] == 60  # the catalogue's own lag, said even without a figure
    for entry in doc["indicators"]:
        assert set(entry) >= {"target", "progress", "off_target"}
        assert entry["target"] is None or set(entry["target"]) == {"plan", "period", "value", "version"}
    assert isinstance(doc["reporting"], list)
    for r in doc["reporting"]:
        assert set(r) == {"subject", "name_zh", "name_en", "cadence", "period", "due", "reported", "expected", "late",
                          "connected"}
        assert r["reported"] + len(r["late"]) == r["expected"]


def _text(component) -> str:
    """Every string in a Dash component tree, in order."""
    if component is None or isinstance(component, (int, float)):
        return ""
    if isinstance(component, str):
        return component
    if isinstance(component, (list, tuple)):
        return " ".join(_text(c) for c in component)
    return _text(getattr(component, "children", None))


@pytest.mark.parametrize("lang,due_word,overdue_word,period_word", [("zh", "待更新", "逾期", "统计期"),
                                                                      ("en", "due", "overdue", "Period")])
def test_tiles_and_captions_say_the_same_period_and_staleness_as_the_document(
        store_url, engine, tmp_path, frozen, lang, due_word, overdue_word, period_word):
    _load(engine)
    doc = _client(store_url, tmp_path).get("/api/status").get_json()
    got = _by_code(doc)
    tiles = {r["code"]: r for r in wall_queries.kpis(engine, TODAY).to_dict("records")}
    for code, row in tiles.items():  # every tile names the document's period
        assert (row["period"] or None) == got[code]["period"], code
        assert (row["staleness"] if isinstance(row["staleness"], str) else None) == got[code]["staleness"], code
    rd = components.kpi_card(tiles["rd_intensity"], lang)
    assert f"{period_word} 2024" in _text(rd) and re.search(rf"\b{due_word}\b|{due_word}", _text(rd))
    assert "stale-due" in rd.className and "2026-09-27" in rd.title
    listed = components.kpi_card(tiles["listed_firms"], lang)
    assert f"{period_word} 2025" in _text(listed) and due_word not in _text(listed).replace(period_word, "")
    assert "stale" not in listed.className
    df = wall_queries.county_series(engine, ("patents_granted", "invention_patents"))
    cap = components.caption(df, lang, *wall_feed.period_state(engine, "patents", df, lang, TODAY))
    assert cap.startswith(f"{period_word} 2024 · {overdue_word} · ")
    assert cap.endswith("2026-10-15 10:00")  # the load time stays, apart from the period
    df = wall_queries.county_series(engine, ("rd_intensity",))
    assert components.caption(df, lang, *wall_feed.period_state(engine, "rd", df, lang, TODAY)).startswith(
        f"{period_word} 2024 · {due_word} · ")


def test_an_empty_store_is_a_valid_document(store_url, tmp_path, frozen):
    resp = _client(store_url, tmp_path).get("/api/status")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert len(doc["indicators"]) >= 19 and doc["reporting"] is not None
    for entry in doc["indicators"]:
        assert (entry["period"], entry["value"], entry["staleness"], entry["target"]) == (None, None, None, None)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_no_role_is_a_401_json_and_the_kiosk_may_read_it(store_url, tmp_path, frozen):
    client = _client(store_url, tmp_path, COCKPIT_ENV="production", COCKPIT_SECRET_KEY=SECRET,
                     COCKPIT_KIOSK_TOKEN=TOKEN)
    resp = client.get("/api/status", headers={"Accept": "text/html"})
    assert resp.status_code == 401 and resp.mimetype == "application/json" and "error" in resp.get_json()
    client.get(f"/?kiosk={TOKEN}", headers={"Accept": "text/html"})
    resp = client.get("/api/status")
    assert resp.status_code == 200 and "indicators" in resp.get_json()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_document_is_cached_per_data_version_and_day(store_url, engine, tmp_path, frozen, monkeypatch):
    _load(engine)
    client = _client(store_url, tmp_path)
    calls = []
    real = status_queries.document
    monkeypatch.setattr(status_queries, "document", lambda *a: calls.append(a[2]) or real(*a))
    first = client.get("/api/status").get_json()
    assert client.get("/api/status").get_json() == first and len(calls) == 1  # one build per version and day
    frozen[0] = datetime(2026, 10, 28, 2, 0)  # a new day, no new data: rd_intensity is now overdue
    later = _by_code(client.get("/api/status").get_json())
    assert len(calls) == 2 and later["rd_intensity"]["staleness"] == "overdue"
    _load(engine, [("rd_intensity", "2025", "4.62")])  # the 2025 figure arrives: the version moves
    client = _client(store_url, tmp_path)  # a fresh app: the data version is held for VERSION_TTL seconds
    now = _by_code(client.get("/api/status").get_json())["rd_intensity"]
    assert (now["period"], now["value"], now["staleness"], now["due"]) == ("2025", 4.62, "current", "2027-09-27")
