"""CSV snapshots: UTF-8 with BOM, code and Chinese name columns, formula cells neutralised, a provenance footer.

A snapshot is the table first (so Excel opens it as one), then a blank line and `#key,value` footer lines: the
as-of time (the newest load the rows include, not the export time), the load runs, the filters, the demo flag,
the row count and the SHA-256 of the table bytes. The same request at the same data version gives the same bytes.
Rows stream in chunks, so a large export never sits in memory whole. Load times (stored as naive UTC) are written
as civil times in COCKPIT_TZ, like every time on screen.
"""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

from etl import clock

BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Meta:
    kind: str
    filters: dict
    runs: set[int] = field(default_factory=set)
    as_of: datetime | None = None
    demo: bool = False
    rows: int = 0
    notes: list[str] = field(default_factory=list)  # the annotations of the period it covers (issue 14 #3)


def neutralise(value):
    """OWASP CSV injection: a text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if value != value else str(int(value)) if value.is_integer() else value
    if pd.isna(value):
        return ""
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return neutralise(value)


def _column(values: pd.Series) -> list:
    """A column's cells as _cell writes them, a whole column at a time (a cell at a time cost most of an
    export's CPU, which the walls' polls then waited for)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("").tolist()
    return [_cell(v) for v in values.tolist()]


def shown(values: pd.Series) -> pd.Series:
    """Load times as stored (naive UTC) as civil times in COCKPIT_TZ, the zone every screen shows."""
    times = pd.to_datetime(values, errors="coerce")
    return times.dt.tz_localize("UTC").dt.tz_convert(clock.zone()).dt.tz_localize(None)


def _csv_line(values: Iterable) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(values)
    return buf.getvalue()


def stream(columns: list[str], chunks: Iterable[pd.DataFrame], meta: Meta) -> Iterator[bytes]:
    """The snapshot's bytes, chunk by chunk; `meta` is completed from the rows as they pass."""
    digest = hashlib.sha256()
    head = (BOM + _csv_line(columns)).encode("utf-8")
    digest.update(head)
    yield head
    for chunk in chunks:
        if chunk.empty:
            continue
        meta.rows += len(chunk)
        meta.runs.update(int(r) for r in chunk["run_id"].dropna().unique())
        chunk = chunk.assign(loaded_at=shown(chunk["loaded_at"]))
        loaded = chunk["loaded_at"].dropna()
        if not loaded.empty:
            newest = pd.Timestamp(loaded.max()).to_pydatetime()
            meta.as_of = max(meta.as_of, newest) if meta.as_of else newest
        meta.demo = meta.demo or bool(chunk["is_demo"].any())
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerows(zip(*(_column(chunk[c]) for c in columns)))
        body = buf.getvalue().encode("utf-8")
        digest.update(body)
        yield body
    yield footer(meta, digest.hexdigest()).encode("utf-8")


def footer(meta: Meta, sha256: str) -> str:
    filters = ";".join(f"{k}={v}" for k, v in sorted(meta.filters.items()) if v not in (None, ""))
    lines = [
        ("#snapshot", f"新昌县创新服务云平台驾驶舱 {meta.kind} / Xinchang cockpit {meta.kind} snapshot"),
        ("#as_of", meta.as_of.strftime("%Y-%m-%d %H:%M:%S") if meta.as_of else ""),
        ("#load_runs", ";".join(str(r) for r in sorted(meta.runs))),
        ("#filters", filters),
        ("#demo", "true 演示数据 / DEMO DATA" if meta.demo else "false"),
        ("#rows", str(meta.rows)),
        *([("#annotations", " | ".join(meta.notes))] if meta.notes else []),
        ("#sha256", sha256),
    ]
    return "\r\n" + "".join(_csv_line(line) for line in lines)


def snapshot_bytes(columns: list[str], frame: pd.DataFrame, meta: Meta) -> bytes:
    """One panel's rows as a whole snapshot (frames on screen are small)."""
    return b"".join(stream(columns, [frame], meta))


def read_snapshot(data: bytes) -> tuple[pd.DataFrame, dict]:
    """The table and the footer of a snapshot (for tests and for analysts' scripts)."""
    text = data.decode("utf-8-sig")
    table, _, tail = text.partition("\r\n\r\n")
    meta = {row[0].lstrip("#"): row[1] for row in csv.reader(io.StringIO(tail)) if row}
    frame = pd.read_csv(io.StringIO(table + "\r\n"), dtype=str, keep_default_na=False)
    return frame, meta
