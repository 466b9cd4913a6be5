"""The scheduler: jobs from the schedule file, the run-once lock, retries, and two scheduler processes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlalchemy import select

from etl import schedule
from etl.jobs import GRID_START, Job, read_jobs
from etl.store import EtlRun


def test_schedule_file_jobs_are_valid():
    jobs = read_jobs("data/schedule.toml")
    assert {j.name for j in jobs} >= {"demo-history", "demo-live-feed", "file-drop"}
    feed = next(j for j in jobs if j.name == "demo-live-feed")
    assert feed.interval_seconds() == 60
    assert next(j for j in jobs if j.name == "demo-history").interval_seconds() == 86400


def test_bad_schedule_file_is_refused_with_a_reason(tmp_path):
    bad = tmp_path / "s.toml"
    bad.write_text('[[jobs]]\nname = "x"\nsource = "nope"\ntrigger = { every = "5m" }\n')
    with pytest.raises(ValueError, match="unknown source 'nope'"):
        read_jobs(bad)
    bad.write_text('[[jobs]]\nname = "x"\nsource = "demo"\ntrigger = { every = "soon" }\n')
    with pytest.raises(ValueError, match="every"):
        read_jobs(bad)


def test_a_tick_is_claimed_once(engine):
    assert schedule.claim(engine, "job", "2026-01-01T00:00:00", owner="a")
    schedule.release(engine, "job", owner="a")
    assert not schedule.claim(engine, "job", "2026-01-01T00:00:00", owner="b")
    assert schedule.claim(engine, "job", "2026-01-01T00:01:00", owner="b")
    # held by b: a manual run by a must wait until b releases
    assert not schedule.claim(engine, "job", None, owner="a")
    schedule.release(engine, "job", owner="b")
    assert schedule.claim(engine, "job", None, owner="a")


def test_failing_source_is_retried_with_doubling_backoff(engine, tmp_path):
    job = Job(name="api", source="http_json", retries=2, retry_backoff=0.5, trigger={"every": "5m"},
              options={"url": "http://127.0.0.1:9/none", "fields": {"indicator": "i"}, "retries": 0,
                       "timeout": 0.5})
    slept = []
    result = schedule.run_job(engine, job, sleep=slept.append)
    assert result.status == "failed"
    assert slept == [0.5, 1.0]
    with engine.connect() as conn:
        statuses = conn.execute(select(EtlRun.status).where(EtlRun.job == "api")).scalars().all()
    assert statuses == ["failed"] * 3


def test_two_scheduler_processes_run_each_tick_once(store_url, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    sched = tmp_path / "schedule.toml"
    sched.write_text('[[jobs]]\nname = "tick"\nsource = "file_drop"\noptions = { folder = "drop" }\n'
                     'trigger = { every = "2s" }\n')
    env = dict(os.environ, DATABASE_URL=store_url, COCKPIT_SCHEDULE=str(sched))
    procs = [subprocess.Popen([sys.executable, "-m", "cockpit.cli", "scheduler"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    from etl.store import make_engine
    engine = make_engine(store_url)

    def runs():
        with engine.connect() as conn:
            return conn.execute(select(EtlRun.started_at).where(EtlRun.job == "tick")).scalars().all()

    try:
        deadline = time.time() + 60  # start-up is slow on a busy machine: wait for ticks, not for a fixed time
        while len(runs()) < 4 and time.time() < deadline:
            time.sleep(0.5)
        time.sleep(2.5)  # one more tick with both schedulers surely up
    finally:
        for p in procs:
            p.send_signal(signal.SIGINT)
        for p in procs:
            p.wait(timeout=10)
    started = runs()
    engine.dispose()
    ticks = Counter(int((t - GRID_START).total_seconds()) // 2 for t in started)
    assert len(started) >= 4, started
    assert max(ticks.values()) == 1, f"a tick ran twice: {sorted(ticks.items())}"
