""""Run now" as a request: the ops page writes one, the scheduler's process takes it within REQUEST_POLL seconds and
runs the job under its lock. Taking is a conditional UPDATE, so of several schedulers (or a retried poll) exactly
one runs each request."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update

from etl import clock
from etl.store import RunRequest

REQUEST_POLL = 2  # seconds between the scheduler's looks at the request table


def _now() -> datetime:
    return clock.utc_now()


def request_run(engine, job: str, requested_by: str = "", now: datetime | None = None) -> int:
    """Ask the scheduler's process to run `job` now; the request's id."""
    with engine.begin() as conn:
        return conn.execute(insert(RunRequest).values(job=job, requested_by=requested_by[:64],
                                                      requested_at=now or _now())).inserted_primary_key[0]


def take_requests(engine, now: datetime | None = None) -> list[str]:
    """The jobs of the pending requests this caller took (each at most once, oldest first)."""
    taken = []
    with engine.begin() as conn:
        pending = conn.execute(select(RunRequest.id, RunRequest.job).where(RunRequest.taken_at.is_(None))
                               .order_by(RunRequest.id)).all()
        for rid, job in pending:
            done = conn.execute(update(RunRequest).where(RunRequest.id == rid, RunRequest.taken_at.is_(None))
                                .values(taken_at=now or _now()))
            if done.rowcount == 1 and job not in taken:
                taken.append(job)
    return taken
