"""What the operations page and the wall's freshness stamp read, as plain data: each job's schedule, last run,
next run and freshness, the rejected rows with their reasons, the files a file drop refused (failed/ with their
.error.txt), and per job its newest success and whether it failed since (the wall's stamp: a job that never
succeeded but has failed is red from its first failure; a partial run counts as a failure; the judging itself runs
in the browser, assets/clientside.js freshnessLevel, against the server clock)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
from sqlalchemy import String, case, cast, func, select

from cockpit.queries._sql import connection, frame
from etl import clock
from etl.jobs import Job
from etl.store import AlertSend, EtlRun, RejectedRow, User

AMBER, RED = 2, 4  # x the job's interval without a success, as the wall's freshness stamp (assets/clientside.js)
REJECTED_COLUMNS = ["run_id", "job", "location", "row_number", "reason", "raw", "loaded_at", "is_demo"]
ERROR_TEXT_MAX = 2000


def schedule_text(job: Job) -> str:
    """The trigger as the schedule file writes it: `every 5m` or `cron 5 0 * * *`."""
    if "every" in job.trigger:
        return f"every {job.trigger['every']}"
    return f"cron {job.trigger.get('cron', '')}"


def freshness(last_success: datetime | None, interval_s: float, now: datetime) -> str:
    """ok | amber | red | never: how long since the job's last success, in intervals."""
    if last_success is None:
        return "never"
    ratio = (now - last_success).total_seconds() / max(interval_s, 1.0)
    return "red" if ratio > RED else "amber" if ratio > AMBER else "ok"


def job_status(engine, jobs: list[Job], now: datetime | None = None) -> pd.DataFrame:
    """One row per job of the schedule: its trigger, its newest run (any outcome), its newest success, the next
    fire time and the freshness level. Runs of jobs no longer in the schedule are left out. Times are naive UTC,
    as stored (`now` too); the page shows them in COCKPIT_TZ."""
    now = now or clock.utc_now()
    names = [j.name for j in jobs]
    success = (select(EtlRun.job, func.max(EtlRun.ended_at).label("at"))
               .where(EtlRun.job.in_(names), EtlRun.status == "success").group_by(EtlRun.job))
    with connection(engine) as conn:
        last_ok = dict(conn.execute(success).all())
        runs = {r.job: r for r in _newest_runs(conn, names)}
    rows = []
    for job in jobs:
        run = runs.get(job.name)
        interval = job.interval_seconds()
        fire = job.make_trigger().get_next_fire_time(None, now.replace(tzinfo=timezone.utc))
        rows.append({
            "job": job.name, "source": job.source, "schedule": schedule_text(job), "interval_s": interval,
            "run_id": run.id if run else None, "status": run.status if run else None,
            "started_at": run.started_at if run else None, "ended_at": run.ended_at if run else None,
            "rows_read": run.rows_read if run else 0, "rows_loaded": run.rows_loaded if run else 0,
            "rows_unchanged": run.rows_unchanged if run else 0, "rows_rejected": run.rows_rejected if run else 0,
            "error": (run.error or "") if run else "", "last_success": last_ok.get(job.name),
            "next_run": clock.stored(fire) if fire else None,
            "freshness": freshness(last_ok.get(job.name), interval, now),
        })
    return pd.DataFrame(rows)


def rejected_rows(engine, job: str | None = None, limit: int | None = 200) -> pd.DataFrame:
    """Rejected rows with their reasons, newest run first; `job` narrows to one job's runs."""
    stmt = (select(RejectedRow.run_id, EtlRun.job, RejectedRow.location, RejectedRow.row_number, RejectedRow.reason,
                   RejectedRow.raw, EtlRun.ended_at.label("loaded_at"), EtlRun.is_demo)
            .join(EtlRun, EtlRun.id == RejectedRow.run_id)
            .order_by(RejectedRow.run_id.desc(), RejectedRow.id))
    if job:
        stmt = stmt.where(EtlRun.job == job)
    if limit:
        stmt = stmt.limit(limit)
    return frame(engine, stmt).reindex(columns=REJECTED_COLUMNS)


def failed_files(jobs: list[Job]) -> pd.DataFrame:
    """Each file_drop job's failed/ folder: every refused file with the text of its .error.txt beside it."""
    rows = []
    for job in jobs:
        folder = job.options.get("folder") if job.source == "file_drop" else None
        failed = Path(folder) / "failed" if folder else None
        if failed is None or not failed.is_dir():
            continue
        for path in sorted(failed.iterdir()):
            if not path.is_file() or path.name.endswith(".error.txt"):
                continue
            note = path.with_name(path.name + ".error.txt")
            try:
                error = note.read_text(encoding="utf-8", errors="replace")[:ERROR_TEXT_MAX].strip()
            except OSError:
                error = ""
            stat = path.stat()
            rows.append({"job": job.name, "file": path.name, "folder": str(failed), "size": stat.st_size,
                         "modified": clock.from_timestamp(stat.st_mtime), "error": error})
    return pd.DataFrame(rows, columns=["job", "file", "folder", "size", "modified", "error"])


def job_outcomes(engine) -> dict[str, tuple]:
    """{job: (end of its newest success or None, end of its newest failed or partial run or None)}."""
    ended = EtlRun.status.in_(("failed", "partial"))
    stmt = (select(EtlRun.job, func.max(case((EtlRun.status == "success", EtlRun.ended_at))),
                   func.max(case((ended, EtlRun.ended_at))))
            .group_by(EtlRun.job))
    with connection(engine) as conn:
        return {job: (ok, bad) for job, ok, bad in conn.execute(stmt).all()}


def poll_jobs(outcomes: dict[str, tuple], schedule: list[list], epoch) -> list[list]:
    """[name, last success (epoch s or None), interval s, failed since the last success (bool)] per scheduled job."""
    rows = []
    for name, interval in schedule:
        ok, bad = outcomes.get(name, (None, None))
        failed = bad is not None and (ok is None or bad > ok)
        rows.append([name, epoch(ok), interval, failed])
    return rows


def last_success_at(engine):
    """The end of the newest successful load run of any job, or None (the readiness probe's load age)."""
    with connection(engine) as conn:
        return conn.execute(select(func.max(EtlRun.ended_at)).where(EtlRun.status == "success")).scalar()


def user(engine, username: str):
    """The stored user row (username, password_hash, role, session_version) or None (for a name with a NUL too,
    which no user can have and PostgreSQL refuses to compare)."""
    if "\x00" in username:
        return None
    with connection(engine) as conn:
        return conn.execute(select(User).where(User.username == username)).first()


def _newest_runs(conn, names: list[str] | None = None) -> list:
    """The newest run (any outcome) of every job, or of the jobs `names`, by job name."""
    newest = select(EtlRun.job, func.max(EtlRun.id).label("id")).group_by(EtlRun.job)
    if names is not None:
        newest = newest.where(EtlRun.job.in_(names))
    last = newest.subquery()
    return conn.execute(select(EtlRun.__table__).join(last, EtlRun.id == last.c.id).order_by(EtlRun.job)).all()


def last_runs(engine) -> list:
    """The newest run of every job (any outcome), by job name."""
    with connection(engine) as conn:
        return _newest_runs(conn)


def check_warnings(engine, limit: int = 20) -> list[dict]:
    """Published runs whose checks warned (warnings publish; issue 12 #5), newest first, each with only its
    warning findings: the ops page lists them beside the held runs."""
    with engine.connect() as conn:
        rows = conn.execute(select(EtlRun.id, EtlRun.job, EtlRun.source, EtlRun.ended_at, EtlRun.rows_read,
                                   EtlRun.checks).where(EtlRun.status == "success", EtlRun.checks.is_not(None),
                                                         cast(EtlRun.checks, String).not_in(["null", "[]"]))
                            .order_by(EtlRun.id.desc()).limit(limit * 5)).all()
    found = []
    for r in rows:
        warned = [f for f in (r.checks or []) if f.get("level") == "warn"]
        if warned:
            found.append(dict(r._mapping, checks=warned))
    return found[:limit]


def alert_history(engine, limit: int = 50) -> list[dict]:
    """The newest alert messages sent (or tried), newest first: when, rule, key, kind, channel, outcome, link."""
    with connection(engine) as conn:
        rows = conn.execute(select(AlertSend.at, AlertSend.rule, AlertSend.key, AlertSend.kind, AlertSend.channel,
                                   AlertSend.ok, AlertSend.error, AlertSend.title, AlertSend.link)
                            .order_by(AlertSend.id.desc()).limit(limit)).all()
    return [dict(r._mapping) for r in rows]
