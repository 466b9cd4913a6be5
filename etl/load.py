"""A run: extract, validate and upsert (etl.staging) in one transaction, and the run record that says what happened."""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.exc import OperationalError

from etl import annotations, checks, clock, dimensions, publish, targets, validate
from etl.catalogue import Lookups
from etl.publish import CASE_COLUMNS, OBS_COLUMNS, OBS_KEY
from etl.reference import REFERENCE, _dialect_insert, seed_reference, upsert_rows  # noqa: F401  (etl.load's API)
from etl.sources.base import KINDS, Batch
from etl.staging import upsert_staged
from etl.store_trust import ObservationRevision
from etl.store import (
    EtlRun, Firm, JobLock, Matter, MatterCase, Observation, RejectedRow, Resource, advance_version,
)

log = logging.getLogger(__name__)

DIMENSIONS = {"firms": Firm, "matters": Matter, "resources": Resource}


@dataclass
class RunResult:
    run_id: int
    job: str
    status: str = "running"
    rows_read: int = 0
    rows_loaded: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    reasons: dict[str, int] = field(default_factory=dict)  # the commonest reasons rows were rejected, with counts
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, why): sheets or files left for later
    checks: list[dict] = field(default_factory=list)  # the plausibility checks' findings (etl.checks)

    def as_dict(self) -> dict:
        return asdict(self)


def now() -> datetime:
    return clock.utc_now()  # run times are stored as naive UTC


def _load_dimension(conn, batch: Batch, run_id: int, default_source: str) -> tuple[int, int, pd.DataFrame]:
    """Firms, matters, resources: the model's columns only; a row without every required column is rejected."""
    model = DIMENSIONS[batch.kind]
    table = model.__table__
    records = batch.records
    raw_columns = [c for c in records.columns if not c.startswith("_")]
    required = [c.name for c in table.c if not c.nullable and c.default is None and c.name not in ("is_demo", "run_id")]
    missing = records.reindex(columns=required).isna().to_numpy().any(axis=1)
    records, found = dimensions.prepare(conn, table, records)  # names to codes, yes/no cells, listing years
    checks_ = [(missing, f"missing one of the required columns: {', '.join(required)}"), *found]
    if "source" in table.c:  # a register without its own 来源 column is named by its job's source
        given = records["source"] if "source" in records else pd.Series(None, index=records.index, dtype=object)
        records["source"] = given.astype(object).fillna(default_source).replace("", default_source)
    known = [c for c in records.columns if not c.startswith("_") and c in table.c and c not in ("is_demo", "run_id")]
    bad, reasons = validate._reasons(checks_, len(records))
    rejected = validate.rejected_rows(batch.records, bad, reasons, raw_columns)
    rows = records.loc[~bad, known].assign(is_demo=batch.is_demo)
    if "run_id" in table.c:
        rows["run_id"] = run_id
    rows = rows.astype(object).where(rows.notna(), None).to_dict("records")
    return len(rows), upsert_rows(conn, model, rows), rejected


def _load_batch(conn, batch: Batch, lookups: Lookups, run_id: int, default_source: str,
                pending: list) -> tuple[int, int, pd.DataFrame]:
    """Validate and upsert one batch, its valid facts also kept in `pending` (for the checks, and to be held if
    one blocks); returns (valid rows, rows changed, rejected rows)."""
    records = batch.records
    if batch.kind in DIMENSIONS:
        return _load_dimension(conn, batch, run_id, default_source)
    if batch.kind == "targets":  # versioned, never upserted (etl.targets)
        return targets.load(conn, batch, lookups, run_id, default_source)
    if batch.kind == "annotations":  # kept by their key (etl.annotations)
        return annotations.load(conn, batch, lookups, run_id, default_source)
    check = validate.observations if batch.kind == "observations" else validate.cases
    clean, rejected = check(records, lookups)
    clean["source"] = clean["source"].mask(clean["source"] == "", default_source)
    clean["is_demo"] = batch.is_demo
    pending.append((batch.kind, clean))
    if batch.kind == "observations":
        changed = upsert_staged(conn, Observation, clean, OBS_COLUMNS, OBS_KEY, run_id, vintages=ObservationRevision)
    else:
        changed = upsert_staged(conn, MatterCase, clean, CASE_COLUMNS, ["case_no"], run_id)
    return len(clean), changed, rejected


def _record(conn, result: RunResult) -> None:
    conn.execute(update(EtlRun).where(EtlRun.id == result.run_id).values(
        status=result.status, ended_at=now(), rows_read=result.rows_read, rows_loaded=result.rows_loaded,
        rows_unchanged=result.rows_unchanged, rows_rejected=result.rows_rejected, error=result.error,
        checks=result.checks or None))


def close_interrupted(engine, job: str) -> int:
    """Fail the runs of `job` still marked running (their process or the store went away mid-run); called by the
    holder of the job's lock, so none of them is still going."""
    with engine.begin() as conn:
        return conn.execute(update(EtlRun).where(EtlRun.job == job, EtlRun.status == "running").values(
            status="failed", ended_at=now(), error="interrupted: the store or the process went away mid-run")).rowcount


def load_state(engine, job: str) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(select(JobLock.extra).where(JobLock.job == job)).scalar() or {})


def _quiet(stage: str) -> None:
    pass


def county_today() -> date:
    """Today in COCKPIT_TZ, whatever the process clock's zone."""
    return clock.today()


def run(engine, job: str, source, progress=_quiet, today: date | None = None) -> RunResult:
    """Extract everything from `source`, then validate and upsert it in one transaction. A failure anywhere
    rolls the data back to what it was; the run record says what happened either way. `today` (the county's,
    by default from the clock) is the day after which a period is in the future."""
    with engine.begin() as conn:
        run_id = conn.execute(insert(EtlRun).values(
            job=job, source=source.name, location=str(source.key), started_at=now(), status="running",
            is_demo=bool(getattr(source, "is_demo", False)))).inserted_primary_key[0]
    result = RunResult(run_id=run_id, job=job)
    batches: list[Batch] = []
    state = load_state(engine, job)
    try:
        progress(f"extract {source.name}")
        batches = list(source.extract(state))
        _load_all(engine, job, source, batches, state, result, progress, today or county_today())
    except Exception as exc:  # any failure: nothing of this run is visible, and the record says why
        log.info("run %s of job %s failed: %s", run_id, job, exc)  # one line; the traceback at debug (-v)
        log.debug("run %s of job %s failed", run_id, job, exc_info=True)
        result.status, result.error = "failed", f"{type(exc).__name__}: {getattr(exc, 'orig', None) or exc}"[:1000]
        result.rows_loaded = result.rows_unchanged = 0
        try:
            with engine.begin() as conn:
                _record(conn, result)
        except Exception:  # the store itself went away: the job's next run marks this one interrupted
            log.exception("run %s of job %s: the failure could not be recorded", run_id, job)
        source_finish(source, batches, committed=False)
        return result
    result.skipped = list(getattr(source, "skipped", []))
    source_finish(source, batches, committed=True)
    if engine.dialect.name == "sqlite" and result.rows_loaded:
        try:
            with engine.connect() as conn:  # SQLite keeps no statistics unless asked: let its planner see new rows
                conn.exec_driver_sql("PRAGMA optimize")
        except OperationalError as exc:  # a concurrent writer holds the lock: the run is committed all the same
            log.info("run %s: PRAGMA optimize skipped (%s)", run_id, exc.orig)
    return result


def source_finish(source, batches, committed: bool) -> None:
    """The source's clean-up (a file drop moves its files); its failure is logged, the run's outcome stands."""
    finish = getattr(source, "finish", None)
    if finish:
        try:
            finish(batches, committed)
        except Exception:
            log.exception("clean-up of source %s failed", source.name)


def _load_all(engine, job, source, batches, state, result: RunResult, progress, today: date) -> None:
    """Load every batch in one transaction, then run the catalogue's checks on its observations: a blocking
    failure rolls the whole run back and, in a transaction of its own, keeps its facts in held_rows (待核实)."""
    default_source = f"{source.name}:{source.key}"
    rejected_frames, pending = [], []
    try:
        with engine.begin() as conn:
            lookups = Lookups.from_db(conn, today=today)
            for kind in KINDS:
                for batch in (b for b in batches if b.kind == kind):
                    if batch.refused:
                        result.refused.append((batch.location, batch.refused))
                        continue
                    result.rows_read += len(batch.records)
                    progress(f"load {len(batch.records):,} {kind} from {batch.location}")
                    valid, changed, rejected = _load_batch(conn, batch, lookups, result.run_id, default_source,
                                                           pending)
                    result.rows_loaded += changed
                    result.rows_unchanged += valid - changed
                    if not rejected.empty:
                        rejected_frames.append(rejected)
                if kind in DIMENSIONS and any(b.kind == kind for b in batches):
                    lookups = Lookups.from_db(conn, today=today)
            result.checks = publish.check_rows(conn, [f for kind, f in pending if kind == "observations"], result.run_id)
            if checks.blocking(result.checks):
                raise publish.Held
            _finish(conn, job, batches, state, result, rejected_frames)
    except publish.Held:  # nothing of the run shows; its facts wait for `cockpit etl publish` or `discard`
        result.rows_loaded = result.rows_unchanged = 0
        with engine.begin() as conn:
            publish.hold(conn, pending, result.run_id)
            _finish(conn, job, batches, state, result, rejected_frames, held=True)


def _finish(conn, job, batches, state, result: RunResult, rejected_frames, held: bool = False) -> None:
    """The run's rejected rows, its record and the job's state; the data version moves when rows changed."""
    if rejected_frames:
        rejected = pd.concat(rejected_frames, ignore_index=True).assign(run_id=result.run_id)
        result.rows_rejected = len(rejected)
        result.reasons = {str(k): int(v) for k, v in rejected["reason"].value_counts().head(5).items()}
        conn.execute(insert(RejectedRow), rejected.astype(object).where(rejected.notna(), None).to_dict("records"))
    result.status = "held" if held else run_status(batches, result.refused)
    problems = [checks.describe(result.checks)] * held + [f"{loc}: {why}" for loc, why in result.refused]
    result.error = "; ".join(problems) or None
    _record(conn, result)
    if result.rows_loaded:  # the vintages this run replaced: revised as of its end, the moment it commits
        conn.execute(update(ObservationRevision).where(ObservationRevision.replaced_by == result.run_id).values(
            replaced_at=select(EtlRun.ended_at).where(EtlRun.id == result.run_id).scalar_subquery()))
    _save_state(conn, job, state)
    if result.rows_loaded:  # last, just before the commit: on PostgreSQL it locks the version's row until then
        advance_version(conn)


def run_status(batches: list[Batch], refused: list) -> str:
    """success; partial when some units (files, sheets) were refused but others loaded (it counts as a failure
    for freshness, and its rows show); failed when every unit was refused."""
    if not refused:
        return "success"
    return "partial" if any(not b.refused for b in batches) else "failed"


def _save_state(conn, job: str, state: dict) -> None:
    stmt = _dialect_insert(conn, JobLock).values(job=job, last_tick="", extra=state)
    conn.execute(stmt.on_conflict_do_update(index_elements=["job"], set_={"extra": stmt.excluded.extra}))
