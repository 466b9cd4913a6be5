"""build_scheduler() and the run-once lock; a scheduler is started only by the process that owns it."""
from __future__ import annotations

import logging
import os
import socket
import time
import zlib
from contextlib import contextmanager
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import and_, or_, text, update
from sqlalchemy.dialects import postgresql, sqlite

from etl import clock, load
from etl.requests import REQUEST_POLL, take_requests
from etl.jobs import Job
from etl.store import JobLock

log = logging.getLogger(__name__)
OWNER = f"{socket.gethostname()}:{os.getpid()}"
LOCK_TTL = timedelta(hours=1)  # a crashed holder's lock row expires after this
_UNRELEASED: set[str] = set()  # jobs whose lock row this process could not release (the store was down)


def _ensure_row(conn, job: str) -> None:
    ins = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(JobLock)
    conn.execute(ins.values(job=job, last_tick="").on_conflict_do_nothing(index_elements=["job"]))


def claim(engine, job: str, tick: str | None, owner: str = OWNER) -> bool:
    """Take the job's lock row for one run. With a tick, only the first claimant of that tick wins, so a job runs
    once per tick however many schedulers are running; without one (a manual run) only the lock is taken."""
    now = clock.utc_now()  # locked_until is naive UTC, as every stamp in the store
    with engine.begin() as conn:
        _ensure_row(conn, job)
        cond = [JobLock.job == job, or_(JobLock.locked_until.is_(None), JobLock.locked_until < now)]
        values = {"owner": owner, "locked_until": now + LOCK_TTL}
        if tick is not None:
            cond.append(JobLock.last_tick < tick)
            values["last_tick"] = tick
        return conn.execute(update(JobLock).where(and_(*cond)).values(**values)).rowcount == 1


def release(engine, job: str, owner: str = OWNER) -> None:
    with engine.begin() as conn:
        conn.execute(update(JobLock).where(JobLock.job == job, JobLock.owner == owner)
                     .values(owner=None, locked_until=None))


@contextmanager
def advisory_lock(engine, job: str):
    """On PostgreSQL also hold a session advisory lock for the run (yields False when another holds it)."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = zlib.crc32(f"cockpit-job:{job}".encode())
    with engine.connect() as conn:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        try:
            yield bool(got)
        finally:
            try:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
            except Exception:  # the connection is gone, and a session's advisory locks went with it
                log.warning("job %s: advisory lock connection lost", job)


def run_job(engine, job: Job, tick: str | None = None, sleep=time.sleep) -> load.RunResult | None:
    """Run `job` once if this process wins its lock; retries a failing source with doubling backoff.
    Returns the last run's result, or None when another process has (or had) this tick."""
    if job.name in _UNRELEASED:  # our own run is over; without this the job would wait out LOCK_TTL
        release(engine, job.name)
        _UNRELEASED.discard(job.name)
    if not claim(engine, job.name, tick):
        log.info("job %s tick %s: taken by another process", job.name, tick)
        return None
    try:
        with advisory_lock(engine, job.name) as got:
            if not got:
                return None
            load.close_interrupted(engine, job.name)
            for attempt in range(job.retries + 1):
                result = load.run(engine, job.name, job.make_source())
                log.info("job %s run %s: %s read=%s loaded=%s unchanged=%s rejected=%s%s", job.name, result.run_id,
                         result.status, result.rows_read, result.rows_loaded, result.rows_unchanged,
                         result.rows_rejected, f" error={result.error}" if result.error else "")
                if result.status in ("success", "held") or result.refused or attempt == job.retries:  # held: a check
                    return result
                sleep(job.retry_backoff * 2 ** attempt)
    finally:
        try:
            release(engine, job.name)
        except Exception:
            log.exception("job %s: lock not released; released before this process runs it again", job.name)
            _UNRELEASED.add(job.name)
    return result


def _grace(job: Job) -> int:
    return int(max(1, min(300, job.interval_seconds() / 2)))


def _scheduled_tick(job: Job, trigger) -> str:
    """The fire time this run belongs to: the first fire time after now minus the misfire grace, in UTC (the same
    text in every process, whatever its clock's zone)."""
    fire = trigger.get_next_fire_time(None, clock.aware_now() - timedelta(seconds=_grace(job)))
    return clock.stored(fire).strftime("%Y-%m-%dT%H:%M:%S")


def build_scheduler(engine, jobs: list[Job], blocking: bool = False, extra: tuple = ()):
    """A scheduler with every job: coalesced, one instance each, a misfire grace of half its interval. `extra`:
    (name, seconds, callable) tasks the read side adds (the alerts check), each run once per interval tick however
    many schedulers run (the same lock rows as the jobs)."""
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(
        timezone=clock.zone(), job_defaults={"coalesce": True, "max_instances": 1},
        executors={"default": {"type": "threadpool", "max_workers": 4}})
    for job in jobs:
        trigger = job.make_trigger()
        scheduler.add_job(lambda j=job, t=trigger: run_job(engine, j, _scheduled_tick(j, t)), trigger,
                          id=job.name, name=job.name, misfire_grace_time=_grace(job), replace_existing=True)
    scheduler.add_job(run_requested, "interval", seconds=REQUEST_POLL, args=(engine, jobs), id="run-requests",
                      name="run-requests", replace_existing=True)
    for name, seconds, task in extra:
        scheduler.add_job(run_task, "interval", seconds=seconds, args=(engine, name, seconds, task), id=name,
                          name=name, misfire_grace_time=max(1, int(seconds / 2)), replace_existing=True)
    return scheduler


def run_task(engine, name: str, seconds: float, task) -> bool:
    """Run `task()` once for this interval tick, under the lock row of `name`; False when another scheduler
    already ran this tick (or holds the lock). A failing task is logged; the next tick tries again."""
    tick = f"{int(clock.utc_now().timestamp() // seconds):012d}"
    if not claim(engine, name, tick):
        return False
    try:
        task()
    except Exception:
        log.exception("task %s failed", name)
    finally:
        release(engine, name)
    return True


def run_requested(engine, jobs: list[Job]) -> list[str]:
    """Run the jobs the ops page asked for ("run now"), each under its lock; the names run."""
    by_name = {j.name: j for j in jobs}
    ran = []
    for name in take_requests(engine):
        if name in by_name:
            try:
                run_job(engine, by_name[name])
                ran.append(name)
            except Exception:  # one failing job must not stop the others; its run record says why
                log.exception("requested run of %s failed", name)
        else:
            log.warning("run requested for %s, which is not in the schedule", name)
    return ran
