"""Townships as a dimension (migration 0017, data/townships.csv) and the per-township query, SQLite + PostgreSQL."""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import func, select

from cockpit.queries import townships as q
from faults.json_api import api  # noqa: F401  (the loopback JSON API fixture)
from etl.store import Firm, Resource, Township

CSV = Path(__file__).resolve().parents[1] / "data" / "townships.csv"


def _rows() -> list[dict]:
    with open(CSV, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_csv_is_well_formed():
    rows = _rows()
    assert len({r["code"] for r in rows}) == len(rows) == len({r["name_zh"] for r in rows})
    assert all(len(r["code"]) == 12 and r["code"].startswith("330624") for r in rows)
    assert {r["kind"] for r in rows} <= {"街道", "镇", "乡"}
    assert len({(r["row"], r["col"]) for r in rows}) == len(rows)  # one tile per township


def test_migration_seeds_every_township(engine):
    with engine.connect() as conn:
        assert set(conn.execute(select(Township.code)).scalars()) == {r["code"] for r in _rows()}


def test_demo_places_every_firm_and_resource_mostly_in_the_county_seat(seeded_store):
    with seeded_store.connect() as conn:
        assert conn.execute(select(func.count()).where(Firm.township_code.is_(None))).scalar() == 0
        assert conn.execute(select(func.count()).where(Resource.township_code.is_(None))).scalar() == 0
        n_firms = conn.execute(select(func.count()).select_from(Firm)).scalar()
        n_res = conn.execute(select(func.count()).select_from(Resource)).scalar()
    df = q.townships(seeded_store)
    assert len(df) == len(_rows())
    assert df["firms"].sum() == n_firms and df["resources"].sum() == n_res
    assert (df["high_tech_firms"] <= df["firms"]).all()
    seat = df[df["name_zh"].isin(["南明街道", "七星街道", "羽林街道"])]
    assert seat["firms"].sum() > n_firms / 2 and seat["resources"].sum() > n_res / 2
    assert q.township_codes(seeded_store) == frozenset(df["code"])
    one = df.iloc[0]["code"]
    assert len(q.firms_in(seeded_store, one, None, None)) == df.iloc[0]["firms"]


def test_tile_map_labels_every_township_with_its_value_in_either_language():
    import pandas as pd
    from cockpit.figures.townships import tile_map
    df = pd.DataFrame(_rows()).astype({"row": int, "col": int})
    df["firms"] = range(len(df))
    for lang, col in (("zh", "name_zh"), ("en", "name_en")):
        trace = tile_map(df, "firms", lang).data[0]
        assert list(trace.customdata) == list(df["code"])
        for text, name, value in zip(trace.text, df[col], df["firms"]):
            assert text.split("<br>")[0] in name and f"<b>{value}</b>" in text
        assert trace.marker.symbol == "square"


def test_every_tile_label_reads_at_wcag_aa_contrast_on_its_tile():
    """Issue 13 #4: a township's name and value are black or white, whichever contrasts more with its tile; on
    cividis that is never under 4.5:1 (the old rule, light ink below 45% of the scale, gave 3.5:1 near it)."""
    import pandas as pd
    from cockpit.figures.townships import contrast, tile_map
    df = pd.DataFrame(_rows()).astype({"row": int, "col": int})
    df["firms"] = [i * 7 for i in range(len(df))]  # spread over the whole scale
    fig = tile_map(df, "firms", "zh")
    fills = [shape.fillcolor for shape in fig.layout.shapes]
    ratios = [contrast(ink, fill) for ink, fill in zip(fig.data[0].textfont.color, fills)]
    assert len(ratios) == len(df) and min(ratios) >= 4.5, ratios
    assert contrast("#000000", "#ffffff") == 21 and round(contrast("#777777", "#ffffff"), 2) == 4.48


def _segment(engine) -> tuple[str, str]:
    from etl.store import Segment
    with engine.connect() as conn:
        return tuple(conn.execute(select(Segment.chain_code, Segment.code).order_by(Segment.code)).first())


def _townships_of(engine) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(select(Firm.code, Firm.township_code)).all())


def test_a_sql_source_sends_firms_with_their_township_by_code_or_name_and_an_unknown_one_is_quarantined(
        engine, tmp_path):
    import sqlite3

    from etl import load
    from etl.sources import SqlQuerySource
    from etl.store import RejectedRow
    chain, segment = _segment(engine)
    db = tmp_path / "office.sqlite"
    with sqlite3.connect(db) as office:  # the county's own database: its column is 所在乡镇, names or codes
        office.execute("CREATE TABLE qy (dm TEXT, mc TEXT, mc_en TEXT, cy TEXT, hj TEXT, 所在乡镇 TEXT)")
        office.executemany("INSERT INTO qy VALUES (?, ?, ?, ?, ?, ?)", [
            ("X1", "甲公司", "A Co", chain, segment, "南明街道"), ("X2", "乙公司", "B Co", chain, segment, "330624004000"),
            ("X3", "丙公司", "C Co", chain, segment, "Qixing"), ("X4", "丁公司", "D Co", chain, segment, "火星镇"),
            ("X5", "戊公司", "E Co", chain, segment, None)])
    source = SqlQuerySource(f"sqlite:///{db}", "SELECT * FROM qy", kind="firms", columns={
        "code": "dm", "name_zh": "mc", "name_en": "mc_en", "chain_code": "cy", "segment_code": "hj"})
    result = load.run(engine, "office-firms", source)
    assert result.status == "success", result.error
    assert {k: v for k, v in _townships_of(engine).items() if k.startswith("X")} == {
        "X1": "330624002000", "X2": "330624004000", "X3": "330624003000", "X5": None}
    with engine.connect() as conn:
        (location, reason), = conn.execute(select(RejectedRow.location, RejectedRow.reason)
                                           .where(RejectedRow.run_id == result.run_id)).all()
    assert "unknown township" in reason and "所在乡镇" in reason and location.endswith("office.sqlite")


def test_an_http_source_sends_resources_with_a_township_field(engine, api):
    from faults.json_api import FAST, pages

    from etl import load
    from etl.sources import HttpJsonSource
    with engine.connect() as conn:
        kind = conn.exec_driver_sql("SELECT code FROM resource_types ORDER BY code").scalar()
    api.routes["/res"] = pages([{"id": "RX1", "zh": "检测中心", "en": "Test centre", "t": kind, "by": "县科技局",
                                 "town": {"name": "澄潭镇"}}])
    source = HttpJsonSource(api.url("/res"), {"code": "id", "name_zh": "zh", "name_en": "en", "type_code": "t",
                                              "provider": "by", "township_code": "town.name"}, kind="resources", **FAST)
    assert load.run(engine, "api-res", source).status == "success"
    with engine.connect() as conn:
        assert conn.execute(select(Resource.township_code).where(Resource.code == "RX1")).scalar() == "330624004000"  # 澄潭镇 merged into 澄潭街道
