"""Staging for the bulk upserts: a frame copied into a temporary table (binary COPY on PostgreSQL), and the
PostgreSQL way of applying it (an UPDATE of the keys whose values differ, then an INSERT of the new keys); on
PostgreSQL a batch none of whose keys is stored yet is copied straight into its table instead."""
from __future__ import annotations

from itertools import repeat

import pandas as pd
import psycopg
from sqlalchemy import and_, delete, exists, insert, literal, or_, select, tuple_, update


def stage(conn, name: str, like: str, columns: list[str], frame: pd.DataFrame) -> None:
    """Bulk-copy `frame` into a fresh temporary table shaped like `like`."""
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    cols = ", ".join(columns)
    conn.exec_driver_sql(f"CREATE TEMP TABLE {name} AS SELECT {cols} FROM {like} WHERE 1 = 0")
    if conn.dialect.name == "postgresql":
        _copy(conn, name, columns, frame)
        # A temporary table has no statistics until analysed; with them the planner hashes the join to the target
        # (measured: a few milliseconds per 10,000 staged rows).
        conn.exec_driver_sql(f"ANALYZE {name}")
        return
    series = []
    for c in columns:
        s = frame[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.strftime("%Y-%m-%d %H:%M:%S.%f")
        series.append(s.astype(object).where(s.notna(), None).tolist() if s.hasnans else s.tolist())
    rows = list(zip(*series))
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {name} ({cols}) VALUES ({marks})", rows)


def _copy(conn, name: str, columns: list[str], frame: pd.DataFrame, constant: dict | None = None) -> None:
    """Binary COPY: psycopg encodes each value by the staging column's own type, so text needs no escaping and
    NULLs, timestamps and floats arrive exactly (measured: 1.7 s per million rows against 2.8 s for text COPY
    and 3.2 s for pandas `to_csv` alone). `constant` maps further columns to one value for every row."""
    constant = constant or {}
    cols = ", ".join([*columns, *constant])
    with conn.connection.driver_connection.cursor() as cur:
        cur.execute(f"SELECT {cols} FROM {name} LIMIT 0")
        types = [d.type_code for d in cur.description]
        with cur.copy(f"COPY {name} ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for row in zip(*(_values(frame[c]) for c in columns), *(repeat(v) for v in constant.values())):
                copy.write_row(row)


def copy_if_new(conn, target, frame: pd.DataFrame, keys: list[str], constant: dict) -> bool:
    """COPY `frame` (sorted by `keys`, the unique index's order) straight into `target` when no stored key lies
    between its first and last key, which one probe of that index answers; False, and nothing written, otherwise.
    A first load thus writes each row once, not into a stage and again into the table (measured on a million
    rows: 6-9 s against 8-13 s), and the server stores rows while the client still encodes the next ones. Python
    orders text by code point, as the C collations do; under another collation the first and last rows need not
    bound the batch, and a concurrent writer may store one of its keys meanwhile: then the COPY breaks the unique
    key, is rolled back to its savepoint, and the batch goes through the stage after all."""
    first, last = frame.iloc[0], frame.iloc[-1]
    key = tuple_(*[target.c[k] for k in keys])
    stored = exists().where(key >= tuple_(*[literal(_plain(first[k])) for k in keys]),
                            key <= tuple_(*[literal(_plain(last[k])) for k in keys]))
    if conn.execute(select(stored)).scalar():
        return False
    try:
        with conn.begin_nested():
            _copy(conn, target.name, list(frame.columns), frame, {c: _plain(v) for c, v in constant.items()})
    except psycopg.errors.UniqueViolation:
        return False
    return True


def _plain(value):
    """A numpy scalar as the plain Python value a driver binds."""
    return value.item() if hasattr(value, "item") else value


def _values(s: pd.Series) -> list:
    """A column as plain Python values, missing ones (NaN, NaT, None) as None."""
    return s.astype(object).where(s.notna(), None).tolist() if s.hasnans else s.tolist()


def apply_postgres(conn, target, stage_table, values: dict, keys: list[str], run_id: int) -> int:
    """Apply staged rows on PostgreSQL; `values` maps each target column to its staged column or batch literal.
    Returns the rows inserted or changed.

    Not `INSERT ... ON CONFLICT DO UPDATE`: that locks every conflicting row (so a re-run of unchanged data
    rewrites every page of the table) and pays a speculative index probe per new row; measured on a million rows,
    these statements take about half its time on a re-run and three quarters of it on a fresh load. The keys already
    stored are deleted from the stage before the INSERT, which then reads no other table: an INSERT that anti-joins
    the table it fills is planned from that table's size at the start, and into an empty, analysed table the planner
    picks a nested loop that rescans the growing table once per row (a million rows ran for over 17 minutes).
    A writer that inserts one of the same new keys concurrently makes the INSERT fail on the unique key, and the run
    roll back whole."""
    same_key = and_(*[target.c[k] == stage_table.c[k] for k in keys])
    changing = [c for c in values if c not in keys]
    rowcount = {"preserve_rowcount": True}
    updated = conn.execute(
        update(target).where(same_key, or_(*[target.c[c].is_distinct_from(values[c]) for c in changing]))
        .values({**{c: values[c] for c in changing}, "run_id": run_id}), execution_options=rowcount).rowcount
    conn.execute(delete(stage_table).where(same_key))
    new_rows = select(*values.values(), literal(run_id).label("run_id"))
    return updated + conn.execute(insert(target).from_select([*values, "run_id"], new_rows),
                                  execution_options=rowcount).rowcount
