"""What a run records: success, partial (some files refused, the rest visible) or failed, and the day it judges
periods by."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from etl import load
from etl.sources import FileDropSource
from etl.store import Observation, RejectedRow, data_version


def _values(engine):
    with engine.connect() as conn:
        return conn.execute(select(Observation.period, Observation.value).order_by(Observation.period)).all()


def test_a_run_that_refused_some_files_is_partial_and_its_rows_show(engine, drop):
    (drop / "good.csv").write_text("indicator,period,scope,value\ngdp,2020,county,471\n", encoding="utf-8")
    (drop / "bad.csv").write_text("indicator,period,value\ngdp,2021,480\n", encoding="utf-8")
    with engine.connect() as conn:
        before = data_version(conn)
    result = load.run(engine, "drop", FileDropSource(folder=str(drop), move=False, settle_seconds=0))
    assert result.status == "partial"
    assert "bad.csv" in result.error and "good.csv" not in result.error
    assert _values(engine) == [("2020", 471.0)]
    with engine.connect() as conn:
        assert data_version(conn) > before  # its rows are visible, so screens must move


def test_a_run_whose_every_file_was_refused_failed(engine, drop):
    (drop / "bad.csv").write_text("indicator,period,value\ngdp,2021,480\n", encoding="utf-8")
    result = load.run(engine, "drop", FileDropSource(folder=str(drop), move=False, settle_seconds=0))
    assert result.status == "failed" and "bad.csv" in result.error and "store.sqlite" not in result.error


def test_future_periods_are_judged_by_the_injected_day(engine, drop):
    (drop / "a.csv").write_text("indicator,period,scope,value\nrd_intensity,2026,county,3.9\n"
                                    "rd_intensity,2028,county,4.5\n", encoding="utf-8")
    source = FileDropSource(folder=str(drop), move=False, settle_seconds=0)
    result = load.run(engine, "drop", source, today=date(2026, 12, 2))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 1, 1)
    with engine.connect() as conn:
        assert conn.execute(select(RejectedRow.row_number, RejectedRow.reason)).all() == [
            (3, "future period: it begins after today (2026-12-02)")]
    result = load.run(engine, "drop", source, today=date(2028, 1, 1))
    assert result.rows_loaded == 1 and _values(engine) == [("2026", 3.9), ("2028", 4.5)]
