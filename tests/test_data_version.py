"""The data version is a counter each transaction that commits new data advances just before its commit: it moves
whichever run commits last (run ids are taken when runs start), one step per committing run, never back, even
with runs committing at once; a run that changes nothing leaves it (real SQLite files and PostgreSQL)."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import cachelib.simple
import pandas as pd
import pytest

from cockpit import create_app
from cockpit.cache import VERSION_TTL, current_version
from etl import load
from etl.catalogue import read_catalogue
from etl.sources.base import Batch, with_location
from etl.store import data_version
from partial_stores import ListSource

WAIT = 30  # seconds before a held thread counts as stuck (never reached when the loads do not block each other)
INDICATORS = ("rd_intensity", "gdp", "listed_firms", "innovation_index_rank")




def batch(indicator, value, period="2021"):
    df = pd.DataFrame([(indicator, period, "county", str(value))], columns=["indicator", "period", "scope", "value"])
    return Batch("observations", f"{indicator}.csv", with_location(df, f"{indicator}.csv", first_row=2))


def two_batches(indicator, value):
    """Two batches, so a run held before its second one has written rows inside its open transaction."""
    return ListSource(batch(indicator, value, "2021"), batch(indicator, value, "2022"))


def held_at(stage: str, wait):
    """A progress hook that calls `wait()` once, at `stage`: "extract" (the run has its id, no transaction is open
    yet) or "load" before the second batch (inside the run's transaction, its first batch's rows written)."""
    nth = {"extract": 1, "load": 2}[stage]
    seen = []

    def progress(message):
        if message.startswith(stage):
            seen.append(message)
            if len(seen) == nth:
                wait()
    return progress


def version(engine) -> int:
    with engine.connect() as conn:
        return data_version(conn)


def _stages(engine):
    """Where a run can be held while another commits: inside its transaction only on PostgreSQL (on SQLite the
    held transaction has the write lock, so the other run would wait for it)."""
    return ["extract"] + (["load"] if engine.dialect.name == "postgresql" else [])


def test_a_run_that_started_first_and_commits_last_moves_the_version(engine):
    for stage in _stages(engine):
        reached, release = threading.Event(), threading.Event()

        def hold():
            reached.set()
            assert release.wait(WAIT)

        with ThreadPoolExecutor(2) as pool:
            try:
                first = pool.submit(load.run, engine, f"long-{stage}", two_batches("rd_intensity", f"4.{len(stage)}"),
                                    progress=held_at(stage, hold))
                assert reached.wait(WAIT)
                # the later run must not wait for the held one (on PostgreSQL: the version's row is not locked yet)
                later = pool.submit(load.run, engine, f"short-{stage}", ListSource(batch("gdp", len(stage))))
                short = later.result(WAIT)
                after_short = version(engine)
            finally:
                release.set()
            long = first.result(WAIT)
        assert long.status == short.status == "success" and long.run_id < short.run_id
        assert long.rows_loaded == 2 and short.rows_loaded == 1
        assert version(engine) == after_short + 1, f"held at {stage}: the last commit must move the version"


def test_concurrent_loads_advance_one_step_each_and_never_back(engine):
    runs = len(INDICATORS)
    for _ in range(2):  # the second run takes an id and changes nothing: the version is no run's id
        load.run(engine, "warm-up", ListSource(batch("rd_intensity", 1)))
    before = version(engine)
    seen, done = [], threading.Event()

    def poll():  # what the walls see while the runs commit
        while not done.is_set():
            seen.append(version(engine))

    for stage in _stages(engine):  # on PostgreSQL also with every run's transaction open at once, then all commit
        barrier = threading.Barrier(runs, timeout=WAIT)
        with ThreadPoolExecutor(runs + 1) as pool:
            poller = pool.submit(poll)
            try:
                futures = [pool.submit(load.run, engine, f"job-{i}-{stage}", two_batches(code, f"{i}.{len(stage)}"),
                                       progress=held_at(stage, barrier.wait)) for i, code in enumerate(INDICATORS)]
                results = [f.result(WAIT) for f in futures]  # a deadlock or a queue for the version: a timeout
            finally:
                done.set()
            poller.result(WAIT)
            done.clear()
        assert [r.status for r in results] == ["success"] * runs, [r.error for r in results]
    assert version(engine) == before + runs * len(_stages(engine))
    assert seen == sorted(seen) and before <= seen[0] and seen[-1] <= version(engine)


def test_a_run_that_changes_nothing_leaves_the_version(engine):
    load.run(engine, "job", ListSource(batch("rd_intensity", 4.4)))
    start = version(engine)
    assert load.run(engine, "job", ListSource(batch("rd_intensity", 4.4))).rows_unchanged == 1  # same rows again
    rejected = load.run(engine, "job", ListSource(batch("no_such_indicator", 1)))
    assert rejected.status == "success" and rejected.rows_rejected == 1 and rejected.rows_loaded == 0

    class Broken(ListSource):
        def extract(self, state):
            yield batch("gdp", 480)
            raise ConnectionError("source went away")
    assert load.run(engine, "job", Broken()).status == "failed"
    assert version(engine) == start
    load.run(engine, "job", ListSource(batch("rd_intensity", 4.5)))
    assert version(engine) == start + 1


def test_reference_seeding_moves_the_version_only_when_it_changes_rows(engine):
    catalogue = read_catalogue()
    start = version(engine)
    load.seed_reference(engine, catalogue)  # every process start seeds: unchanged, nothing to redraw
    assert version(engine) == start
    indicator = next(i for i in catalogue["indicators"] if i["code"] == "rd_intensity")
    indicator["target"] = (indicator.get("target") or 0) + 1  # a new target shows on the screens
    load.seed_reference(engine, catalogue)
    assert version(engine) == start + 1


def test_the_cockpit_cache_sees_the_late_commit_after_its_ttl(store_url, engine, tmp_path, monkeypatch):
    """The walls' view: after the long run commits last, the version the cockpit serves moves once VERSION_TTL
    has passed (the cache's clock is injected)."""
    clock = [1_000_000.0]
    monkeypatch.setattr(cachelib.simple, "time", lambda: clock[0])
    app = create_app(DATABASE_URL=store_url, COCKPIT_DATA_DIR=tmp_path)
    reached, release = threading.Event(), threading.Event()

    def hold():
        reached.set()
        assert release.wait(WAIT)

    with app.server.app_context(), ThreadPoolExecutor(1) as pool:
        try:
            first = pool.submit(load.run, engine, "long", two_batches("rd_intensity", 4.4),
                                progress=held_at("extract", hold))
            assert reached.wait(WAIT)
            assert load.run(engine, "short", ListSource(batch("gdp", 471))).status == "success"
            shown = current_version(engine)
        finally:
            release.set()
        assert first.result(WAIT).status == "success"
        assert current_version(engine) == shown  # held for VERSION_TTL
        clock[0] += VERSION_TTL + 1
        assert current_version(engine) == shown + 1


def test_two_loads_of_the_same_rows_queue_on_postgresql_without_deadlock(engine):
    """Both runs change one stored row: the later waits for the held one's row lock, then both commit, one step
    each (the version's row is locked only by the run about to commit, which waits for nothing else)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one write lock")
    from sqlalchemy import text
    load.run(engine, "seed", ListSource(batch("rd_intensity", 1, "2021"), batch("rd_intensity", 1, "2022")))
    start = version(engine)
    reached, release = threading.Event(), threading.Event()

    def hold():
        reached.set()
        assert release.wait(WAIT)

    def waiting() -> int:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND wait_event_type = 'Lock'")).scalar()

    with ThreadPoolExecutor(2) as pool:
        try:
            first = pool.submit(load.run, engine, "one", two_batches("rd_intensity", 2), progress=held_at("load", hold))
            assert reached.wait(WAIT)
            second = pool.submit(load.run, engine, "two", ListSource(batch("rd_intensity", 3, "2021")))
            deadline = time.monotonic() + WAIT
            while not waiting():  # the second run waits for the first one's row
                assert time.monotonic() < deadline and not second.done(), "the second run did not wait for the row"
        finally:
            release.set()
        results = [first.result(WAIT), second.result(WAIT)]
    assert [r.status for r in results] == ["success", "success"], [r.error for r in results]
    assert version(engine) == start + 2
