"""Staged upserts store exactly what they were given, on SQLite and on PostgreSQL (binary COPY there): awkward text,
floats, NULL and microsecond timestamps; a re-run changes nothing and a changed value changes only its row."""
from __future__ import annotations

import time
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine, event, insert, select

from etl import load, migrate, staging
from etl.catalogue import read_catalogue
from etl.store import EtlRun, Matter, MatterCase, Observation, make_engine
from conftest import PG_ADMIN_URL

AWKWARD = ["tab\there", "new\nline", "cr\r\nlf", "back\\slash", "\\N", "\\.", 'double "quote"', "single 'quote'",
           "comma, semicolon;", "", " padded ", "新昌县科技局·研发投入", "emoji 🚀", "NULL", "\\\\t"]


def new_run(engine) -> int:
    with engine.begin() as conn:
        return conn.execute(insert(EtlRun).values(job="staging", source="test", started_at=datetime(2026, 1, 1))
                            ).inserted_primary_key[0]


def upsert(engine, model, frame, columns, keys) -> tuple[int, int]:
    run_id = new_run(engine)
    with engine.begin() as conn:
        return load.upsert_staged(conn, model, frame, columns, keys, run_id), run_id


def stored(engine, model, columns) -> dict:
    with engine.connect() as conn:
        rows = conn.execute(select(*[model.__table__.c[c] for c in columns + ["run_id"]])).all()
    return {tuple(r)[:-1]: r[-1] for r in rows}


def obs_frame() -> pd.DataFrame:
    n = len(AWKWARD)
    return pd.DataFrame({
        "indicator_code": "rd_intensity", "period": [f"{2000 + i}" for i in range(n)], "scope": ["county", "全县"] * (n // 2) + ["county"],
        "value": [0.1 + 0.2, 1e-300, 123456789.12345679, -0.0, 4.4, 1 / 3, 2.5e15] + [float(i) for i in range(n - 7)],
        "unit": "%", "source": list(reversed(AWKWARD)), "note": AWKWARD, "is_demo": False})


def expected(frame: pd.DataFrame, columns: list[str]) -> set:
    return {tuple(None if pd.isna(v) else v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in row)
            for row in frame[columns].astype(object).itertuples(index=False)}


def test_awkward_observations_round_trip_exactly_and_rerun_changes_nothing(engine):
    frame = obs_frame()
    changed, first_run = upsert(engine, Observation, frame, load.OBS_COLUMNS, load.OBS_KEY)
    assert changed == len(frame)
    rows = stored(engine, Observation, load.OBS_COLUMNS)
    assert set(rows) == expected(frame, load.OBS_COLUMNS)
    assert set(rows.values()) == {first_run}
    again, _ = upsert(engine, Observation, frame.sample(frac=1, random_state=3), load.OBS_COLUMNS, load.OBS_KEY)
    assert again == 0
    assert stored(engine, Observation, load.OBS_COLUMNS) == rows


def test_one_changed_value_changes_only_its_row_and_a_new_key_is_added(engine):
    frame = obs_frame()
    upsert(engine, Observation, frame, load.OBS_COLUMNS, load.OBS_KEY)
    before = stored(engine, Observation, load.OBS_COLUMNS)
    edited = frame.copy()
    edited.loc[3, "note"] = edited.loc[3, "note"] + "\t改"
    added = frame.iloc[[0]].assign(period="1999", note="new\\row\n")
    changed, run_id = upsert(engine, Observation, pd.concat([edited, added], ignore_index=True),
                             load.OBS_COLUMNS, load.OBS_KEY)
    assert changed == 2
    after = stored(engine, Observation, load.OBS_COLUMNS)
    touched = {k for k, r in after.items() if r == run_id}
    assert touched == expected(pd.concat([edited.iloc[[3]], added]), load.OBS_COLUMNS)
    assert {k: r for k, r in after.items() if r != run_id} == {k: r for k, r in before.items()
                                                                if k[1] != frame.loc[3, "period"]}


def case_frame() -> pd.DataFrame:
    n = len(AWKWARD)
    submitted = pd.Timestamp("2026-03-01 08:00:00") + pd.to_timedelta(np.arange(n) * 3_600_000_123, unit="us")
    stamp = pd.Series(submitted + pd.Timedelta(days=1, microseconds=7))
    return pd.DataFrame({
        "case_no": [f"C-{i}\t{AWKWARD[i]}" for i in range(n)], "matter_code": "m.one", "department_code": "kjj",
        "submitted_at": submitted, "accepted_at": stamp.where(np.arange(n) % 2 == 0),
        "completed_at": stamp.where(np.arange(n) % 3 == 0), "due_at": pd.Series([pd.NaT] * n, dtype="datetime64[ns]"),
        "status": ["accepted", "completed", "submitted"] * (n // 3), "source": AWKWARD, "is_demo": [True, False] * (n // 2) + [True]})


def test_awkward_cases_with_null_and_microsecond_timestamps_round_trip_exactly(engine):
    with engine.begin() as conn:
        load.upsert_rows(conn, Matter, [{"code": "m.one", "name_zh": "事项", "name_en": "Matter", "section": "matters",
                                         "department_code": "kjj", "promised_days": 5, "is_demo": False}])
    frame = case_frame()
    changed, _ = upsert(engine, MatterCase, frame, load.CASE_COLUMNS, ["case_no"])
    assert changed == len(frame)
    rows = stored(engine, MatterCase, load.CASE_COLUMNS)
    assert set(rows) == expected(frame, load.CASE_COLUMNS)
    assert upsert(engine, MatterCase, frame, load.CASE_COLUMNS, ["case_no"])[0] == 0
    frame.loc[4, "completed_at"] = pd.Timestamp("2026-04-01 12:00:00.000001")
    changed, run_id = upsert(engine, MatterCase, frame, load.CASE_COLUMNS, ["case_no"])
    assert changed == 1
    assert [k for k, r in stored(engine, MatterCase, load.CASE_COLUMNS).items() if r == run_id] == \
        [tuple(expected(frame.iloc[[4]], load.CASE_COLUMNS))[0]]


def test_a_batch_wide_value_travels_as_a_literal_and_still_round_trips(engine):
    for awkward in AWKWARD:
        frame = obs_frame().assign(note=awkward)
        assert upsert(engine, Observation, frame, load.OBS_COLUMNS, load.OBS_KEY)[0] > 0
        assert {k[6] for k in stored(engine, Observation, load.OBS_COLUMNS)} == {awkward}


def test_a_first_big_load_into_an_analysed_empty_store_takes_linear_time(engine):
    """Into an empty table with fresh statistics an INSERT that anti-joined its own table rescanned it per row."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE observations" if engine.dialect.name == "postgresql" else "ANALYZE")
    n = 40_000
    frame = pd.DataFrame({"indicator_code": "rd_intensity", "period": [f"{d:06d}" for d in range(n)], "scope": "county",
                          "value": np.arange(n) / 7, "unit": "%", "source": "s", "note": "", "is_demo": False})
    started = time.perf_counter()
    assert upsert(engine, Observation, frame, load.OBS_COLUMNS, load.OBS_KEY)[0] == n
    assert time.perf_counter() - started < 15  # linear: about a second here; the rescanning plan took minutes


def series(indicator: str, periods: range, value: float = 1.0) -> pd.DataFrame:
    return pd.DataFrame({"indicator_code": indicator, "period": [str(p) for p in periods], "scope": "county",
                         "value": value, "unit": "%", "source": "s", "note": "", "is_demo": False})


def test_a_batch_that_begins_or_ends_on_a_stored_key_updates_it(engine):
    """A batch is copied straight into the table only when no stored key lies within its key range, bounds
    included: one that starts or ends on a stored key goes through the stage (a copy would break the unique key)."""
    upsert(engine, Observation, series("rd_intensity", range(2005, 2006), 1.0), load.OBS_COLUMNS, load.OBS_KEY)
    changed, run_id = upsert(engine, Observation, series("rd_intensity", range(2005, 2011), 2.0),
                             load.OBS_COLUMNS, load.OBS_KEY)
    assert changed == 6
    changed, _ = upsert(engine, Observation, series("rd_intensity", range(2000, 2006), 2.0),
                        load.OBS_COLUMNS, load.OBS_KEY)
    assert changed == 5
    rows = stored(engine, Observation, ["period", "value"])
    assert set(rows) == {(str(p), 2.0) for p in range(2000, 2011)}
    assert rows[("2005", 2.0)] == run_id


def test_a_first_load_of_an_indicator_next_to_stored_ones_is_copied_straight_in(engine):
    """On PostgreSQL a batch none of whose keys can be stored skips the stage; its rows, run and literals arrive."""
    for indicator in ("gdp", "rd_spending"):  # sort before and after the new one
        upsert(engine, Observation, series(indicator, range(2000, 2010)), load.OBS_COLUMNS, load.OBS_KEY)
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    changed, run_id = upsert(engine, Observation, series("listed_firms", range(2000, 2010), 3.5).assign(note="新"),
                             load.OBS_COLUMNS, load.OBS_KEY)
    event.remove(engine, "before_cursor_execute", seen)
    assert changed == 10
    staged = any("CREATE TEMP TABLE" in s for s in statements)
    assert staged == (engine.dialect.name == "sqlite")
    rows = stored(engine, Observation, ["indicator_code", "period", "value", "note"])
    assert {k: r for k, r in rows.items() if k[0] == "listed_firms"} == \
        {("listed_firms", str(p), 3.5, "新"): run_id for p in range(2000, 2010)}
    assert len(rows) == 30


@pytest.fixture
def icu_engine(pg_database):
    """A migrated store in a PostgreSQL database whose text collation is ICU's en-US ('a' < 'B'), not code points."""
    name = f"{pg_database.rsplit('/', 1)[1]}_icu"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE \"{name}\" TEMPLATE template0 LOCALE_PROVIDER icu "
                             "ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
    engine = make_engine(pg_database.rsplit("/", 1)[0] + f"/{name}")
    migrate.prepare(engine, read_catalogue())
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.dispose()


def test_under_a_collation_unlike_python_order_a_stored_key_is_still_updated(icu_engine):
    """Python sorts 'B' before 'a', en-US the other way: the batch's first and last rows then do not bound it in
    the store's order, the range probe misses the stored key, and the COPY that breaks the unique key falls back."""
    upsert(icu_engine, Observation, series("rd_intensity", range(1)).assign(period="a"), load.OBS_COLUMNS, load.OBS_KEY)
    batch = pd.concat([series("rd_intensity", range(1), 2.0).assign(period=p) for p in ("a", "B", "c")])
    changed, run_id = upsert(icu_engine, Observation, batch, load.OBS_COLUMNS, load.OBS_KEY)
    assert changed == 3
    assert stored(icu_engine, Observation, ["period", "value"]) == {("a", 2.0): run_id, ("B", 2.0): run_id,
                                                                   ("c", 2.0): run_id}


def staged_rows(monkeypatch) -> list[int]:
    """The sizes of the batches that go through the stage, from here on."""
    sizes, stage = [], staging.stage
    monkeypatch.setattr(staging, "stage", lambda conn, name, like, columns, frame:
                        sizes.append(len(frame)) or stage(conn, name, like, columns, frame))
    return sizes


def test_new_keys_between_a_few_stored_ones_are_copied_and_only_the_stored_ones_staged(engine, monkeypatch):
    """A batch whose key range holds a few stored keys: on PostgreSQL its new rows go straight into the table and
    only its rows with stored keys through the stage; either way an unchanged one keeps its run, a changed one
    is updated, and a stored key the batch lacks is left alone."""
    _, old_run = upsert(engine, Observation, series("rd_intensity", range(2000, 2020, 5), 1.0),
                        load.OBS_COLUMNS, load.OBS_KEY)  # 2000, 2005, 2010, 2015
    batch = series("rd_intensity", range(2000, 2013), 1.0)
    batch.loc[batch["period"] == "2005", "value"] = 2.0
    sizes = staged_rows(monkeypatch)
    changed, run_id = upsert(engine, Observation, batch, load.OBS_COLUMNS, load.OBS_KEY)
    assert changed == 13 - 3 + 1  # ten new keys, 2005 changed; 2000 and 2010 unchanged
    assert sizes == ([3] if engine.dialect.name == "postgresql" else [13])
    rows = stored(engine, Observation, ["period", "value"])
    assert rows == {**{(str(p), 1.0): run_id for p in range(2000, 2013) if p not in (2000, 2005, 2010)},
                    ("2000", 1.0): old_run, ("2005", 2.0): run_id, ("2010", 1.0): old_run, ("2015", 1.0): old_run}


def test_a_batch_whose_range_holds_many_stored_keys_is_staged_whole(engine, monkeypatch):
    """More stored keys in the batch's range than a quarter of it (and than 1,000) are not fetched: the batch
    goes through the stage as it is."""
    upsert(engine, Observation, series("rd_intensity", range(3000), 1.0).assign(period=lambda f: f["period"].str.zfill(4)),
           load.OBS_COLUMNS, load.OBS_KEY)
    batch = series("rd_intensity", range(0, 3000, 100), 2.0).assign(period=lambda f: f["period"].str.zfill(4) + "x")
    sizes = staged_rows(monkeypatch)
    changed, run_id = upsert(engine, Observation, batch, load.OBS_COLUMNS, load.OBS_KEY)
    assert changed == 30 and sizes == [30]
    rows = stored(engine, Observation, ["period", "value"])
    assert len(rows) == 3030 and {k for k, r in rows.items() if r == run_id} == {(p, 2.0) for p in batch["period"]}
