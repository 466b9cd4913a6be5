"""SQL → DataFrames for the industry-chain drill-downs (chains, segments, firms), memoised by data version.

Yearly observations by scope (a chain, segment or firm code), every row with `run_id`, `loaded_at` and `is_demo`
as in cockpit.queries.departments; periods are whole years as strings, None = unbounded.
"""
from __future__ import annotations

from functools import cache

import pandas as pd
from sqlalchemy import and_, bindparam, case, func, literal, select

from cockpit.cache import memo
from cockpit.queries._sql import connection, demo_flag, frame, revision_columns, run_columns
from cockpit.queries.departments import dimension
from etl.store import COUNTY, Chain, EtlRun, Firm, Indicator, Observation, Resource, Segment

CHAIN_CODES = ("rd_spending", "rd_intensity", "listed_firms", "high_tech_firms", "patents_granted",
               "invention_patents", "talent_introduced")
FIRM_CODES = ("rd_spending", "patents_granted", "invention_patents")


@memo
def observation_years(engine) -> tuple[str, ...]:
    """The yearly periods observed for chains, segments and firms (the period filter's choices)."""
    stmt = (select(Observation.period).where(func.length(Observation.period) == 4, Observation.scope != COUNTY)
            .distinct().order_by(Observation.period))
    with connection(engine) as conn:
        return tuple(conn.execute(stmt).scalars())


@cache
def _series_stmt(start: bool, end: bool):
    cond = [Observation.scope.in_(bindparam("scopes", expanding=True)),
            Observation.indicator_code.in_(bindparam("codes", expanding=True)), func.length(Observation.period) == 4]
    cond += [Observation.period >= bindparam("start")] if start else []
    cond += [Observation.period <= bindparam("end")] if end else []
    return (select(Observation.scope, Observation.indicator_code.label("indicator_code"),
                   Indicator.name_zh.label("indicator_zh"), Indicator.name_en.label("indicator_en"), Observation.period,
                   Observation.value, Observation.unit, Observation.source, Observation.run_id,
                   demo_flag(Observation.is_demo), EtlRun.ended_at.label("loaded_at"), *revision_columns(Observation))
            .join(Indicator, Indicator.code == Observation.indicator_code)
            .outerjoin(EtlRun, EtlRun.id == Observation.run_id).where(and_(*cond))
            .order_by(Observation.scope, Observation.indicator_code, Observation.period))


@memo
def series(engine, scopes: tuple[str, ...], codes: tuple[str, ...], start: str | None, end: str | None) -> pd.DataFrame:
    """Yearly observations of `codes` for `scopes` in the period, with the indicator's names and unit."""
    params = {"scopes": list(scopes), "codes": list(codes), **({"start": start} if start else {}),
              **({"end": end} if end else {})}
    return run_columns(frame(engine, _series_stmt(bool(start), bool(end)), params))


@memo
def observed(engine, scopes: tuple[str, ...], codes: tuple[str, ...]) -> frozenset[str]:
    """Which of `codes` have a yearly observation for any of `scopes`, in any year (the indicator tabs offered),
    without fetching the rows. Both IN lists seek on the unique key's (indicator, scope) prefix; a bare DISTINCT
    indicator_code once made SQLite scan a whole index instead (60 ms against 0.5 ms)."""
    stmt = (select(Observation.indicator_code).where(Observation.scope.in_(scopes), Observation.indicator_code.in_(codes),
                                                     func.length(Observation.period) == 4)
            .group_by(Observation.scope, Observation.indicator_code))
    with connection(engine) as conn:
        return frozenset(conn.execute(stmt).scalars())


@memo
def firms(engine, chain: str, segment: str | None) -> pd.DataFrame:
    """The chain's (or segment's) firms with names of their chain and segment."""
    stmt = (select(Firm.code, Firm.name_zh, Firm.name_en, Firm.chain_code, Chain.name_zh.label("chain_zh"),
                   Firm.segment_code, Segment.name_zh.label("segment_zh"), Segment.name_en.label("segment_en"),
                   Firm.listed, Firm.listed_year, Firm.high_tech, literal(None).label("run_id"),
                   demo_flag(Firm.is_demo))
            .join(Chain, Chain.code == Firm.chain_code).join(Segment, Segment.code == Firm.segment_code)
            .where(Firm.chain_code == chain, *([Firm.segment_code == segment] if segment else []))
            .order_by(Firm.segment_code, Firm.code))
    df = frame(engine, stmt)
    return df.assign(is_demo=df["is_demo"].astype(bool), listed=df["listed"].astype(bool),
                     high_tech=df["high_tech"].astype(bool))


def latest(values: pd.DataFrame, key: str = "scope") -> pd.DataFrame:
    """One row per `key` with each indicator's latest value in the frame as a column, and the period, newest run
    and demo flag of those latest values. Plain Python: a pandas pivot and groupby cost ~10 ms for 700 rows."""
    last: dict = {}  # scope -> indicator -> (period, value, run_id, loaded_at, is_demo) of its latest period
    for scope, code, *row in zip(values[key], values["indicator_code"], values["period"], values["value"],
                                 values["run_id"], values["loaded_at"], values["is_demo"]):
        seen = last.setdefault(scope, {})
        if code not in seen or row[0] > seen[code][0]:
            seen[code] = row
    if not last:
        return pd.DataFrame(columns=[key, "period", "run_id", "loaded_at", "is_demo"])
    newest = lambda xs: max((x for x in xs if not pd.isna(x)), default=None)
    out = pd.DataFrame([{key: scope, **{code: r[1] for code, r in seen.items()},
                         "period": max(r[0] for r in seen.values()), "run_id": newest(r[2] for r in seen.values()),
                         "loaded_at": newest(r[3] for r in seen.values()),
                         "is_demo": any(bool(r[4]) for r in seen.values())} for scope, seen in last.items()])
    out["run_id"] = out["run_id"].astype("Float64")
    return out


@memo
def firm_table(engine, chain: str, segment: str | None, start: str | None, end: str | None) -> pd.DataFrame:
    """The firms with their latest R&D spending and patents in the period (the firm table's rows)."""
    return with_figures(engine, firms(engine, chain, segment), start, end)


def with_figures(engine, table: pd.DataFrame, start: str | None, end: str | None) -> pd.DataFrame:
    """Firm rows with each firm's latest FIRM_CODES figures in the period and their provenance (period, run_id,
    loaded_at): NaN and None for a firm with none yet (one from a register dropped before any indicator file)."""
    values = latest(series(engine, tuple(table["code"]), FIRM_CODES, start, end)).rename(columns={"scope": "code"})
    out = table.drop(columns=["run_id"], errors="ignore").merge(values.drop(columns="is_demo"), on="code", how="left")
    for col in FIRM_CODES:
        out[col] = pd.to_numeric(out[col]) if col in out else float("nan")
    for col in ("period", "run_id", "loaded_at"):
        out[col] = out[col] if col in out else None
    return out


@memo
def scope_table(engine, level: str, chain: str | None, start: str | None, end: str | None) -> pd.DataFrame:
    """One row per chain (level 'chain') or per segment of `chain` (level 'segment'): names, latest value of each
    chain indicator in the period, firm counts (all, listed, high-tech) and resources serving the chain."""
    dims = dimension(engine, level)
    if level == "segment":
        dims = dims[dims["chain_code"] == chain]
    key = f"{level}_code"
    firm_col = Firm.chain_code if level == "chain" else Firm.segment_code
    counts = frame(engine, select(firm_col.label(key), func.count().label("firms"),
                                   func.sum(case((Firm.listed, 1), else_=0)).label("listed_count"),
                                   func.sum(case((Firm.high_tech, 1), else_=0)).label("high_tech_count"))
                    .group_by(firm_col))
    values = latest(series(engine, tuple(dims["code"]), CHAIN_CODES, start, end)).rename(columns={"scope": key})
    out = (dims.rename(columns={"code": key, "name_zh": f"{level}_zh", "name_en": f"{level}_en"})
           .merge(values, on=key, how="left").merge(counts, on=key, how="left"))
    if level == "chain":
        res = frame(engine, select(Resource.chain_code.label(key), func.count().label("resources"))
                     .where(Resource.chain_code.is_not(None)).group_by(Resource.chain_code))
        out = out.merge(res, on=key, how="left")
    for col in ("firms", "listed_count", "high_tech_count", "resources"):
        if col in out:
            out[col] = out[col].fillna(0).astype(int)
    for code in CHAIN_CODES:
        out[code] = out[code] if code in out else float("nan")
    return out.assign(is_demo=out["is_demo"].fillna(False).astype(bool)).reset_index(drop=True)
