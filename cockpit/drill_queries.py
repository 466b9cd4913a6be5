"""SQL → DataFrames for the department drill-downs (and helpers the chain ones share), memoised by data version.

Every frame carries `run_id`, `loaded_at` (the end of that load run) and `is_demo`, so a panel can show its
provenance and export a snapshot footer; periods are whole years given as strings ('2021'), None = unbounded.
"""
from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import case, extract, func, select

from cockpit.queries import _frame, memo
from etl.store import Chain, Department, EtlRun, Firm, Indicator, Matter, MatterCase, Resource, ResourceType, Segment

DAY_BINS = (1, 2, 3, 5, 7, 10, 15, 20, 30, 45, 60)  # processing-time histogram edges, in days


def _demo(col):
    return func.max(case((col, 1), else_=0)).label("is_demo")


def _span(col, start: str | None, end: str | None) -> list:
    cond = []
    if start:
        cond.append(col >= datetime(int(start), 1, 1))
    if end:
        cond.append(col < datetime(int(end) + 1, 1, 1))
    return cond


def _month(engine, col):
    return func.strftime("%Y-%m", col) if engine.dialect.name == "sqlite" else func.to_char(col, "YYYY-MM")


def _days(engine, start, end):
    if engine.dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return extract("epoch", end - start) / 86400.0


def _with_runs(engine, df: pd.DataFrame) -> pd.DataFrame:
    """Add `loaded_at` (the end of each row's run) and make `is_demo` a bool."""
    df = df.assign(run_id=pd.to_numeric(df["run_id"]).astype("Float64"))
    wanted = [int(r) for r in df["run_id"].dropna().unique()]
    runs = _frame(engine, select(EtlRun.id.label("run_id"), EtlRun.ended_at.label("loaded_at"))
                  .where(EtlRun.id.in_(wanted)))
    df = df.merge(runs.astype({"run_id": "Float64"}), on="run_id", how="left")
    return df.assign(is_demo=df["is_demo"].fillna(0).astype(bool))


@memo
def dimension(engine, kind: str) -> pd.DataFrame:
    """Codes and names of departments, chains, segments, firms or resource types (small, cached)."""
    model = {"department": Department, "chain": Chain, "segment": Segment, "firm": Firm, "type": ResourceType}[kind]
    return _frame(engine, select(*model.__table__.c).order_by(model.code))


@memo
def indicators(engine) -> pd.DataFrame:
    return _frame(engine, select(*Indicator.__table__.c)).set_index("code", drop=False)


@memo
def case_years(engine) -> tuple[str, ...]:
    with engine.connect() as conn:
        low, high = conn.execute(select(func.min(MatterCase.submitted_at), func.max(MatterCase.submitted_at))).one()
    return tuple(str(y) for y in range(low.year, high.year + 1)) if low else ()


def _done(engine, start, end, code=None):
    cond = [MatterCase.status == "completed", *_span(MatterCase.completed_at, start, end)]
    return cond + ([MatterCase.department_code == code] if code else [])


@memo
def department_ranking(engine, start: str | None, end: str | None, code: str | None = None) -> pd.DataFrame:
    """Every department (or just `code`) with the cases it completed in the period, how many on time, mean days."""
    done = (select(MatterCase.department_code.label("code"), func.count().label("handled"),
                   func.sum(case((MatterCase.completed_at <= MatterCase.due_at, 1), else_=0)).label("on_time"),
                   func.avg(_days(engine, MatterCase.accepted_at, MatterCase.completed_at)).label("avg_days"),
                   func.max(MatterCase.run_id).label("run_id"), _demo(MatterCase.is_demo))
            .where(*_done(engine, start, end, code)).group_by(MatterCase.department_code).subquery())
    stmt = (select(Department.code, Department.name_zh, Department.name_en,
                   func.coalesce(done.c.handled, 0).label("handled"), func.coalesce(done.c.on_time, 0).label("on_time"),
                   done.c.avg_days, done.c.run_id, done.c.is_demo).outerjoin(done, done.c.code == Department.code)
            .where(*([Department.code == code] if code else [])))
    df = _with_runs(engine, _frame(engine, stmt))
    df["on_time_rate"] = (100 * df["on_time"] / df["handled"].where(df["handled"] > 0)).round(2)
    df["avg_days"] = pd.to_numeric(df["avg_days"]).round(2)
    return df


@memo
def monthly(engine, code: str | None, start: str | None, end: str | None) -> pd.DataFrame:
    """Cases completed (and on time) per department and month; one department when `code` is given."""
    month = _month(engine, MatterCase.completed_at)
    stmt = (select(MatterCase.department_code.label("code"), month.label("month"), func.count().label("handled"),
                   func.sum(case((MatterCase.completed_at <= MatterCase.due_at, 1), else_=0)).label("on_time"),
                   func.max(MatterCase.run_id).label("run_id"), _demo(MatterCase.is_demo))
            .where(*_done(engine, start, end, code)).group_by(MatterCase.department_code, month)
            .order_by(MatterCase.department_code, month))
    df = _with_runs(engine, _frame(engine, stmt))
    df["on_time_rate"] = (100 * df["on_time"] / df["handled"]).round(2)
    return df


@memo
def submitted_monthly(engine, code: str, start: str | None, end: str | None) -> pd.DataFrame:
    month = _month(engine, MatterCase.submitted_at)
    stmt = (select(month.label("month"), func.count().label("submitted"), func.max(MatterCase.run_id).label("run_id"),
                   _demo(MatterCase.is_demo))
            .where(MatterCase.department_code == code, *_span(MatterCase.submitted_at, start, end))
            .group_by(month).order_by(month))
    return _with_runs(engine, _frame(engine, stmt))


@memo
def processing_days(engine, code: str, start: str | None, end: str | None) -> pd.DataFrame:
    """A histogram of processing days (acceptance to completion) of the department's completed cases."""
    days = _days(engine, MatterCase.accepted_at, MatterCase.completed_at)
    bin_ = case(*[(days < edge, i) for i, edge in enumerate(DAY_BINS)], else_=len(DAY_BINS))
    stmt = (select(bin_.label("bin"), func.count().label("cases"), func.max(MatterCase.run_id).label("run_id"),
                   _demo(MatterCase.is_demo)).where(*_done(engine, start, end, code)).group_by(bin_).order_by(bin_))
    df = _with_runs(engine, _frame(engine, stmt))
    lows = (0,) + DAY_BINS
    df["range"] = [f"{lows[b]}-{DAY_BINS[b]}" if b < len(DAY_BINS) else f"{DAY_BINS[-1]}+" for b in df["bin"]]
    return df.assign(department_code=code)


@memo
def matter_volumes(engine, code: str, start: str | None, end: str | None) -> pd.DataFrame:
    """The department's innovation matters with the cases submitted and completed in the period."""
    counted = (select(MatterCase.matter_code, func.count().label("submitted"),
                      func.sum(case((MatterCase.status == "completed", 1), else_=0)).label("completed"),
                      func.max(MatterCase.run_id).label("run_id"))
               .where(MatterCase.department_code == code, *_span(MatterCase.submitted_at, start, end))
               .group_by(MatterCase.matter_code).subquery())
    stmt = (select(Matter.code.label("matter_code"), Matter.name_zh.label("matter_zh"),
                   Matter.name_en.label("matter_en"), Matter.section, Matter.promised_days,
                   func.coalesce(counted.c.submitted, 0).label("submitted"),
                   func.coalesce(counted.c.completed, 0).label("completed"), counted.c.run_id,
                   case((Matter.is_demo, 1), else_=0).label("is_demo"))
            .outerjoin(counted, counted.c.matter_code == Matter.code).where(Matter.department_code == code)
            .order_by(Matter.code))
    return _with_runs(engine, _frame(engine, stmt)).sort_values(["submitted", "matter_code"], ascending=[False, True])


@memo
def resources(engine, department: str | None = None, chain: str | None = None) -> pd.DataFrame:
    """The innovation resources a department provides or that serve a chain, with type and chain names."""
    stmt = (select(Resource.code, Resource.name_zh, Resource.name_en, Resource.type_code,
                   ResourceType.name_zh.label("type_zh"), ResourceType.name_en.label("type_en"), Resource.provider,
                   Resource.department_code, Department.name_zh.label("department_zh"),
                   Department.name_en.label("department_en"), Resource.chain_code, Chain.name_zh.label("chain_zh"),
                   Chain.name_en.label("chain_en"), Resource.source, Resource.run_id,
                   case((Resource.is_demo, 1), else_=0).label("is_demo"))
            .join(ResourceType, ResourceType.code == Resource.type_code)
            .outerjoin(Department, Department.code == Resource.department_code)
            .outerjoin(Chain, Chain.code == Resource.chain_code)
            .where(Resource.department_code == department if department else Resource.chain_code == chain)
            .order_by(Resource.type_code, Resource.code))
    return _with_runs(engine, _frame(engine, stmt))


@memo
def cases(engine, code: str, start: str | None, end: str | None, matter: str | None, limit: int = 500) -> pd.DataFrame:
    """The department's latest cases submitted in the period (one matter's when given), newest first."""
    cond = [MatterCase.department_code == code, *_span(MatterCase.submitted_at, start, end)]
    if matter:
        cond.append(MatterCase.matter_code == matter)
    stmt = (select(MatterCase.case_no, MatterCase.matter_code, Matter.name_zh.label("matter_zh"),
                   Matter.name_en.label("matter_en"), MatterCase.department_code, MatterCase.submitted_at,
                   MatterCase.completed_at, MatterCase.due_at, MatterCase.status,
                   _days(engine, MatterCase.accepted_at, MatterCase.completed_at).label("days"),
                   MatterCase.source, MatterCase.run_id, case((MatterCase.is_demo, 1), else_=0).label("is_demo"))
            .join(Matter, Matter.code == MatterCase.matter_code).where(*cond)
            .order_by(MatterCase.submitted_at.desc(), MatterCase.case_no.desc()).limit(limit))
    df = _with_runs(engine, _frame(engine, stmt))
    for col in ("submitted_at", "completed_at", "due_at"):
        df[col] = pd.to_datetime(df[col])
    df["days"] = pd.to_numeric(df["days"]).round(1)
    df["on_time"] = (df["completed_at"] <= df["due_at"]).where(df["completed_at"].notna())
    return df


@memo
def department_months(engine, code: str, start: str | None, end: str | None) -> pd.DataFrame:
    """Per month: cases the department received, and completed (on time), with the newest run of either."""
    sub, done = submitted_monthly(engine, code, start, end), monthly(engine, code, start, end)
    df = sub.merge(done.drop(columns="code"), on="month", how="outer", suffixes=("_s", "_d")).sort_values("month")
    df["run_id"] = df[["run_id_s", "run_id_d"]].max(axis=1)
    df["loaded_at"] = df[["loaded_at_s", "loaded_at_d"]].max(axis=1)
    df["is_demo"] = df["is_demo_s"].fillna(False).astype(bool) | df["is_demo_d"].fillna(False).astype(bool)
    for col in ("submitted", "handled", "on_time"):
        df[col] = df[col].fillna(0).astype(int)
    return df.drop(columns=[c for c in df if c.endswith(("_s", "_d"))]).reset_index(drop=True)
