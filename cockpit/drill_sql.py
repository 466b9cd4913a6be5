"""The SQL plumbing the drill-down query modules share: one connection per page build, rows to DataFrames, period
bounds as bind parameters (statements are built once per shape), dialect-specific month and day arithmetic, and
the provenance columns (`run_id`, `loaded_at`, `is_demo`) every drill-down frame carries."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

import pandas as pd
from sqlalchemy import DateTime, bindparam, case, extract, func, select

from etl.store import EtlRun

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


def demo_max(col):
    return func.max(case((col, 1), else_=0)).label("is_demo")


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


def run_columns(df: pd.DataFrame) -> pd.DataFrame:
    """The provenance columns as the pages and exports expect them: run_id a nullable number, is_demo a bool."""
    df["run_id"] = pd.array(df["run_id"].to_numpy(dtype=float, na_value=float("nan")), dtype="Float64")
    df["is_demo"] = df["is_demo"].to_numpy(dtype=float, na_value=0.0) > 0
    return df
