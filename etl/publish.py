"""Held runs (issue 12 #5): the plausibility gate a run's validated fact rows pass before they are upserted, and
publishing or discarding a run a blocking check held (status "held", 待核实). A held run's rows wait in held_rows,
not in the fact tables: nothing of it shows and the data version does not move until it is published."""
from __future__ import annotations

from io import StringIO

import pandas as pd
from sqlalchemy import delete, select, update

from etl import checks, clock
from etl.accounts import write_audit
from etl.staging import upsert_staged
from etl.store import Department, EtlRun, Indicator, MatterCase, Observation, Segment, advance_version
from etl.store_trust import HeldRow, ObservationRevision

OBS_COLUMNS = ["indicator_code", "period", "scope", "value", "unit", "source", "note", "is_demo"]
OBS_KEY = ["indicator_code", "scope", "period"]  # the primary key in its index order: staged rows arrive sorted by it
CASE_COLUMNS = ["case_no", "matter_code", "department_code", "submitted_at", "accepted_at", "completed_at",
                "due_at", "status", "source", "is_demo"]
CASE_TIMES = ["submitted_at", "accepted_at", "completed_at", "due_at"]
FACTS = {"observations": (Observation, OBS_COLUMNS, OBS_KEY, ObservationRevision),
         "cases": (MatterCase, CASE_COLUMNS, ["case_no"], None)}
HELD_CHUNK = 50_000  # rows per held_rows payload
HISTORY_SCOPES = 1000  # fewer scopes than this in a run: the history for its jump checks is read for those only


def apply(conn, kind: str, frame: pd.DataFrame, run_id: int) -> int:
    """The normal upsert of one batch's validated rows (observations keep their vintages); rows changed."""
    model, columns, keys, vintages = FACTS[kind]
    return upsert_staged(conn, model, frame, columns, keys, run_id, vintages=vintages)


class Held(Exception):
    """Raised inside a run's transaction when a blocking check failed: the run is rolled back, then held."""


def check_rows(conn, frames: list[pd.DataFrame], run_id: int | None = None) -> list[dict]:
    """The catalogue's checks (stored in indicators.checks) on these observations, with the history they need.
    `run_id`: the run whose rows are already written in this transaction (they are `frames`: not read back)."""
    rules = checks.rules_from(dict(conn.execute(select(Indicator.code, Indicator.checks)).all()))
    frames = [f for f in frames if not f.empty]
    if not rules or not frames:
        return []
    rows = pd.concat([f[OBS_KEY + ["value"]] for f in frames], ignore_index=True)
    rows = rows[rows["indicator_code"].isin(list(rules))]
    if rows.empty:
        return []
    groups = {"departments": set(conn.execute(select(Department.code)).scalars()),
              "segments": set(conn.execute(select(Segment.code)).scalars())}
    present = set(rows["indicator_code"].unique())  # once: a set of a million-row column per code cost seconds
    history = stored = None
    jumping = [c for c in checks.needs_history(rules) if c in present]
    if jumping:  # the scopes' earlier periods, for the jump checks
        scopes = rows.loc[rows["indicator_code"].isin(jumping), "scope"].unique().tolist()
        history = _stored(conn, jumping, Observation.scope, scopes, *_not_run(run_id))
    summed = [c for c in checks.needs_stored(rules) if c in present]
    if summed:  # the store's rows of the run's periods, so a partial run is summed against what is loaded
        periods = rows.loc[rows["indicator_code"].isin(summed), "period"].unique().tolist()
        scopes = [checks.COUNTY, *groups["departments"], *groups["segments"]]
        stored = _stored(conn, summed, Observation.period, periods, Observation.scope.in_(scopes), *_not_run(run_id))
    return checks.run_checks(rows, rules, groups, history, stored)


def _not_run(run_id: int | None) -> list:
    """The condition leaving out the rows `run_id` wrote (a million-row run read back cost more than its checks)."""
    return [] if run_id is None else [Observation.run_id != run_id]


def _stored(conn, codes: list[str], column, values: list, *where) -> pd.DataFrame:
    """The store's observations of `codes` (indicator_code, scope, period, value), narrowed to `column` in `values`
    when there are fewer than HISTORY_SCOPES of them (a longer IN list costs more than the rows it saves)."""
    query = select(Observation.indicator_code, Observation.scope, Observation.period, Observation.value).where(
        Observation.indicator_code.in_(codes), *where)
    if len(values) < HISTORY_SCOPES:
        query = query.where(column.in_(values))
    # plain tuples: handed SQLAlchemy Rows, pandas probes each for namedtuple fields (seconds on a million rows)
    return pd.DataFrame(list(map(tuple, conn.execute(query).all())), columns=["indicator_code", "scope", "period", "value"])


def hold(conn, pending: list[tuple[str, pd.DataFrame]], run_id: int) -> None:
    """Keep the run's validated fact rows aside, JSON records in chunks, for publish or discard."""
    payloads = []
    for kind, frame in pending:
        columns = FACTS[kind][1]
        for start in range(0, len(frame), HELD_CHUNK):
            part = frame.iloc[start:start + HELD_CHUNK][columns]
            payloads.append({"run_id": run_id, "kind": kind,
                             "payload": part.to_json(orient="records", date_format="iso", date_unit="us")})
    if payloads:
        conn.execute(HeldRow.__table__.insert(), payloads)


def held_frames(conn, run_id: int) -> list[tuple[str, pd.DataFrame]]:
    """The held batches of a run as the frames they were (observations and cases)."""
    out = []
    for kind, payload in conn.execute(select(HeldRow.kind, HeldRow.payload).where(HeldRow.run_id == run_id)
                                      .order_by(HeldRow.id)):
        frame = pd.read_json(StringIO(payload), orient="records", dtype=False)
        frame = frame.reindex(columns=FACTS[kind][1])
        if kind == "cases":
            for c in CASE_TIMES:
                frame[c] = pd.to_datetime(frame[c])
        else:
            frame["value"] = frame["value"].astype(float)
            frame["period"] = frame["period"].astype(str)
        frame["is_demo"] = frame["is_demo"].astype(bool)
        out.append((kind, frame))
    return out


def _claim(conn, run_id: int, status: str) -> None:
    """Move a held run to `status`, or LookupError when it is not held (published, discarded, or no such run)."""
    if not conn.execute(update(EtlRun).where(EtlRun.id == run_id, EtlRun.status == "held")
                        .values(status=status)).rowcount:
        found = conn.execute(select(EtlRun.status).where(EtlRun.id == run_id)).scalar()
        raise LookupError(f"run {run_id} is not held" + (f" (it is {found})" if found else " (no such run)"))


def publish(engine, run_id: int, username: str, role: str = "shell", address: str = "") -> int:
    """Apply a held run's rows through the normal upsert in one transaction, the run then counts as a success
    loaded now, and the data version moves; audited. Returns the rows changed."""
    with engine.begin() as conn:
        _claim(conn, run_id, "success")
        frames = held_frames(conn, run_id)
        changed = sum(apply(conn, kind, frame, run_id) for kind, frame in frames)
        ended = clock.utc_now()
        valid = sum(len(f) for _, f in frames)
        conn.execute(update(EtlRun).where(EtlRun.id == run_id).values(
            ended_at=ended, rows_loaded=EtlRun.rows_loaded + changed,
            rows_unchanged=EtlRun.rows_unchanged + valid - changed))
        conn.execute(update(ObservationRevision).where(ObservationRevision.replaced_by == run_id)
                     .values(replaced_at=ended))
        conn.execute(delete(HeldRow).where(HeldRow.run_id == run_id))
        if changed:
            advance_version(conn)
    write_audit(engine, "etl_publish", f"run:{run_id}", f"published {valid} held rows, {changed} changed",
                username, role, address)
    return changed


def discard(engine, run_id: int, username: str, role: str = "shell", address: str = "") -> int:
    """Delete a held run's rows and mark it discarded; audited. Returns the held rows deleted."""
    with engine.begin() as conn:
        _claim(conn, run_id, "discarded")
        rows = sum(len(f) for _, f in held_frames(conn, run_id))
        conn.execute(delete(HeldRow).where(HeldRow.run_id == run_id))
        conn.execute(update(EtlRun).where(EtlRun.id == run_id).values(ended_at=clock.utc_now()))
    write_audit(engine, "etl_discard", f"run:{run_id}", f"discarded {rows} held rows", username, role, address)
    return rows


def held_runs(engine) -> list[dict]:
    """The runs waiting for review, newest first, with their findings (the ops page and the CLI list them)."""
    with engine.connect() as conn:
        rows = conn.execute(select(EtlRun.id, EtlRun.job, EtlRun.source, EtlRun.ended_at, EtlRun.rows_read,
                                   EtlRun.checks).where(EtlRun.status == "held").order_by(EtlRun.id.desc())).all()
    return [dict(r._mapping) for r in rows]
