"""SQL → DataFrames for the department drill-downs (and the dimensions the chain ones share), memoised by data
version.

Every frame carries `run_id`, `loaded_at` (the end of that load run) and `is_demo`, so a panel can show its
provenance and export a snapshot footer; periods are whole years given as strings ('2021'), None = unbounded.
"""
from __future__ import annotations

from functools import cache

import pandas as pd
from sqlalchemy import bindparam, case, func, literal, select, union_all

from cockpit.cache import memo
from cockpit.queries._sql import (bounds, connection, days, demo_flag, demo_max, frame, month, newest_run,
                                  on_time_count, run_columns, span, with_loaded_at)
from etl.store import Chain, Department, EtlRun, Firm, Indicator, Matter, MatterCase, Resource, ResourceType, Segment

DAY_BINS = (1, 2, 3, 5, 7, 10, 15, 20, 30, 45, 60)  # processing-time histogram edges, in days


@memo
def dimension(engine, kind: str) -> pd.DataFrame:
    """Codes and names of departments, chains, segments, firms or resource types (small, cached)."""
    model = {"department": Department, "chain": Chain, "segment": Segment, "firm": Firm, "type": ResourceType}[kind]
    return frame(engine, select(*model.__table__.c).order_by(model.code))


def dimension_row(engine, kind: str, code) -> dict | None:
    """One department, chain, segment, firm or resource type by code, or None when the code names nothing."""
    dims = dimension(engine, kind)
    row = dims[dims["code"] == code]
    return None if row.empty else row.iloc[0].to_dict()


@memo
def indicators(engine) -> pd.DataFrame:
    return frame(engine, select(*Indicator.__table__.c)).set_index("code", drop=False)


@memo
def case_years(engine) -> tuple[str, ...]:
    # Two scalar subqueries: each is one index probe, where min() and max() in one SELECT scan the table (SQLite).
    low_, high_ = (select(f(MatterCase.submitted_at)).scalar_subquery() for f in (func.min, func.max))
    with connection(engine) as conn:
        low, high = conn.execute(select(low_.label("low"), high_.label("high"))).one()
    return tuple(str(y) for y in range(low.year, high.year + 1)) if low else ()


def _done(start: bool, end: bool, code: bool = True) -> list:
    cond = [MatterCase.status == "completed", *span(MatterCase.completed_at, start, end)]
    return cond + ([MatterCase.department_code == bindparam("code")] if code else [])


def _params(code, start, end, **more) -> dict:
    return {**({"code": code} if code else {}), **bounds(start, end), **more}


@cache
def _ranking_stmt(dialect: str, start: bool, end: bool, code: bool):
    done = (select(MatterCase.department_code.label("code"), func.count().label("handled"),
                   on_time_count().label("on_time"),
                   func.avg(days(dialect, MatterCase.accepted_at, MatterCase.completed_at)).label("avg_days"),
                   newest_run(), demo_max(MatterCase.is_demo))
            .where(*_done(start, end, code)).group_by(MatterCase.department_code).subquery())
    stmt = (select(Department.code, Department.name_zh, Department.name_en,
                   func.coalesce(done.c.handled, 0).label("handled"), func.coalesce(done.c.on_time, 0).label("on_time"),
                   done.c.avg_days, done.c.run_id, done.c.is_demo).outerjoin(done, done.c.code == Department.code)
            .where(*([Department.code == bindparam("code")] if code else [])))
    return with_loaded_at(stmt, "code")


@memo
def department_ranking(engine, start: str | None, end: str | None, code: str | None = None) -> pd.DataFrame:
    """Every department (or just `code`) with the cases it completed in the period, how many on time, mean days."""
    stmt = _ranking_stmt(engine.dialect.name, bool(start), bool(end), bool(code))
    df = run_columns(frame(engine, stmt, _params(code, start, end)))
    df["on_time_rate"] = (100 * df["on_time"] / df["handled"].where(df["handled"] > 0)).round(2)
    df["avg_days"] = pd.to_numeric(df["avg_days"]).round(2)
    return df


@cache
def _monthly_stmt(dialect: str, start: bool, end: bool, code: bool):
    by_month = month(dialect, MatterCase.completed_at)
    stmt = (select(MatterCase.department_code.label("code"), by_month.label("month"), func.count().label("handled"),
                   on_time_count().label("on_time"),
                   newest_run(), demo_max(MatterCase.is_demo))
            .where(*_done(start, end, code)).group_by(MatterCase.department_code, by_month))
    return with_loaded_at(stmt, "code", "month")


@memo
def monthly(engine, code: str | None, start: str | None, end: str | None) -> pd.DataFrame:
    """Cases completed (and on time) per department and month; one department when `code` is given."""
    df = run_columns(frame(engine, _monthly_stmt(engine.dialect.name, bool(start), bool(end), bool(code)),
                      _params(code, start, end)))
    df["on_time_rate"] = (100 * df["on_time"] / df["handled"]).round(2)
    return df


@cache
def _days_stmt(dialect: str, start: bool, end: bool):
    taken = days(dialect, MatterCase.accepted_at, MatterCase.completed_at)
    bin_ = case(*[(taken < edge, i) for i, edge in enumerate(DAY_BINS)], else_=len(DAY_BINS))
    stmt = (select(bin_.label("bin"), func.count().label("cases"), newest_run(),
                   demo_max(MatterCase.is_demo)).where(*_done(start, end)).group_by(bin_))
    return with_loaded_at(stmt, "bin")


@memo
def processing_days(engine, code: str, start: str | None, end: str | None) -> pd.DataFrame:
    """A histogram of processing days (acceptance to completion) of the department's completed cases."""
    df = run_columns(frame(engine, _days_stmt(engine.dialect.name, bool(start), bool(end)), _params(code, start, end)))
    lows = (0,) + DAY_BINS
    df["range"] = [f"{lows[b]}-{DAY_BINS[b]}" if b < len(DAY_BINS) else f"{DAY_BINS[-1]}+" for b in df["bin"]]
    df["department_code"] = code
    return df


@cache
def _matters_stmt(start: bool, end: bool):
    counted = (select(MatterCase.matter_code, func.count().label("submitted"),
                      func.sum(case((MatterCase.status == "completed", 1), else_=0)).label("completed"),
                      newest_run())
               .where(MatterCase.department_code == bindparam("code"), *span(MatterCase.submitted_at, start, end))
               .group_by(MatterCase.matter_code).subquery())
    stmt = (select(Matter.code.label("matter_code"), Matter.name_zh.label("matter_zh"),
                   Matter.name_en.label("matter_en"), Matter.section, Matter.promised_days,
                   func.coalesce(counted.c.submitted, 0).label("submitted"),
                   func.coalesce(counted.c.completed, 0).label("completed"), counted.c.run_id,
                   demo_flag(Matter.is_demo))
            .outerjoin(counted, counted.c.matter_code == Matter.code).where(Matter.department_code == bindparam("code")))
    return with_loaded_at(stmt, "-submitted", "matter_code")


@memo
def matter_volumes(engine, code: str, start: str | None, end: str | None) -> pd.DataFrame:
    """The department's innovation matters with the cases submitted and completed in the period, most first."""
    return run_columns(frame(engine, _matters_stmt(bool(start), bool(end)), _params(code, start, end)))


@cache
def _resources_stmt(by_department: bool):
    return (select(Resource.code, Resource.name_zh, Resource.name_en, Resource.type_code,
                   ResourceType.name_zh.label("type_zh"), ResourceType.name_en.label("type_en"), Resource.provider,
                   Resource.department_code, Department.name_zh.label("department_zh"),
                   Department.name_en.label("department_en"), Resource.chain_code, Chain.name_zh.label("chain_zh"),
                   Chain.name_en.label("chain_en"), Resource.source, Resource.run_id,
                   demo_flag(Resource.is_demo), EtlRun.ended_at.label("loaded_at"))
            .join(ResourceType, ResourceType.code == Resource.type_code)
            .outerjoin(Department, Department.code == Resource.department_code)
            .outerjoin(Chain, Chain.code == Resource.chain_code).outerjoin(EtlRun, EtlRun.id == Resource.run_id)
            .where((Resource.department_code if by_department else Resource.chain_code) == bindparam("code"))
            .order_by(Resource.type_code, Resource.code))


@memo
def resources(engine, department: str | None = None, chain: str | None = None) -> pd.DataFrame:
    """The innovation resources a department provides or that serve a chain, with type and chain names."""
    return run_columns(frame(engine, _resources_stmt(bool(department)), {"code": department or chain}))


@cache
def _cases_stmt(dialect: str, start: bool, end: bool, matter: bool, limit: int):
    cond = [MatterCase.department_code == bindparam("code"), *span(MatterCase.submitted_at, start, end)]
    if matter:
        cond.append(MatterCase.matter_code == bindparam("matter"))
    return (select(MatterCase.case_no, MatterCase.matter_code, Matter.name_zh.label("matter_zh"),
                   Matter.name_en.label("matter_en"), MatterCase.department_code, MatterCase.submitted_at,
                   MatterCase.completed_at, MatterCase.due_at, MatterCase.status,
                   days(dialect, MatterCase.accepted_at, MatterCase.completed_at).label("days"),
                   MatterCase.source, MatterCase.run_id, demo_flag(MatterCase.is_demo),
                   EtlRun.ended_at.label("loaded_at"))
            .join(Matter, Matter.code == MatterCase.matter_code).outerjoin(EtlRun, EtlRun.id == MatterCase.run_id)
            .where(*cond).order_by(MatterCase.submitted_at.desc(), MatterCase.case_no.desc()).limit(limit))


@memo
def cases(engine, code: str, start: str | None, end: str | None, matter: str | None, limit: int = 500) -> pd.DataFrame:
    """The department's latest cases submitted in the period (one matter's when given), newest first."""
    stmt = _cases_stmt(engine.dialect.name, bool(start), bool(end), bool(matter), limit)
    df = run_columns(frame(engine, stmt, _params(code, start, end, **({"matter": matter} if matter else {}))))
    for col in ("submitted_at", "completed_at", "due_at"):
        df[col] = pd.to_datetime(df[col])
    df["days"] = pd.to_numeric(df["days"]).round(1)
    df["on_time"] = (df["completed_at"] <= df["due_at"]).where(df["completed_at"].notna())
    return df


@cache
def _months_stmt(dialect: str, start: bool, end: bool):
    got, done = month(dialect, MatterCase.submitted_at), month(dialect, MatterCase.completed_at)
    taken = days(dialect, MatterCase.accepted_at, MatterCase.completed_at)
    zero = literal(0)
    received = (select(got.label("month"), func.count().label("submitted"), zero.label("handled"),
                       zero.label("on_time"), literal(0.0).label("days_sum"), zero.label("days_n"),
                       newest_run(), demo_max(MatterCase.is_demo))
                .where(MatterCase.department_code == bindparam("code"), *span(MatterCase.submitted_at, start, end))
                .group_by(got))
    completed = (select(done.label("month"), zero.label("submitted"), func.count().label("handled"),
                        on_time_count().label("on_time"),
                        func.sum(taken).label("days_sum"), func.count(taken).label("days_n"),
                        newest_run(), demo_max(MatterCase.is_demo))
                 .where(*_done(start, end)).group_by(done))
    both = union_all(received, completed).subquery()
    stmt = (select(both.c.month, *[func.sum(both.c[c]).label(c) for c in ("submitted", "handled", "on_time",
                                                                            "days_sum", "days_n")],
                   func.max(both.c.run_id).label("run_id"), func.max(both.c.is_demo).label("is_demo"))
            .group_by(both.c.month))
    return with_loaded_at(stmt, "month")


@memo
def department_months(engine, code: str, start: str | None, end: str | None) -> pd.DataFrame:
    """Per month: cases the department received, and completed (on time, and their processing days), with the
    newest run of either. One query: the received and the completed counts are grouped apart, then by month."""
    df = run_columns(frame(engine, _months_stmt(engine.dialect.name, bool(start), bool(end)), _params(code, start, end)))
    for col in ("submitted", "handled", "on_time", "days_n"):
        df[col] = df[col].fillna(0).astype(int)
    df["days_sum"] = df["days_sum"].astype(float)
    df["on_time_rate"] = (100 * df["on_time"] / df["handled"].where(df["handled"] > 0)).round(2)
    return df
