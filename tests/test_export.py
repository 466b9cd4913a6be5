"""CSV snapshots: Excel-compatible BOM, Chinese round trip, formula cells neutralised, numbers kept, a stable
hash that changes after a new load, as-of from the data, streaming, and the HTTP routes' 4xx answers."""
from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from cockpit.queries import export as export_queries
from cockpit.snapshot import read_snapshot
from cockpit.web import export
from etl import load, publish
from etl.sources import FileDropSource


def load_csv(engine, tmp_path, text, name="obs.csv", published=False):
    """Load a CSV; `published`: a run held by a check (a negative share) is published, as an admin may."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = load.run(engine, "upload", FileDropSource(files=[str(path)], move=False))
    if published and result.status == "held":
        publish.publish(engine, result.run_id, "admin")
        result.status = "success"
    assert result.status == "success", result.error
    return result


def snapshot(engine, kind="observations", **params):
    _, body, meta = export.export(engine, kind, **params)
    return b"".join(body), meta


HOSTILE = ("指标,期间,范围,数值,来源,备注\n"
           "研发投入强度,2021,全县,4.4,=HYPERLINK(\"http://x\"),正常\n"
           "研发投入强度,2022,全县,-0.5,@SUM(A1),+1\n"
           "研发投入强度,2023,县科技局,4.6,\tTAB,-cmd\n")


def test_snapshot_is_excel_ready_and_neutralises_formulas(engine, tmp_path):
    load_csv(engine, tmp_path, HOSTILE, published=True)
    data, meta = snapshot(engine, indicator="研发投入强度")
    assert data.startswith(b"\xef\xbb\xbf")
    frame, footer = read_snapshot(data)
    assert list(frame["indicator_zh"]) == ["研发投入强度"] * 3
    assert list(frame["scope_zh"]) == ["新昌县", "新昌县", "县科技局"]
    assert list(frame["source"]) == ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "'\tTAB"]
    assert list(frame["value"]) == ["4.4", "-0.5", "4.6"], "numbers stay numbers, negative ones too"
    assert footer["rows"] == "3" and footer["filters"] == "indicator=rd_intensity"
    assert footer["sha256"] == hashlib.sha256(data.split(b"\r\n\r\n")[0] + b"\r\n").hexdigest()


def test_same_request_same_bytes_and_a_new_load_changes_the_hash(engine, tmp_path):
    first = load_csv(engine, tmp_path, "indicator,period,scope,value\nrd_intensity,2021,county,4.4\n")
    a, meta_a = snapshot(engine, indicator="rd_intensity")
    b, _ = snapshot(engine, indicator="rd_intensity")
    assert a == b
    assert meta_a.runs == {first.run_id}
    second = load_csv(engine, tmp_path, "indicator,period,scope,value\nrd_intensity,2022,county,4.5\n", "b.csv")
    c, meta_c = snapshot(engine, indicator="rd_intensity")
    assert read_snapshot(c)[1]["sha256"] != read_snapshot(a)[1]["sha256"]
    assert meta_c.runs == {first.run_id, second.run_id} and meta_c.as_of >= meta_a.as_of
    assert meta_c.demo is False


def test_filters_scope_and_period_range(engine, tmp_path):
    load_csv(engine, tmp_path, "indicator,period,scope,value\n" + "".join(
        f"rd_spending,{p},{s},1\n" for p in ("2019", "2020", "2021-03", "2021Q2", "2022") for s in ("county", "kjj")))
    data, _ = snapshot(engine, indicator="rd_spending", scope="全县", **{"from": "2020", "to": "2021"})
    frame, footer = read_snapshot(data)
    assert list(frame["period"]) == ["2020", "2021-03", "2021Q2"]
    assert set(frame["scope_code"]) == {"county"}
    assert footer["filters"] == "from=2020;indicator=rd_spending;scope=county;to=2021"


def test_cases_export_by_department_name_and_days(seeded_store):
    data, meta = snapshot(seeded_store, "cases", department="县科技局", **{"from": "2026-11-02", "to": "2026-11-03"})
    frame, footer = read_snapshot(data)
    assert len(frame) > 0 and set(frame["department_code"]) == {"kjj"}
    assert frame["submitted_at"].min() >= "2026-11-02" and frame["submitted_at"].max() < "2026-11-04"
    assert footer["demo"].startswith("true") and meta.demo


def test_large_exports_stream_in_chunks(engine, tmp_path, monkeypatch):
    load_csv(engine, tmp_path, "indicator,period,scope,value\n" + "".join(
        f"rd_spending,{y},county,{y}\n" for y in range(1980, 2020)))
    monkeypatch.setattr(export_queries, "CHUNK", 7)
    _, body, meta = export.export(engine, "observations", indicator="rd_spending")
    parts = list(body)
    assert len(parts) == 1 + 6 + 1  # header, 40 rows in chunks of 7, footer
    assert meta.rows == 40


@pytest.mark.parametrize("params, message", [
    ({"indicator": "no_such"}, "unknown indicator"),
    ({"indicator": "gdp", "scope": "火星"}, "unknown scope"),
])
def test_unknown_names_are_not_found(engine, params, message):
    with pytest.raises(export.NotFound, match=message):
        export.export(engine, "observations", **params)


def test_bad_periods_are_bad_requests(engine):
    with pytest.raises(export.BadRequest, match="not a period"):
        export.export(engine, "observations", indicator="gdp", **{"from": "20x1"})
    with pytest.raises(export.BadRequest, match="not a date"):
        export.export(engine, "cases", **{"to": "2021Q1"})


@pytest.fixture
def client(store_url, tmp_path):
    from cockpit import create_app
    app = create_app(DATABASE_URL=store_url, COCKPIT_DATA_DIR=tmp_path)
    return app.server.test_client()


def test_http_export_and_its_4xx_pages(client, engine, tmp_path):
    load_csv(engine, tmp_path, HOSTILE, published=True)
    ok = client.get("/export/observations.csv?indicator=rd_intensity")
    assert ok.status_code == 200 and ok.mimetype == "text/csv"
    assert ok.headers["Content-Disposition"] == "attachment; filename=observations_rd_intensity.csv"
    assert ok.data == snapshot(engine, indicator="rd_intensity")[0]
    for url, code in [("/export/observations.csv", 400), ("/export/observations.csv?indicator=gdp&from=x", 400),
                      ("/export/observations.csv?indicator=nope", 404), ("/export/cases.csv?department=nope", 404),
                      ("/export/secrets.csv", 404), ("/export/cases.csv?to=%00%ff", 400)]:
        resp = client.get(url)
        assert resp.status_code == code, url
        assert b"Traceback" not in resp.data and "驾驶舱".encode() in resp.data


def test_periods_compare_as_periods_not_strings(engine, tmp_path):
    periods = ("2020Q4", "2021", "2021Q1", "2021-03", "2021Q2", "2021-06", "2021-07", "2021Q3", "2022")
    load_csv(engine, tmp_path, "indicator,period,scope,value\n" + "".join(f"rd_spending,{p},county,1\n" for p in periods))

    def kept(**bounds):
        return set(read_snapshot(snapshot(engine, indicator="rd_spending", **bounds)[0])[0]["period"])

    # a period is kept when it shares a day with [from, to]: 2021Q1 ends before June, 2021Q3 starts after it
    assert kept(**{"from": "2021-06"}) == {"2021", "2021Q2", "2021-06", "2021-07", "2021Q3", "2022"}
    assert kept(**{"to": "2021-06"}) == {"2020Q4", "2021", "2021Q1", "2021-03", "2021Q2", "2021-06"}
    assert kept(**{"from": "2021Q2", "to": "2021Q2"}) == {"2021", "2021Q2", "2021-06"}
    assert kept(**{"from": "２０２１年第三季度"}) == {"2021", "2021-07", "2021Q3", "2022"}
    assert kept(**{"from": "2021年", "to": "2021年"}) == set(periods) - {"2020Q4", "2022"}


def test_cases_filters_keep_periods_in_their_stored_form(seeded_store):
    _, meta = snapshot(seeded_store, "cases", **{"from": "２０２６年", "to": "2026年11月"})
    assert meta.filters == {"department": None, "from": "2026", "to": "2026-11"}
    assert export.filename(meta) == "cases_2026_2026-11.csv"


def test_content_disposition_is_latin1_with_an_rfc5987_name_for_chinese():
    value = export.disposition("cases_县科技局_2026.csv")
    value.encode("latin-1")
    assert value == "attachment; filename=cases__2026.csv; filename*=UTF-8''cases_%E5%8E%BF%E7%A7%91%E6%8A%80%E5%B1%80_2026.csv"


@pytest.fixture
def throwaway_pg():
    from faults.servers import ThrowawayPostgres
    try:
        pg = ThrowawayPostgres()
    except (FileNotFoundError, OSError) as exc:
        pytest.skip(f"no PostgreSQL binaries to start a throwaway server: {exc}")
    try:
        yield pg.start()
    finally:
        pg.cleanup()


def test_store_down_during_an_export_is_a_clean_503_and_audits_nothing(throwaway_pg, tmp_path, monkeypatch):
    from sqlalchemy import func, select

    from cockpit import create_app
    from etl.store import AuditEvent, make_engine
    engine = make_engine(throwaway_pg.url)
    from etl import migrate
    from etl.catalogue import read_catalogue
    migrate.prepare(engine, read_catalogue())
    load_csv(engine, tmp_path, HOSTILE, published=True)
    client = create_app(DATABASE_URL=throwaway_pg.url, COCKPIT_DATA_DIR=tmp_path).server.test_client()
    real_chunks, stopped = export_queries.chunks, []

    def store_stops_once_checked(engine, stmt):  # the parameters were checked; the server dies before the rows
        if not stopped:
            stopped.append(throwaway_pg.stop())
        return real_chunks(engine, stmt)

    monkeypatch.setattr(export_queries, "chunks", store_stops_once_checked)
    monkeypatch.setattr(export, "chunks", store_stops_once_checked)
    resp = client.get("/export/observations.csv?indicator=rd_intensity")
    assert resp.status_code == 503 and resp.headers["Retry-After"].isdigit()
    assert "数据存储暂不可用".encode() in resp.data and b"Traceback" not in resp.data
    resp = client.get("/export/observations.csv?indicator=rd_intensity", headers={"Accept": "application/json"})
    assert resp.status_code == 503 and resp.json["error"] == "store unavailable", "down when the parameters are checked"
    throwaway_pg.start()
    with make_engine(throwaway_pg.url).connect() as conn:
        assert conn.execute(select(func.count()).where(AuditEvent.action == "export")).scalar() == 0
    assert client.get("/export/observations.csv?indicator=rd_intensity").status_code == 200, "a slot was not kept"
