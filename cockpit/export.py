"""CSV snapshots: UTF-8 with BOM, code and Chinese name columns, formula cells neutralised, a provenance footer.

A snapshot is the table first (so Excel opens it as one), then a blank line and `#key,value` footer lines: the
as-of time (the newest load the rows include, not the export time), the load runs, the filters, the demo flag,
the row count and the SHA-256 of the table bytes. The same request at the same data version gives the same bytes.
Rows stream in chunks, so a large export never sits in memory whole.
"""
from __future__ import annotations

import csv
import json
import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Iterator

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Select, and_, case, select, type_coerce

from etl.catalogue import Lookups
from etl.store import (
    COUNTY, Chain, Department, EtlRun, Firm, Indicator, Matter, MatterCase, Observation, Segment,
)
from etl.validate import normalise_period

BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 5000


class BadRequest(ValueError):
    """A parameter that cannot be understood (400)."""


class NotFound(LookupError):
    """A code or name that names nothing (404)."""


@dataclass
class Meta:
    kind: str
    filters: dict
    runs: set[int] = field(default_factory=set)
    as_of: datetime | None = None
    demo: bool = False
    rows: int = 0


def neutralise(value):
    """OWASP CSV injection: a text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return neutralise(value)


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
        loaded = chunk["loaded_at"].dropna()
        if not loaded.empty:
            newest = pd.Timestamp(loaded.max()).to_pydatetime()
            meta.as_of = max(meta.as_of, newest) if meta.as_of else newest
        meta.demo = meta.demo or bool(chunk["is_demo"].any())
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        for row in chunk[columns].itertuples(index=False, name=None):
            writer.writerow([_cell(v) for v in row])
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


# --- what the two shell/HTTP exports select -------------------------------------------------------------

OBSERVATION_COLUMNS = ["indicator_code", "indicator_zh", "indicator_en", "period", "scope_code", "scope_zh",
                       "scope_en", "value", "unit", "source", "is_demo", "run_id", "loaded_at"]
CASE_COLUMNS = ["case_no", "matter_code", "matter_zh", "department_code", "department_zh", "submitted_at",
                "accepted_at", "completed_at", "due_at", "status", "on_time", "source", "is_demo", "run_id",
                "loaded_at"]


def _period(value: str | None, name: str) -> str | None:
    if not value:
        return None
    period = normalise_period(value)
    if period is None:
        raise BadRequest(f"{name}: {value!r} is not a period (2021, 2021-03, 2021Q1, 2021-03-15)")
    return period


def _span(value: str | None, name: str) -> tuple[datetime, datetime] | None:
    """A year, month or day as [start, start of the next one)."""
    if not value:
        return None
    period = normalise_period(value)
    if period is None or "Q" in period:
        raise BadRequest(f"{name}: {value!r} is not a date (2021, 2021-03, 2021-03-15)")
    start = pd.Timestamp(period + {4: "-01-01", 7: "-01", 10: ""}[len(period)])
    step = {4: pd.DateOffset(years=1), 7: pd.DateOffset(months=1), 10: pd.DateOffset(days=1)}[len(period)]
    return start.to_pydatetime(), (start + step).to_pydatetime()


def _scope_names():
    """(code, zh, en) of every scope: the county, departments, chains, segments and firms."""
    parts = [select(m.code, m.name_zh, m.name_en) for m in (Department, Chain, Segment, Firm)]
    return parts[0].union_all(*parts[1:]).subquery("scopes")


def _resolve(mapping: dict[str, str], value: str | None, what: str) -> str | None:
    """A code or name (as the file source reads them) to its code; None when not given, NotFound when unknown."""
    if not value:
        return None
    code = mapping.get(value.strip().casefold())
    if code is None:
        raise NotFound(f"unknown {what} {value!r}")
    return code


def observations_query(conn, indicator: str, scope: str | None, start: str | None, end: str | None) -> tuple[Select, dict]:
    if not indicator:
        raise BadRequest("indicator is required")
    lookups = Lookups.from_db(conn)
    code = _resolve(lookups.indicators, indicator, "indicator")
    scope_code = _resolve(lookups.scopes, scope, "scope")
    start, end = _period(start, "from"), _period(end, "to")
    names = _scope_names()
    cond = [Observation.indicator_code == code]
    if scope_code:
        cond.append(Observation.scope == scope_code)
    if start:
        cond.append(Observation.period >= start)
    if end:
        cond.append(Observation.period <= end + "~")  # "~" sorts after every period written inside `end`
    stmt = (select(Observation.indicator_code, Indicator.name_zh.label("indicator_zh"),
                   Indicator.name_en.label("indicator_en"), Observation.period, Observation.scope.label("scope_code"),
                   case((Observation.scope == COUNTY, "新昌县"), else_=names.c.name_zh).label("scope_zh"),
                   case((Observation.scope == COUNTY, "Xinchang County"), else_=names.c.name_en).label("scope_en"),
                   Observation.value, Observation.unit, Observation.source, Observation.is_demo, Observation.run_id,
                   EtlRun.ended_at.label("loaded_at"))
            .join(Indicator, Indicator.code == Observation.indicator_code)
            .join(EtlRun, EtlRun.id == Observation.run_id)
            .outerjoin(names, names.c.code == Observation.scope)
            .where(and_(*cond)).order_by(Observation.scope, Observation.period))
    return stmt, {"indicator": code, "scope": scope_code, "from": start, "to": end}


def cases_query(conn, department: str | None, start: str | None, end: str | None) -> tuple[Select, dict]:
    dept = _resolve(Lookups.from_db(conn).departments, department, "department")
    lower, upper = _span(start, "from"), _span(end, "to")
    cond = []
    if dept:
        cond.append(MatterCase.department_code == dept)
    if lower:
        cond.append(MatterCase.submitted_at >= lower[0])
    if upper:
        cond.append(MatterCase.submitted_at < upper[1])  # `to` names a day, month or year: all of it counts
    on_time = type_coerce(case((MatterCase.completed_at.is_(None), None),
                               (MatterCase.completed_at <= MatterCase.due_at, True), else_=False), Boolean)
    stmt = (select(MatterCase.case_no, MatterCase.matter_code, Matter.name_zh.label("matter_zh"),
                   MatterCase.department_code, Department.name_zh.label("department_zh"), MatterCase.submitted_at,
                   MatterCase.accepted_at, MatterCase.completed_at, MatterCase.due_at, MatterCase.status,
                   on_time.label("on_time"), MatterCase.source, MatterCase.is_demo, MatterCase.run_id,
                   EtlRun.ended_at.label("loaded_at"))
            .join(Matter, Matter.code == MatterCase.matter_code)
            .join(Department, Department.code == MatterCase.department_code)
            .join(EtlRun, EtlRun.id == MatterCase.run_id)
            .where(and_(*cond)).order_by(MatterCase.submitted_at, MatterCase.case_no))
    return stmt, {"department": dept, "from": start, "to": end}


def chunks(engine, stmt: Select) -> Iterator[pd.DataFrame]:
    """The statement's rows in frames of CHUNK rows, from a server-side cursor where the driver has one."""
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(stmt)
        keys = list(result.keys())
        for part in result.partitions(CHUNK):
            yield pd.DataFrame(part, columns=keys)


def export(engine, kind: str, **params) -> tuple[list[str], Iterator[bytes], Meta]:
    """Validate the parameters (BadRequest/NotFound raised before any byte is sent), then the snapshot stream."""
    with engine.connect() as conn:
        if kind == "observations":
            stmt, filters = observations_query(conn, params.get("indicator"), params.get("scope"),
                                               params.get("from"), params.get("to"))
            columns = OBSERVATION_COLUMNS
        elif kind == "cases":
            stmt, filters = cases_query(conn, params.get("department"), params.get("from"), params.get("to"))
            columns = CASE_COLUMNS
        else:
            raise NotFound(f"unknown export {kind!r}")
    meta = Meta(kind=kind, filters=filters)
    return columns, stream(columns, chunks(engine, stmt), meta), meta


def init_app(server) -> None:
    """GET /export/observations.csv?indicator=&scope=&from=&to= and /export/cases.csv?department=&from=&to=."""
    from flask import Response, request, stream_with_context

    from cockpit import context
    from cockpit.errors import error_page

    @server.get("/export/<kind>.csv")
    def export_csv(kind: str):
        params = {k: request.args.get(k, type=str) for k in ("indicator", "scope", "department", "from", "to")}
        try:
            columns, body, meta = export(context.get().engine, kind, **params)
        except BadRequest as exc:
            return error_page(400, str(exc))
        except NotFound as exc:
            return error_page(404, str(exc))
        from cockpit import auth
        auth.record("export", request.full_path.rstrip("?"), json.dumps(meta.filters, ensure_ascii=False))
        name = "_".join(str(v) for v in [kind, *meta.filters.values()] if v)
        return Response(stream_with_context(body), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"',
                                 "Cache-Control": "no-store"})
