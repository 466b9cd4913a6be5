"""Loads: idempotent upserts, the run record, rejected rows, and one transaction per run (SQLite and PostgreSQL)."""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from etl import load
from etl.sources.base import Batch, with_location
from etl.store import EtlRun, MatterCase, Observation, RejectedRow, data_version
from partial_stores import ListSource




def obs_batch(rows, location="mem.csv"):
    df = pd.DataFrame(rows, columns=["indicator", "period", "scope", "value"])
    return Batch("observations", location, with_location(df, location, first_row=2))


def observations(engine):
    with engine.connect() as conn:
        rows = conn.execute(select(Observation.indicator_code, Observation.period, Observation.scope,
                                   Observation.value, Observation.run_id)
                            .order_by(Observation.indicator_code, Observation.scope, Observation.period)).all()
    return [tuple(r) for r in rows]


def test_rerun_of_same_rows_changes_nothing(engine):
    batch = obs_batch([("rd_intensity", "2021", "county", "4.4"), ("listed_firms", "2021年", "全县", "16")])
    first = load.run(engine, "job", ListSource(batch))
    before = observations(engine)
    second = load.run(engine, "job", ListSource(batch))
    assert (first.rows_loaded, first.rows_unchanged) == (2, 0)
    assert (second.status, second.rows_loaded, second.rows_unchanged) == ("success", 0, 2)
    assert observations(engine) == before
    assert all(run_id == first.run_id for *_, run_id in before)


def test_changed_value_is_updated_and_records_its_run(engine):
    load.run(engine, "job", ListSource(obs_batch([("rd_intensity", "2021", "county", "4.4"),
                                                  ("rd_intensity", "2022", "county", "4.5")])))
    second = load.run(engine, "job", ListSource(obs_batch([("rd_intensity", "2021", "county", "4.41"),
                                                           ("rd_intensity", "2022", "county", "4.5")])))
    assert (second.rows_loaded, second.rows_unchanged) == (1, 1)
    rows = {r[1]: r for r in observations(engine)}
    assert rows["2021"][3] == pytest.approx(4.41) and rows["2021"][4] == second.run_id
    assert rows["2022"][4] != second.run_id


def test_bad_rows_are_quarantined_with_reason_and_location(engine):
    result = load.run(engine, "job", ListSource(obs_batch([
        ("rd_intensity", "2021", "county", "4.4"),
        ("no_such_indicator", "2021", "county", "1"),
        ("rd_intensity", "2021-13", "county", "x"),
    ], location="drop/a.csv")))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 1, 2)
    with engine.connect() as conn:
        rejected = conn.execute(select(RejectedRow.location, RejectedRow.row_number, RejectedRow.reason, RejectedRow.raw)
                                .order_by(RejectedRow.row_number)).all()
    assert [(r.location, r.row_number) for r in rejected] == [("drop/a.csv", 3), ("drop/a.csv", 4)]
    assert rejected[0].reason == "unknown indicator"
    assert rejected[1].reason == "unparseable period; unparseable value"
    assert "no_such_indicator" in rejected[0].raw


def test_a_run_that_fails_midway_leaves_the_data_as_it_was(engine, monkeypatch):
    load.run(engine, "job", ListSource(obs_batch([("rd_intensity", "2021", "county", "4.4")])))
    before, version = observations(engine), _version(engine)
    real = load.upsert_staged
    calls = []

    def failing(conn, model, *args, **kwargs):
        calls.append(model)
        if model is MatterCase:  # the second table of the run: observations were already written
            raise RuntimeError("disk full")
        return real(conn, model, *args, **kwargs)

    monkeypatch.setattr(load, "upsert_staged", failing)
    cases = pd.DataFrame({"case_no": ["C1"], "matter": ["M001"], "submitted_at": ["2021-01-01 09:00"]})
    with_matter = ListSource(
        obs_batch([("rd_intensity", "2021", "county", "9.9"), ("rd_intensity", "2023", "county", "4.6")]),
        Batch("cases", "mem", with_location(cases, "mem")))
    result = load.run(engine, "job", with_matter)
    assert calls == [Observation, MatterCase]
    assert result.status == "failed" and "disk full" in result.error
    assert observations(engine) == before
    assert _version(engine) == version
    with engine.connect() as conn:
        run = conn.execute(select(EtlRun).where(EtlRun.id == result.run_id)).one()
    assert run.status == "failed" and run.ended_at is not None


def test_source_failure_is_recorded_and_loads_nothing(engine):
    class Broken(ListSource):
        def extract(self, state):
            yield obs_batch([("rd_intensity", "2021", "county", "4.4")])
            raise ConnectionError("source went away")

    result = load.run(engine, "job", Broken())
    assert result.status == "failed" and "source went away" in result.error
    assert observations(engine) == []


def _version(engine):
    with engine.connect() as conn:
        return data_version(conn)


def test_data_version_moves_only_when_rows_change(engine):
    batch = obs_batch([("rd_intensity", "2021", "county", "4.4")])
    start = _version(engine)
    load.run(engine, "job", ListSource(batch))
    assert _version(engine) == start + 1
    load.run(engine, "job", ListSource(batch))
    assert _version(engine) == start + 1
    load.run(engine, "job", ListSource(obs_batch([("rd_intensity", "2021", "county", "4.5")])))
    assert _version(engine) == start + 2


def test_demo_history_loads_calibrated_and_flagged(seeded_store):
    with seeded_store.connect() as conn:
        latest = dict(conn.execute(select(Observation.indicator_code, Observation.value).where(
            Observation.scope == "county", Observation.period == "2025")).all())
        undemo = conn.execute(select(func.count()).select_from(Observation).where(~Observation.is_demo)).scalar()
        cases = conn.execute(select(func.count()).select_from(MatterCase)).scalar()
    assert latest["listed_firms"] == 16 and latest["innovation_resources"] == 385
    assert latest["departments_connected"] == 33 and latest["innovation_matters"] == 108
    assert latest["rd_intensity"] > 4 and latest["innovation_index_rank"] == 2
    assert undemo == 0 and cases > 50_000


def test_dimension_rows_missing_required_columns_are_rejected_and_unknown_columns_ignored(engine):
    firms = pd.DataFrame({"code": ["X1", "X2"], "name_zh": ["甲(示例)", None], "name_en": ["A", "B"],
                          "chain_code": ["bearings", "bearings"], "segment_code": ["bearings.steel"] * 2,
                          "listed": [False, False], "high_tech": [True, False], "colour": ["red", "blue"]})
    result = load.run(engine, "dims", ListSource(Batch("firms", "api", with_location(firms, "api"))))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 1, 1)
    with engine.connect() as conn:
        reason = conn.execute(select(RejectedRow.reason, RejectedRow.row_number)).one()
    assert "name_zh" in reason.reason and reason.row_number == 2


def test_a_failing_clean_up_does_not_undo_a_committed_run(engine):
    class Fussy(ListSource):
        def finish(self, batches, committed):
            raise PermissionError("read-only folder")

    result = load.run(engine, "job", Fussy(obs_batch([("rd_intensity", "2021", "county", "4.4")])))
    assert result.status == "success" and observations(engine)


def test_a_committed_run_stays_a_success_when_sqlites_optimize_finds_the_store_locked(tmp_path):
    """PRAGMA optimize after the commit is upkeep: a concurrent writer's lock made it raise out of a run whose rows
    were already committed (seen as a flaky 'database is locked' under four concurrent loads)."""
    import sqlite3

    from sqlalchemy import event

    from etl import migrate
    from etl.catalogue import read_catalogue
    from etl.store import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 's.sqlite'}")
    migrate.prepare(engine, read_catalogue())

    @event.listens_for(engine, "before_cursor_execute")
    def _locked(conn, cursor, statement, *args):
        if statement.startswith("PRAGMA optimize"):
            raise sqlite3.OperationalError("database is locked")

    result = load.run(engine, "job", ListSource(obs_batch([("rd_intensity", "2021", "county", "4.4")])))
    assert (result.status, result.rows_loaded) == ("success", 1)
    assert observations(engine) == [("rd_intensity", "2021", "county", 4.4, result.run_id)]
