"""SQL for the two table exports (/export/observations.csv and /export/cases.csv, and `cockpit export`): the
parameters checked and resolved (a code or a name, as the file source reads them), the statements, and their rows
in chunks from a server-side cursor, so a large export never sits in memory whole."""
from __future__ import annotations

from datetime import date, datetime
from typing import Iterator

import pandas as pd
from sqlalchemy import Boolean, Select, and_, case, distinct, exists, literal, select, type_coerce, union_all

from cockpit.queries._sql import ON_TIME
from etl import clock
from etl.catalogue import Lookups
from etl.store import (
    COUNTY, Chain, Department, EtlRun, Firm, Indicator, Matter, MatterCase, Observation, Segment,
)
from etl.periods import normalise_period, period_start
from etl.store_trust import ObservationRevision as Vintage

CHUNK = 5000


class BadRequest(ValueError):
    """A parameter that cannot be understood (400)."""


class NotFound(LookupError):
    """A code or name that names nothing (404)."""


OBSERVATION_COLUMNS = ["indicator_code", "indicator_zh", "indicator_en", "period", "scope_code", "scope_zh",
                       "scope_en", "value", "unit", "revised", "source", "is_demo", "run_id", "loaded_at"]
CASE_COLUMNS = ["case_no", "matter_code", "matter_zh", "department_code", "department_zh", "submitted_at",
                "accepted_at", "completed_at", "due_at", "status", "on_time", "source", "is_demo", "run_id",
                "loaded_at"]


def _period(value: str | None, name: str) -> str | None:
    """The stored form of a period parameter (every form the README documents: 2021年, ２０２１-03, 2021年第一季度)."""
    if not value:
        return None
    period = normalise_period(value)
    if period is None:
        raise BadRequest(f"{name}: {value!r} is not a period (2021, 2021-03, 2021Q1, 2021-03-15)")
    return period


def bounds(period: str) -> tuple[date, date]:
    """The days a normalised period covers, as [first day, first day after it)."""
    start = pd.Timestamp(period_start(period))
    step = (pd.DateOffset(months=3) if "Q" in period else
            {4: pd.DateOffset(years=1), 7: pd.DateOffset(months=1), 10: pd.DateOffset(days=1)}[len(period)])
    return start.date(), (start + step).date()


def overlaps(period: str, start: str | None, end: str | None) -> bool:
    """Whether a stored period shares a day with [start, end] (periods compared as spans of days, not strings:
    from=2021-06 drops 2021Q1, which ends in March, and keeps 2021Q2 and the year 2021)."""
    normal = normalise_period(period)
    if normal is None:
        return False
    first, after = bounds(normal)
    return (not start or after > bounds(start)[0]) and (not end or first < bounds(end)[1])


def _span(value: str | None, name: str) -> tuple[str, datetime, datetime] | None:
    """A year, month or day: its stored form and [start, start of the next one)."""
    if not value:
        return None
    period = normalise_period(value)
    if period is None or "Q" in period:
        raise BadRequest(f"{name}: {value!r} is not a date (2021, 2021-03, 2021-03-15)")
    first, after = bounds(period)
    return period, datetime.combine(first, datetime.min.time()), datetime.combine(after, datetime.min.time())


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


SHOWN = ("indicator_code", "scope", "period", "value", "unit", "source", "is_demo", "run_id")


def as_of_rows(moment: datetime | None):
    """The observations as they stood at `moment` (naive UTC; None: now): a row whose run ended by then and that
    was not replaced before it, else the vintage whose run ended by then and was replaced after it."""
    if moment is None:
        return Observation.__table__
    ended = select(EtlRun.id).where(EtlRun.ended_at <= moment)
    current = select(*[Observation.__table__.c[c] for c in SHOWN]).where(Observation.run_id.in_(ended))
    kept = select(*[Vintage.__table__.c[c] for c in SHOWN]).where(Vintage.run_id.in_(ended),
                                                                   Vintage.replaced_at > moment)
    return union_all(current, kept).subquery("as_of")


def revised(rows, moment: datetime | None):
    """Whether the row's value had an earlier, different vintage by `moment` (None: now)."""
    cond = [Vintage.indicator_code == rows.c.indicator_code, Vintage.scope == rows.c.scope,
            Vintage.period == rows.c.period, Vintage.value != rows.c.value]
    if moment is not None:
        cond.append(Vintage.replaced_at <= moment)
    return type_coerce(case((exists(select(literal(1)).where(*cond)), True), else_=False), Boolean)


def observations_query(conn, indicator: str, scope: str | None, start: str | None, end: str | None,
                       moment: datetime | None = None) -> tuple[Select, dict]:
    """The export of one indicator's observations, as of `moment` (naive UTC, from as_of_moment) when given."""
    if not indicator:
        raise BadRequest("indicator is required")
    lookups = Lookups.from_db(conn)
    code = _resolve(lookups.indicators, indicator, "indicator")
    scope_code = _resolve(lookups.scopes, scope, "scope")
    start, end = _period(start, "from"), _period(end, "to")
    names, rows = _scope_names(), as_of_rows(moment)
    cond = [rows.c.indicator_code == code]
    if scope_code:
        cond.append(rows.c.scope == scope_code)
    if start or end:  # the indicator's periods are few: compare them as periods here, then select those kept
        periods = conn.execute(select(distinct(rows.c.period)).where(and_(*cond))).scalars()
        cond.append(rows.c.period.in_(sorted(p for p in periods if overlaps(p, start, end))))
    stmt = (select(rows.c.indicator_code, Indicator.name_zh.label("indicator_zh"),
                   Indicator.name_en.label("indicator_en"), rows.c.period, rows.c.scope.label("scope_code"),
                   case((rows.c.scope == COUNTY, "新昌县"), else_=names.c.name_zh).label("scope_zh"),
                   case((rows.c.scope == COUNTY, "Xinchang County"), else_=names.c.name_en).label("scope_en"),
                   rows.c.value, rows.c.unit, revised(rows, moment).label("revised"), rows.c.source, rows.c.is_demo,
                   rows.c.run_id, EtlRun.ended_at.label("loaded_at"))
            .join(Indicator, Indicator.code == rows.c.indicator_code)
            .join(EtlRun, EtlRun.id == rows.c.run_id)
            .outerjoin(names, names.c.code == rows.c.scope)
            .where(and_(*cond)).order_by(rows.c.scope, rows.c.period))
    return stmt, {"indicator": code, "scope": scope_code, "from": start, "to": end}


def as_of_moment(conn, value: str | None) -> datetime | None:
    """`as_of` (an ISO time, civil in COCKPIT_TZ unless it names its offset, or a load run's id) as the naive-UTC
    moment whose snapshot to reproduce; None for none or for one not in the past (the present is shown)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        moment = conn.execute(select(EtlRun.ended_at).where(EtlRun.id == int(text))).scalar()
        if moment is None:
            raise BadRequest(f"as_of: no finished load run {text}")
    else:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise BadRequest(f"as_of: {value!r} is neither a time (2026-03-01T09:30) nor a load run id") from None
        moment = (clock.stored(parsed) if parsed.tzinfo else clock.local_to_utc(parsed)).replace(microsecond=0)
    return None if moment >= clock.utc_now() else moment


def cases_query(conn, department: str | None, start: str | None, end: str | None) -> tuple[Select, dict]:
    dept = _resolve(Lookups.from_db(conn).departments, department, "department")
    lower, upper = _span(start, "from"), _span(end, "to")
    cond = []
    if dept:
        cond.append(MatterCase.department_code == dept)
    if lower:
        cond.append(MatterCase.submitted_at >= lower[1])
    if upper:
        cond.append(MatterCase.submitted_at < upper[2])  # `to` names a day, month or year: all of it counts
    on_time = type_coerce(case((MatterCase.completed_at.is_(None), None),
                               (ON_TIME, True), else_=False), Boolean)
    stmt = (select(MatterCase.case_no, MatterCase.matter_code, Matter.name_zh.label("matter_zh"),
                   MatterCase.department_code, Department.name_zh.label("department_zh"), MatterCase.submitted_at,
                   MatterCase.accepted_at, MatterCase.completed_at, MatterCase.due_at, MatterCase.status,
                   on_time.label("on_time"), MatterCase.source, MatterCase.is_demo, MatterCase.run_id,
                   EtlRun.ended_at.label("loaded_at"))
            .join(Matter, Matter.code == MatterCase.matter_code)
            .join(Department, Department.code == MatterCase.department_code)
            .join(EtlRun, EtlRun.id == MatterCase.run_id)
            .where(and_(*cond)).order_by(MatterCase.submitted_at, MatterCase.case_no))
    return stmt, {"department": dept, "from": lower and lower[0], "to": upper and upper[0]}


def chunks(engine, stmt: Select) -> Iterator[pd.DataFrame]:
    """The statement's rows in frames of CHUNK rows, from a server-side cursor where the driver has one."""
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(stmt)
        keys = list(result.keys())
        for part in result.partitions(CHUNK):
            # plain tuples: pandas probes each Row with hasattr(), which SQLAlchemy answers by raising and
            # catching a KeyError per row (a quarter of a large export's CPU)
            yield pd.DataFrame([tuple(row) for row in part], columns=keys)


