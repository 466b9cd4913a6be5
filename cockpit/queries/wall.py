"""SQL → DataFrames for the wall (SQLAlchemy Core against etl.store), memoised by data version; no Dash here."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from sqlalchemy import and_, case, func, select

from cockpit.cache import memo
from cockpit.queries._sql import (connection, demo_max, frame, in_period_order, latest_period, newest_run,
                                  on_time_count, revision_columns)
from cockpit.queries.staleness import judge
from etl import clock
from etl.store import (
    COUNTY, Chain, Department, EtlRun, Firm, Indicator, Matter, MatterCase, Observation, Resource, ResourceType,
    Segment,
)

KPI_CODES = ("rd_intensity", "rd_spending", "listed_firms", "high_tech_firms", "invention_patents",
             "matters_handled", "innovation_resources", "departments_connected", "talent_introduced")
def _observations(codes, scope_filter):
    """Observations with their indicator's names and unit, and the end time of the run that loaded them."""
    return (select(Observation.indicator_code.label("code"), Observation.period, Observation.scope,
                   Observation.value, Observation.source, Observation.is_demo, EtlRun.ended_at.label("loaded_at"),
                   EtlRun.checks.label("run_checks"), EtlRun.job.label("run_job"), *revision_columns(Observation), Indicator.name_zh, Indicator.name_en, Indicator.unit, Indicator.target,
                   Indicator.higher_is_better, Indicator.cadence, Indicator.lag_days, Indicator.grace_days)
            .join(Indicator, Indicator.code == Observation.indicator_code)
            .join(EtlRun, EtlRun.id == Observation.run_id)
            .where(Observation.indicator_code.in_(codes), scope_filter)
            .order_by(Observation.indicator_code, Observation.period))


@memo
def county_series(engine, codes: tuple[str, ...]) -> pd.DataFrame:
    """The county's value for `codes` in every period of each indicator's own granularity, oldest first."""
    return in_period_order(frame(engine, _observations(codes, Observation.scope == COUNTY)))


@memo
def indicator_meta(engine) -> pd.DataFrame:
    """The catalogue's indicators (names, unit, target, direction, cadence), indexed by code."""
    return frame(engine, select(Indicator.code, Indicator.name_zh, Indicator.name_en, Indicator.unit,
                                 Indicator.target, Indicator.higher_is_better, Indicator.cadence, Indicator.lag_days,
                                 Indicator.grace_days)).set_index("code", drop=False)


def _no_value(meta: dict) -> dict:
    """A KPI row with nothing to show yet (the tile draws a dash and says what is missing)."""
    return {**meta, "period": "", "scope": COUNTY, "value": None, "source": "", "is_demo": False, "loaded_at": None,
            "compare": None, "compare_kind": "last"}


@memo
def kpis(engine, today: str) -> pd.DataFrame:
    """One row per KPI tile, every tile always: the latest value of the indicator's own granularity and the value
    it is compared with (the previous period of that granularity, or the same span of last year for matters
    handled, which runs year-to-date); value None when the store has none yet."""
    series, meta = county_series(engine, KPI_CODES), indicator_meta(engine)
    by_code = {code: rows for code, rows in series.groupby("code", sort=False)}  # one split, not a filter per tile
    rows = []
    for code in (c for c in KPI_CODES if c in meta.index):
        if code == "matters_handled":
            rows.append(matters_ytd(engine, today))
            continue
        s = by_code.get(code)
        if s is None:
            rows.append(_no_value(meta.loc[code].to_dict()))
            continue
        last = s.iloc[-1].to_dict()
        last["compare"] = s.iloc[-2]["value"] if len(s) > 1 else None
        last["compare_kind"] = "last"
        rows.append(last)
    return pd.DataFrame([row | judged(row, today) for row in rows])


def judged(row: dict, today: str) -> dict:
    """A figure's staleness (current | due | overdue, None without a figure) and its due date, as of `today`."""
    if _absent(row.get("value")):
        return {"staleness": None, "due": None}
    loaded = row.get("loaded_at")
    loaded_on = clock.shown(pd.Timestamp(loaded)).date() if loaded is not None and pd.notna(loaded) else None
    out = judge(row.get("period") or None, row.get("cadence"), date.fromisoformat(today), row.get("lag_days"),
                row.get("grace_days"), loaded_on=loaded_on)
    return {"staleness": out["staleness"], "due": out["due"].isoformat() if out["due"] else None}


def _absent(value) -> bool:
    return value is None or bool(pd.isna(value))


def _ytd_counts(engine, start: datetime, end: datetime, provenance: bool = True):
    """Cases completed in [start, end): how many and, with `provenance`, their newest run, source and demo flag
    (a count alone reads a quarter as much of the index)."""
    done = and_(MatterCase.status == "completed", MatterCase.completed_at >= start, MatterCase.completed_at < end)
    extra = [newest_run(), func.max(MatterCase.source).label("source"), demo_max(MatterCase.is_demo)] if provenance else []
    with connection(engine) as conn:
        return conn.execute(select(func.count().label("n"), *extra).where(done)).one()


def matters_ytd(engine, today: str) -> dict:
    day = date.fromisoformat(today)
    now = clock.local_now()  # case times are civil times in COCKPIT_TZ: the year is cut at its New Year
    this = _ytd_counts(engine, datetime(day.year, 1, 1), now)
    last_end = now.replace(year=day.year - 1) if not (day.month == 2 and day.day == 29) else datetime(day.year - 1, 2, 28)
    last = _ytd_counts(engine, datetime(day.year - 1, 1, 1), last_end, provenance=False)  # compared: its count
    meta = indicator_meta(engine).loc["matters_handled"].to_dict()
    if not this.n and not has_data(engine)["cases"]:  # no case loaded at all: nothing to count, not zero
        return _no_value(meta)
    return {**meta, "period": f"{day.year}", "scope": COUNTY, "value": float(this.n),
            "source": this.source or "", "is_demo": bool(this.is_demo), "loaded_at": _run_end(engine, this.run_id),
            "compare": float(last.n) if last.n else None, "compare_kind": "ytd"}


@memo
def has_data(engine) -> dict[str, bool]:
    """Whether the store holds any matter case, resource, firm and matter yet (what an empty panel says is missing)."""
    models = {"cases": MatterCase.case_no, "resources": Resource.code, "firms": Firm.code, "matters": Matter.code}
    with connection(engine) as conn:
        return {k: conn.execute(select(col).limit(1)).first() is not None for k, col in models.items()}


def _run_end(engine, run_id):
    if run_id is None:
        return None
    with connection(engine) as conn:  # a plain int: SQLite binds a numpy integer as a blob that matches nothing
        return conn.execute(select(EtlRun.ended_at).where(EtlRun.id == int(run_id))).scalar()


@memo
def department_matters(engine, today: str) -> pd.DataFrame:
    """Cases completed this year by department (all 33, zero when none), with the on-time count."""
    day = date.fromisoformat(today)
    done = (select(MatterCase.department_code.label("code"), func.count().label("handled"),
                   on_time_count().label("on_time"), newest_run(), func.max(MatterCase.source).label("source"),
                   demo_max(MatterCase.is_demo))
            .where(MatterCase.status == "completed", MatterCase.completed_at >= datetime(day.year, 1, 1))
            .group_by(MatterCase.department_code).subquery())
    stmt = (select(Department.code, Department.name_zh, Department.name_en,
                   func.coalesce(done.c.handled, 0).label("handled"), func.coalesce(done.c.on_time, 0).label("on_time"),
                   done.c.run_id, done.c.source, func.coalesce(done.c.is_demo, 0).label("is_demo"))
            .outerjoin(done, done.c.code == Department.code))
    df = frame(engine, stmt)
    df["is_demo"] = df["is_demo"].astype(bool)
    df.attrs["loaded_at"] = _run_end(engine, df["run_id"].max() if df["run_id"].notna().any() else None)
    return df.sort_values(["handled", "code"], ascending=[False, True]).reset_index(drop=True)


@memo
def resources_by_type(engine) -> pd.DataFrame:
    """How many innovation resources of each type, every type listed."""
    counted = (select(Resource.type_code, func.count().label("n"), func.max(Resource.run_id).label("run_id"),
                      func.max(Resource.source).label("source"), demo_max(Resource.is_demo))
               .group_by(Resource.type_code).subquery())
    stmt = (select(ResourceType.code, ResourceType.name_zh, ResourceType.name_en,
                   func.coalesce(counted.c.n, 0).label("n"), counted.c.run_id, counted.c.source,
                   func.coalesce(counted.c.is_demo, 0).label("is_demo"))
            .outerjoin(counted, counted.c.type_code == ResourceType.code).order_by(ResourceType.code))
    df = frame(engine, stmt)
    df["is_demo"] = df["is_demo"].astype(bool)
    df.attrs["loaded_at"] = _run_end(engine, df["run_id"].max() if df["run_id"].notna().any() else None)
    return df


@memo
def chain_segments(engine, indicator: str = "rd_spending") -> pd.DataFrame:
    """Each chain's segments with the `indicator` value of the latest period of its granularity, and their firm
    counts (the latest picked in time order: as text '2025Q3' sorts after '2025')."""
    observed = (select(Observation.period).join(Segment, Segment.code == Observation.scope)
                .where(Observation.indicator_code == indicator).distinct())
    with connection(engine) as conn:
        seen = conn.execute(observed).scalars().all()
    meta = indicator_meta(engine)
    latest = latest_period(seen, meta.loc[indicator, "cadence"] if indicator in meta.index else None)
    firms = (select(Firm.segment_code, func.count().label("firms"),
                    func.sum(case((Firm.high_tech, 1), else_=0)).label("high_tech"))
             .group_by(Firm.segment_code).subquery())
    stmt = (select(Chain.code.label("chain_code"), Chain.name_zh.label("chain_zh"), Chain.name_en.label("chain_en"),
                   Segment.code.label("segment_code"), Segment.name_zh.label("segment_zh"),
                   Segment.name_en.label("segment_en"), Observation.value, Observation.period, Observation.source,
                   Observation.is_demo, EtlRun.ended_at.label("loaded_at"),
                   func.coalesce(firms.c.firms, 0).label("firms"), func.coalesce(firms.c.high_tech, 0).label("high_tech"))
            .join(Chain, Chain.code == Segment.chain_code)
            .join(Observation, and_(Observation.scope == Segment.code, Observation.indicator_code == indicator,
                                    Observation.period == (latest or "")))
            .join(EtlRun, EtlRun.id == Observation.run_id)
            .outerjoin(firms, firms.c.segment_code == Segment.code)
            .order_by(Chain.code, Segment.code))
    return frame(engine, stmt)


@memo
def latest_cases(engine, limit: int = 16) -> pd.DataFrame:
    """The newest matter cases with their matter and department names, newest first."""
    stmt = (select(MatterCase.case_no, MatterCase.submitted_at, MatterCase.status, MatterCase.is_demo,
                   MatterCase.source, Matter.name_zh.label("matter_zh"), Matter.name_en.label("matter_en"),
                   Department.name_zh.label("dept_zh"), Department.name_en.label("dept_en"),
                   MatterCase.run_id, EtlRun.ended_at.label("loaded_at"))
            .join(Matter, Matter.code == MatterCase.matter_code)
            .join(Department, Department.code == MatterCase.department_code)
            .join(EtlRun, EtlRun.id == MatterCase.run_id)
            .order_by(MatterCase.submitted_at.desc(), MatterCase.case_no.desc()).limit(limit))
    return frame(engine, stmt)


@memo
def run_jobs(engine, run_ids: tuple[int, ...]) -> dict[int, str]:
    """The job (schedule name) of each of these load runs: a caption names a source by the job that loaded it."""
    if not run_ids:
        return {}
    with connection(engine) as conn:
        return dict(conn.execute(select(EtlRun.id, EtlRun.job).where(EtlRun.id.in_([int(r) for r in run_ids]))).all())
