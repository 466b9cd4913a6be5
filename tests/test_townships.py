"""Townships as a dimension (migration 0017, data/townships.csv) and the per-township query, SQLite + PostgreSQL."""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import func, select

from cockpit.queries import townships as q
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
    assert len(q.firms_in(seeded_store, one)) == df.iloc[0]["firms"]


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
