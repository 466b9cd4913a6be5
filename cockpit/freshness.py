"""What the wall's freshness stamp is judged on, per job of the schedule: its newest success, and whether it has
failed since (a job that never succeeded but has failed is red from its first failure; a partial run counts as a
failure). The judging itself runs in the browser (assets/clientside.js freshnessLevel), against the server clock."""
from __future__ import annotations

from sqlalchemy import case, func, select

from etl.store import EtlRun


def job_outcomes(engine) -> dict[str, tuple]:
    """{job: (end of its newest success or None, end of its newest failed or partial run or None)}."""
    ended = EtlRun.status.in_(("failed", "partial"))
    stmt = (select(EtlRun.job, func.max(case((EtlRun.status == "success", EtlRun.ended_at))),
                   func.max(case((ended, EtlRun.ended_at))))
            .group_by(EtlRun.job))
    with engine.connect() as conn:
        return {job: (ok, bad) for job, ok, bad in conn.execute(stmt).all()}


def poll_jobs(outcomes: dict[str, tuple], schedule: list[list], epoch) -> list[list]:
    """[name, last success (epoch s or None), interval s, failed since the last success (bool)] per scheduled job."""
    rows = []
    for name, interval in schedule:
        ok, bad = outcomes.get(name, (None, None))
        failed = bad is not None and (ok is None or bad > ok)
        rows.append([name, epoch(ok), interval, failed])
    return rows
