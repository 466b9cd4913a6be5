"""Annotations (issue 14 #3), SQLite and PostgreSQL: loaded from a file recognised by its columns (日期/期间, 范围,
类型, 说明) with bad rows quarantined where they stand, revisions listed by themselves, served over
/api/annotations, listed in CSV footers for the period they cover (as known at an as-of moment), and added or
edited by an admin on /ops (audited)."""
from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import select

from cockpit.queries import annotations as notes
from cockpit.snapshot import read_snapshot
from cockpit.web import export
from etl import load
from etl.sources import FileDropSource
from etl.sources.base import Batch, with_location
from etl.store import AuditEvent, RejectedRow
from partial_stores import ListSource

FILE = ("日期,范围,类型,说明,英文说明\n"
        "2025-03-15,全县,政策,出台研发投入补助新政,New R&D subsidy policy\n"
        "2025,县科技局,数据事件,统计口径调整,\n"
        "2025-13-01,全县,政策,坏日期,\n"
        "2024Q2,全县,天气,未知类型,\n")


def load_file(engine, drop, text=FILE, name="大事记.csv", encoding="utf-8"):
    (drop / name).write_bytes(text.encode(encoding))
    return load.run(engine, "file-drop", FileDropSource(folder=str(drop), settle_seconds=0))


def obs(engine, rows):
    df = pd.DataFrame(rows, columns=["indicator", "period", "scope", "value"])
    return load.run(engine, "obs", ListSource(Batch("observations", "o.csv", with_location(df, "o.csv", first_row=2))))


def test_a_file_of_annotations_loads_by_its_columns_and_bad_rows_say_where_and_why(engine, drop):
    result = load_file(engine, drop, encoding="gbk", name="大事记_gbk.csv")  # an office's GBK export
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 2, 2), result
    got = notes.annotations(engine)
    assert [(r["period"], r["scope"], r["kind"], r["text_zh"], r["text_en"]) for r in got.to_dict("records")] == [
        ("2025", "kjj", "incident", "统计口径调整", ""),
        ("2025-03-15", "county", "policy", "出台研发投入补助新政", "New R&D subsidy policy")]
    with engine.connect() as conn:
        rejected = conn.execute(select(RejectedRow.row_number, RejectedRow.reason).order_by(RejectedRow.row_number)).all()
    assert [tuple(r) for r in rejected] == [(4, "unparseable date or period"),
                                            (5, "unknown kind (policy 政策 | incident 数据事件 | revision 修订 | note 说明)")]
    assert load_file(engine, drop, name="again.csv").rows_loaded == 0  # the same rows again change nothing


def test_revisions_are_annotations_by_themselves_and_the_period_and_scope_filter(engine, drop):
    load_file(engine, drop)
    obs(engine, [("rd_intensity", "2024", "county", "3.81")])
    obs(engine, [("rd_intensity", "2024", "county", "3.86")])
    revised = notes.annotations(engine, "county", "2024", "2024")
    assert list(revised["kind"]) == ["revision"] and "研发投入强度 2024 已修订 (前值 3.81)" in revised["text_zh"].iloc[0]
    assert list(notes.annotations(engine, "county", "2025-03", "2025-03")["text_zh"]) == ["出台研发投入补助新政"]
    assert len(notes.annotations(engine, "kjj", "2025", "2025")) == 2  # its own and the county's
    assert notes.annotations(engine, "county", "2026", None).empty


def test_api_annotations_and_its_400(store_url, engine, drop):
    from cockpit import create_app
    load_file(engine, drop)
    client = create_app(database_url=store_url).server.test_client()
    answer = client.get("/api/annotations?scope=kjj&from=2025&to=2025")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    rows = answer.get_json()["annotations"]
    assert {(r["period"], r["kind"]) for r in rows} == {("2025", "incident"), ("2025-03-15", "policy")}
    assert rows[0]["updated_at"].endswith("+08:00")
    bad = client.get("/api/annotations?from=soon")
    assert bad.status_code == 400 and "bad from" in bad.get_json()["error"]


def test_a_snapshot_footer_lists_the_period_s_annotations_as_known_at_its_moment(engine, drop, monkeypatch):
    from datetime import datetime, timedelta

    from etl import clock
    now = [datetime(2026, 3, 2, 1, 0)]  # the one clock, frozen, moved on by hand
    monkeypatch.setattr(clock, "utc_now", lambda: now[0])
    obs(engine, [("rd_intensity", "2025", "county", "4.6")])
    now[0] += timedelta(hours=1)
    _, body, _ = export.export(engine, "observations", indicator="rd_intensity")
    before = b"".join(body)
    assert "annotations" not in read_snapshot(before)[1]
    load_file(engine, drop)
    _, body, _ = export.export(engine, "observations", indicator="rd_intensity", **{"from": "2025", "to": "2025"})
    footer = read_snapshot(b"".join(body))[1]
    assert "2025-03-15 county policy: 出台研发投入补助新政 / New R&D subsidy policy" in footer["annotations"]
    _, body, _ = export.export(engine, "observations", indicator="rd_intensity", **{"from": "2026"})
    assert "annotations" not in read_snapshot(b"".join(body))[1]  # another period: none listed
    with engine.connect() as conn:
        first_run = conn.exec_driver_sql("SELECT MIN(id) FROM etl_runs").scalar()
    _, body, _ = export.export(engine, "observations", indicator="rd_intensity", as_of=str(first_run))
    assert b"".join(body) == before  # as of before the annotations: the snapshot made then, byte for byte


def test_an_admin_adds_and_edits_an_annotation_on_ops_audited(store_url, engine):
    from cockpit import create_app
    app = create_app(database_url=store_url)
    with app.server.test_request_context():
        from cockpit.pages import ops
        said, table = ops.save_annotation(1, "2026-11", "county", "note", "十一月数据延迟发布", "", None, "zh")
        assert said.startswith("已保存说明 #") and "十一月数据延迟发布" in json.dumps(table.to_plotly_json(), ensure_ascii=False, default=str)
        saved = int(said.rsplit("#", 1)[1])
        said, _ = ops.save_annotation(2, "2026-11", "county", "incident", "十一月数据延迟发布(已更正)",
                                      "November figures late", saved, "en")
        assert said == f"Saved annotation #{saved}"
        bad, _ = ops.save_annotation(3, "someday", "county", "note", "x", "", None, "en")
        assert bad == "unparseable date or period"
    row = notes.annotations(engine, "county", "2026-11", "2026-11").iloc[0]
    assert (row["kind"], row["text_zh"], row["text_en"]) == ("incident", "十一月数据延迟发布(已更正)", "November figures late")
    with engine.connect() as conn:
        audited = conn.execute(select(AuditEvent.action, AuditEvent.target).where(AuditEvent.action == "annotation")).all()
    assert [tuple(a) for a in audited] == [("annotation", f"annotation:{saved}")] * 2
