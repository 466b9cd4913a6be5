"""Plan targets for the screens and the status API: the targets that apply to a year, a target's versions, the
target path by year, and progress against a target. The newest version of a target is the one that applies.

The interface others call (GET /api/status among them):

- ``applicable(engine, scope="county", year=None) -> dict[indicator_code, dict]``: per indicator with a target
  for `scope`, the target that applies in `year` (default: the county's current year) as the flat keys
  ``plan`` ("annual" | "14th" | "15th"), ``period`` (the year it is set for), ``value``, ``version``, ``source``,
  ``loaded_at`` (naive UTC) -- the year's annual target when one is set, else the end-year target of the
  five-year plan covering `year` -- and both of them as ``"annual"`` and ``"end_year"`` (each a dict with those
  six keys, or None). Only `scope`'s own targets: a department has none unless set for it.
- ``progress(value, target, higher_is_better=True) -> float | None``: the share of the target achieved (1.0 is
  100%): value/target, or target/value when lower is better; None when either is missing or the divisor is 0.
- ``off_target(value, target, higher_is_better=True) -> bool | None``: short of the target in the indicator's
  direction (below it when higher is better, above it when lower is better).
- ``history(engine, indicator_code, scope="county") -> DataFrame``: every version of every target of the
  indicator for scope (plan, period, version, value, source, is_demo, loaded_at, newest), oldest first.
- ``path(engine, indicator_code, scope="county") -> DataFrame``: the target path by year (period, value, plan):
  the annual target of each year where set, else a five-year plan's own target for that year.
- ``for_tiles(engine, rows, scope="county")`` and ``for_scope(engine, values, scope, meta)``: KPI rows with the
  targets that apply to each row's year and their progress (the wall's tiles, a drill-down's own scope's tiles).

The catalogue's Indicator.target is not a target source: every target on screen, in /api/status and in the
exports comes from the targets table (loaded, versioned); without one, nothing claims a target.
"""
from __future__ import annotations

import functools
import math

import pandas as pd
from sqlalchemy import select

from cockpit.cache import memo
from cockpit.queries._sql import frame
from etl import clock
from etl.store import COUNTY
from etl.store_trust import Target

PLANS = {"14th": (2021, 2025), "15th": (2026, 2030)}
FIELDS = ("plan", "period", "value", "version", "source", "loaded_at")


def plan_of(year: int) -> str | None:
    """The five-year plan a year belongs to, or None (before the 14th, after the 15th)."""
    return next((p for p, (first, last) in PLANS.items() if first <= year <= last), None)


def history(engine, indicator_code: str, scope: str = COUNTY) -> pd.DataFrame:
    """Every version of the indicator's targets for scope, by period, plan and version; `newest` marks the ones
    that apply."""
    return _history(engine, indicator_code, scope)


@memo
def _history(engine, indicator_code: str, scope: str) -> pd.DataFrame:
    stmt = (select(Target.plan, Target.period, Target.version, Target.value, Target.source, Target.is_demo,
                   Target.loaded_at)
            .where(Target.indicator_code == indicator_code, Target.scope == scope)
            .order_by(Target.period, Target.plan, Target.version))
    df = frame(engine, stmt)
    df["newest"] = ~df.duplicated(["plan", "period"], keep="last") if not df.empty else pd.Series(dtype=bool)
    return df


@memo
def newest(engine, scope: str) -> pd.DataFrame:
    """The newest version of every target for scope: indicator_code and FIELDS."""
    stmt = (select(Target.indicator_code, *[getattr(Target, f) for f in FIELDS], Target.is_demo)
            .where(Target.scope == scope).order_by(Target.indicator_code, Target.plan, Target.period, Target.version))
    df = frame(engine, stmt)
    return df.drop_duplicates(["indicator_code", "plan", "period"], keep="last").reset_index(drop=True)


def _as_dict(row) -> dict | None:
    if row is None:
        return None
    out = {f: row[f] for f in FIELDS}
    out["value"], out["version"] = float(out["value"]), int(out["version"])
    out["loaded_at"] = None if pd.isna(out["loaded_at"]) else pd.Timestamp(out["loaded_at"]).to_pydatetime()
    return out


def applicable(engine, scope: str = COUNTY, year: int | None = None, df: pd.DataFrame | None = None) -> dict[str, dict]:
    """Per indicator, the targets that apply in `year` (see the module docstring for the shape); `df`: the scope's
    newest targets when the caller already has them."""
    year = int(year or clock.today().year)
    df = newest(engine, scope) if df is None else df
    plan, this = plan_of(year), str(year)
    last = str(PLANS[plan][1]) if plan else None
    # One pass over the rows (ordered by indicator, plan, period; newest versions only): a later row of a kind
    # replaces an earlier one. The wall's tiles ask for three years each refresh: 0.9 ms so, 6.8 ms with pandas filters.
    annual_by, end_by, other_by = {}, {}, {}
    for r in df.to_dict("records"):
        code = r["indicator_code"]
        if r["plan"] == "annual":
            if r["period"] == this:
                annual_by[code] = _as_dict(r)
        elif r["plan"] == plan:  # the plan's end-year target; else, set only for another of its years, its latest
            (end_by if r["period"] == last else other_by)[code] = _as_dict(r)
    end_by = {**other_by, **end_by}
    out = {}
    for code in sorted(set(annual_by) | set(end_by)):
        annual_t, end_t = annual_by.get(code), end_by.get(code)
        out[code] = {**(annual_t or end_t), "annual": annual_t, "end_year": end_t}
    return out


def path(engine, indicator_code: str, scope: str = COUNTY) -> pd.DataFrame:
    """The target path by year: the annual target where set, else a five-year plan's own target for the year."""
    df = history(engine, indicator_code, scope)
    df = df[df["newest"]] if not df.empty else df
    if df.empty:
        return pd.DataFrame({"period": pd.Series(dtype=object), "value": pd.Series(dtype=float),
                             "plan": pd.Series(dtype=object)})
    df = df.assign(rank=(df["plan"] != "annual").astype(int)).sort_values(["period", "rank"])
    return df.drop_duplicates("period")[["period", "value", "plan"]].reset_index(drop=True)


def _number(x) -> float | None:
    if x is None:
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def progress(value, target, higher_is_better: bool = True) -> float | None:
    """Share of the target achieved (1.0 = 100%): value/target, or target/value when lower is better."""
    value, target = _number(value), _number(target)
    if value is None or target is None:
        return None
    top, bottom = (value, target) if higher_is_better else (target, value)
    return top / bottom if bottom else None


def off_target(value, target, higher_is_better: bool = True) -> bool | None:
    """Whether the value falls short of the target in the indicator's direction; None without both."""
    value, target = _number(value), _number(target)
    if value is None or target is None:
        return None
    return value < target if higher_is_better else value > target


def _year_gone(period: str) -> float:
    """The share of the year `period` gone by today (1.0 for a past year)."""
    today = clock.today()
    if period[:4] != str(today.year):
        return 1.0
    return today.timetuple().tm_yday / (366 if today.year % 4 == 0 else 365)


def for_tiles(engine, rows: pd.DataFrame, scope: str = COUNTY) -> pd.DataFrame:
    """KPI rows (code, period, value, higher_is_better) with the targets that apply to each row's year:
    annual_target, annual_progress, annual_off; plan, plan_period, plan_target, plan_progress, plan_off."""
    out = []
    targets = newest(engine, scope)  # read once, not once per year (caching off, each read is a query)
    in_year = functools.cache(lambda year: applicable(engine, scope, year, targets))  # tiles mostly share a year
    for row in rows.to_dict("records"):
        period = str(row.get("period") or "")
        found = in_year(int(period[:4])).get(row.get("code")) if period[:4].isdigit() else None
        better = bool(row.get("higher_is_better", True))
        extra = {}
        for key, t in (("annual", (found or {}).get("annual")), ("plan", (found or {}).get("end_year"))):
            target = t["value"] if t else None
            extra[f"{key}_target"] = target
            extra[f"{key}_progress"] = progress(row.get("value"), target, better)
            # a year-to-date figure is judged against the share of the year gone by, not the whole year's target
            share = _year_gone(period) if row.get("compare_kind") == "ytd" and target is not None else 1.0
            extra[f"{key}_off"] = off_target(row.get("value"), None if target is None else target * share, better)
            if key == "plan" and t and t["period"] != period[:4]:  # a plan's end-year target judges its end year only
                extra["plan_off"] = None
            if key == "plan":
                extra["plan"], extra["plan_period"] = (t["plan"], t["period"]) if t else (None, None)
        out.append({**row, **extra})
    return pd.DataFrame(out) if out else rows


def for_scope(engine, values: pd.DataFrame, scope: str, meta: pd.DataFrame) -> dict[str, dict]:
    """Per indicator in `values` (one scope's indicator_code, period, value), its newest row with scope's own
    targets (for_tiles' columns), keyed by indicator code; indicators without a target for scope are left out."""
    if values.empty:
        return {}
    newest_rows = values.sort_values("period").drop_duplicates("indicator_code", keep="last")
    rows = pd.DataFrame([{"code": r.indicator_code, "period": r.period, "value": r.value,
                          "unit": meta.loc[r.indicator_code, "unit"] if r.indicator_code in meta.index else "",
                          "higher_is_better": bool(meta.loc[r.indicator_code, "higher_is_better"])
                          if r.indicator_code in meta.index else True} for r in newest_rows.itertuples(index=False)])
    out = for_tiles(engine, rows, scope).to_dict("records")
    return {r["code"]: r for r in out if pd.notna(r.get("annual_target")) or pd.notna(r.get("plan_target"))}


def value_for(engine, indicator_code: str, scope: str, year: int | None = None, fallback=None) -> float | None:
    """The value of the target that applies to scope in `year`: scope's own, else the county's, else `fallback`."""
    for where in dict.fromkeys((scope, COUNTY)):
        found = applicable(engine, where, year).get(indicator_code)
        if found:
            return found["value"]
    return None if _number(fallback) is None else float(fallback)
