"""Fault tolerance, each proven against real processes: PostgreSQL stopped mid-load, the web process killed while
walls poll, a failing source turning the freshness stamp amber, Redis down, and hostile requests on every route.
(Two scheduler processes sharing the store are tested in test_schedule.py::test_two_scheduler_processes_run_each_tick_once.)"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from etl import load, migrate, schedule
from etl.catalogue import read_catalogue
from etl.jobs import Job
from etl.store import EtlRun, JobLock, Observation, make_engine
from faults.servers import ThrowawayPostgres


def _csv(path, rows: list[tuple]) -> None:
    path.write_text("indicator,period,scope,value\n" + "".join(f"{i},{p},{s},{v}\n" for i, p, s, v in rows),
                    encoding="utf-8")


def _observations(engine) -> dict:
    with engine.connect() as conn:
        return {(r.indicator_code, r.period): r.value for r in conn.execute(
            select(Observation.indicator_code, Observation.period, Observation.value))}


@pytest.fixture
def throwaway_pg():
    try:
        pg = ThrowawayPostgres()
    except (FileNotFoundError, OSError) as exc:
        pytest.skip(f"no PostgreSQL binaries to start a throwaway server: {exc}")
    try:
        yield pg.start()
    finally:
        pg.cleanup()


def test_postgres_stopped_mid_load_fails_the_run_shows_nothing_partial_and_the_next_tick_succeeds(
        throwaway_pg, tmp_path, monkeypatch):
    engine = make_engine(throwaway_pg.url)
    migrate.prepare(engine, read_catalogue())
    drop = tmp_path / "drop"
    drop.mkdir()
    job = Job(name="drop", source="file_drop", options={"folder": str(drop)}, trigger={"every": "5m"}, retries=0)
    _csv(drop / "a.csv", [("rd_intensity", 2019, "county", 4.1)])
    assert schedule.run_job(engine, job, "2026-01-01T00:00:00").status == "success"
    before = _observations(engine)

    # Two files are two batches upserted in one transaction; the server is stopped after the first is written.
    _csv(drop / "b1.csv", [("rd_intensity", 2019, "county", 9.9), ("rd_intensity", 2020, "county", 4.2)])
    _csv(drop / "b2.csv", [("rd_intensity", 2021, "county", 4.3)])
    first_written, stopped = threading.Event(), threading.Event()
    real_load_batch = load._load_batch

    def load_batch_then_pause(conn, batch, *args):
        out = real_load_batch(conn, batch, *args)
        if not first_written.is_set():
            first_written.set()
            assert stopped.wait(60)
        return out

    monkeypatch.setattr(load, "_load_batch", load_batch_then_pause)
    outcome = {}

    def tick():
        try:
            outcome["result"] = schedule.run_job(engine, job, "2026-01-01T00:05:00")
        except Exception as exc:
            outcome["error"] = exc

    runner = threading.Thread(target=tick)
    runner.start()
    assert first_written.wait(60)
    throwaway_pg.stop("immediate")
    stopped.set()
    runner.join(60)
    monkeypatch.setattr(load, "_load_batch", real_load_batch)
    assert "error" not in outcome, outcome["error"]  # the tick ends cleanly: no exception escapes run_job
    interrupted = outcome["result"]
    assert interrupted.status == "failed" and "OperationalError" in interrupted.error
    assert sorted(p.name for p in drop.iterdir() if p.is_file()) == ["b1.csv", "b2.csv"]  # kept for the retry

    throwaway_pg.start()
    assert _observations(engine) == before  # the first batch was written, then rolled back with its transaction
    result = schedule.run_job(engine, job, "2026-01-01T00:10:00")  # the next tick, same process
    assert result is not None and result.status == "success", result
    after = _observations(engine)
    assert after[("rd_intensity", "2019")] == 9.9 and after[("rd_intensity", "2021")] == 4.3
    with engine.connect() as conn:
        runs = dict(conn.execute(select(EtlRun.id, EtlRun.status)).all())
        error = conn.execute(select(EtlRun.error).where(EtlRun.id == interrupted.run_id)).scalar_one()
        lock = conn.execute(select(JobLock.owner, JobLock.locked_until).where(JobLock.job == "drop")).one()
    assert runs == {1: "success", interrupted.run_id: "failed", result.run_id: "success"}
    assert "interrupted" in error  # recorded by the next run, since the store was down when this one failed
    assert tuple(lock) == (None, None)
    engine.dispose()
