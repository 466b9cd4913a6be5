"""The plumbing every query module shares: one connection per page build, the one SQL → DataFrame helper, the
shared SQL expressions (demo flag, on-time count), period bounds as bind parameters (statements are built once per
shape), dialect-specific month and day arithmetic, the provenance columns (`run_id`, `loaded_at`, `is_demo`) every
frame carries, and periods read as time, not text.

Periods: '2025' → (2025-01-01, annual), '2025Q3' → (2025-07-01, quarterly), '2025-02' → (2025-02-01, monthly),
'2025-02-10' → (that day, daily). Sorted as text the granularities mix ('2025Q3' > '2025-02' > '2025'), so
"latest" is picked here: in time order, within the granularity an indicator's cadence names."""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache

import pandas as pd
from sqlalchemy import DateTime, bindparam, case, extract, func, select

from etl import clock
from etl.store import EtlRun, MatterCase
from etl.store_trust import ObservationRevision
from etl.validate import period_start

_SHARED: ContextVar[tuple | None] = ContextVar("drill_connection", default=None)  # (engine, connection)


@contextmanager
def one_connection(engine):
    """Run every drill-down query inside on one connection (one page build): on PostgreSQL each checkout costs a
    pre-ping, a BEGIN and a ROLLBACK round trip, a dozen per page; the page also reads one snapshot."""
    if _SHARED.get() is not None:
        yield
        return
    with engine.connect() as conn:
        token = _SHARED.set((engine, conn))
        try:
            yield
        finally:
            _SHARED.reset(token)


@contextmanager
def connection(engine):
    """The page build's shared connection, or a connection of its own outside one."""
    shared = _SHARED.get()
    if shared is not None and shared[0] is engine:
        yield shared[1]
        return
    with engine.connect() as conn:
        yield conn


def frame(engine, stmt, params: dict | None = None) -> pd.DataFrame:
    """SQL → DataFrame, built from plain tuples (pandas reads SQLAlchemy Row objects item by item, 4-5x slower)."""
    with connection(engine) as conn:
        result = conn.execute(stmt, params or {})
        return pd.DataFrame.from_records([tuple(r) for r in result.all()], columns=list(result.keys()))


def demo_flag(col):
    """A boolean demo column as 0/1, labelled is_demo (run_columns turns it back into a bool)."""
    return case((col, 1), else_=0).label("is_demo")


def demo_max(col):
    """Whether any row of a group is demo data, as 0/1, labelled is_demo."""
    return func.max(case((col, 1), else_=0)).label("is_demo")


ON_TIME = MatterCase.completed_at <= MatterCase.due_at  # a completed case met its promised date


def on_time_count():
    """How many cases of a group were completed on time."""
    return func.sum(case((ON_TIME, 1), else_=0))


def newest_run():
    """The newest load run of a group of cases, labelled run_id."""
    return func.max(MatterCase.run_id).label("run_id")


def span(col, start: bool, end: bool) -> list:
    """Bounds on `col` as bind parameters (:start_at, :end_at; values from bounds), so a statement's shape depends
    only on which bounds are given and is built once per process (building one cost 1-2 ms a query)."""
    return ([col >= bindparam("start_at", type_=DateTime)] if start else []) + \
        ([col < bindparam("end_at", type_=DateTime)] if end else [])


def bounds(start: str | None, end: str | None) -> dict:
    """The values of span's parameters for a period of whole years."""
    return {**({"start_at": datetime(int(start), 1, 1)} if start else {}),
            **({"end_at": datetime(int(end) + 1, 1, 1)} if end else {})}


def month(dialect: str, col):
    return func.strftime("%Y-%m", col) if dialect == "sqlite" else func.to_char(col, "YYYY-MM")


def days(dialect: str, start, end):
    if dialect == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return extract("epoch", end - start) / 86400.0


def with_loaded_at(stmt, *order):
    """`stmt` (which has a `run_id` column) with `loaded_at`, the end of that run, joined in SQL (one query, no
    merge in pandas), ordered by `order` (names of its columns, '-name' for descending)."""
    sub = stmt.subquery()
    return (select(*sub.c, EtlRun.ended_at.label("loaded_at")).outerjoin(EtlRun, EtlRun.id == sub.c.run_id)
            .order_by(*[sub.c[n[1:]].desc() if n[0] == "-" else sub.c[n] for n in order]))


def revision_columns(obs) -> list:
    """`revised_from` and `revised_at` of an observation row (`obs`: the table or an alias of it): the value and
    revision time of its newest kept vintage whose value differs from the one shown; NULL when never revised."""
    newest = (select(ObservationRevision.value, ObservationRevision.replaced_at)
              .where(ObservationRevision.indicator_code == obs.indicator_code, ObservationRevision.scope == obs.scope,
                     ObservationRevision.period == obs.period, ObservationRevision.value != obs.value)
              .order_by(ObservationRevision.replaced_at.desc(), ObservationRevision.id.desc()).limit(1))
    return [newest.with_only_columns(ObservationRevision.value).scalar_subquery().label("revised_from"),
            newest.with_only_columns(ObservationRevision.replaced_at).scalar_subquery().label("revised_at")]


def run_columns(df: pd.DataFrame) -> pd.DataFrame:
    """The provenance columns as the pages and exports expect them: run_id a nullable number, is_demo a bool."""
    df["run_id"] = pd.array(df["run_id"].to_numpy(dtype=float, na_value=float("nan")), dtype="Float64")
    df["is_demo"] = df["is_demo"].to_numpy(dtype=float, na_value=0.0) > 0
    return df


# --- periods as time ---------------------------------------------------------------------------------------

# The granularity of the periods a cadence's tiles and charts show. A live indicator's tile counts cases as they
# arrive; its stored observations are yearly totals, so its charts read them as annual.
GRAIN = {"annual": "annual", "quarterly": "quarterly", "monthly": "monthly", "daily": "daily", "live": "annual"}
_FORMS = ((re.compile(r"^\d{4}$"), "annual"), (re.compile(r"^\d{4}Q[1-4]$"), "quarterly"),
          (re.compile(r"^\d{4}-\d{2}$"), "monthly"), (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "daily"))


@lru_cache(maxsize=8192)
def parse_period(period) -> tuple[date, str] | None:
    """(start date, granularity) of a stored period (etl.validate.normalise_period's forms); None otherwise."""
    text = str(period).strip() if period is not None else ""
    for pattern, grain in _FORMS:
        if pattern.match(text):
            try:
                return period_start(text), grain  # the write side's reading of the same forms
            except ValueError:  # '2025-13', '2025-02-30'
                return None
    return None


def grain(cadence: str | None) -> str:
    """The period granularity a cadence shows (annual when the catalogue names none or an unknown one)."""
    return GRAIN.get(cadence or "annual", "annual")


def of_grain(periods, cadence: str | None) -> list[str]:
    """The periods of the cadence's granularity, oldest first, each once; others and unparseable ones dropped."""
    want = grain(cadence)
    kept = {p: parse_period(p)[0] for p in periods if parse_period(p) is not None and parse_period(p)[1] == want}
    return sorted(kept, key=kept.get)


def latest_period(periods, cadence: str | None) -> str | None:
    """The newest period of the cadence's granularity, or None when there is none."""
    kept = of_grain(periods, cadence)
    return kept[-1] if kept else None


def in_period_order(frame: pd.DataFrame, cadence: str | dict | None = None,
                    by: tuple[str, ...] = ("code",)) -> pd.DataFrame:
    """`frame`'s rows whose period has their indicator's granularity, in time order (within `by` groups).
    `cadence` is one cadence, a {code: cadence} map, or None to read a `cadence` column of the frame."""
    if frame.empty:
        return frame
    if isinstance(cadence, dict):
        cadences = frame["code"].map(cadence)
    elif cadence is None and "cadence" in frame:
        cadences = frame["cadence"]
    else:
        cadences = pd.Series(cadence, index=frame.index)
    parsed = [parse_period(p) for p in frame["period"]]
    keep = [p is not None and p[1] == grain(c) for p, c in zip(parsed, cadences)]
    start = pd.Series([p[0] if p else date.min for p in parsed], index=frame.index)
    cols = [c for c in by if c in frame]
    out = frame.assign(_start=start)[keep].sort_values([*cols, "_start"], kind="stable")
    return out.drop(columns="_start").reset_index(drop=True)


def epoch(moment: datetime | None) -> float | None:
    """Seconds since the epoch of a stored instant (the store keeps naive UTC, whatever the process clock's zone)."""
    return None if moment is None or pd.isna(moment) else clock.epoch(moment)
