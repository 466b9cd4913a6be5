"""The status document (GET /api/status): per catalogue indicator its latest county figure, how stale it is, the
target that applies and progress against it; per reported subject the reporting completeness. The wall's tiles
read the same rows (queries.wall.kpis), so a tile and the document always name the same period.

    {"v": 12, "today": "2026-11-20", "zone": "Asia/Shanghai",
     "indicators": [{"code", "name_zh", "name_en", "unit", "cadence", "lag_days", "grace_days", "period",
                     "value", "source", "loaded_at" (ISO with the COCKPIT_TZ offset), "staleness" (current | due |
                     overdue | null without a figure), "due" (the next figure's due date), "overdue_after",
                     "target": {"plan", "period", "value", "version"} | null, "progress" (1.0 = 100%) | null,
                     "off_target" | null}, ...],
     "reporting": [{"subject", "name_zh", "name_en", "cadence", "period", "due", "reported", "expected",
                    "late": [department codes]}, ...]}"""
from __future__ import annotations

from datetime import date, timezone

import pandas as pd

from cockpit.queries import reporting, targets
from cockpit.queries import wall
from cockpit.queries.staleness import judge, lag_and_grace
from etl import clock
from etl.store import COUNTY


def _plain(value):
    """A JSON-ready scalar: None for NaN/NaT, floats and ints as Python numbers."""
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return None
    return value.item() if hasattr(value, "item") else value


def iso(moment) -> str | None:
    """A stored naive-UTC instant as ISO 8601 in COCKPIT_TZ, with its offset."""
    if moment is None or pd.isna(moment):
        return None
    return pd.Timestamp(moment).to_pydatetime().replace(tzinfo=timezone.utc).astimezone(clock.zone()).isoformat()


def latest(engine, today: str) -> dict[str, dict]:
    """Per catalogue indicator, its latest county row: the tiles' own rows for the tile indicators (matters
    handled counts the year's cases), else the newest period of the indicator's granularity; no row: value None."""
    meta = wall.indicator_meta(engine)
    rows = {r["code"]: r for r in wall.kpis(engine, today).to_dict("records")} if len(meta) else {}
    series = wall.county_series(engine, tuple(c for c in meta.index if c not in rows))
    for code in meta.index:
        if code in rows:
            continue
        s = series[series["code"] == code] if not series.empty else series
        row = s.iloc[-1].to_dict() if not s.empty else wall._no_value(meta.loc[code].to_dict())
        rows[code] = {**meta.loc[code].to_dict(), **row}
    return {code: rows[code] for code in meta.index}


def _target(row: dict, cache: dict, engine) -> tuple[dict | None, float | None, bool | None]:
    """The target that applies to the figure's year (the current year's without a figure), and progress."""
    period = str(row.get("period") or "")
    year = int(period[:4]) if period[:4].isdigit() else None
    if year not in cache:
        cache[year] = targets.applicable(engine, COUNTY, year)
    found = cache[year].get(row["code"])
    if not found:
        return None, None, None
    value, better = _plain(row.get("value")), bool(row.get("higher_is_better", True))
    shown = {k: _plain(found.get(k)) for k in ("plan", "period", "value", "version")}
    return shown, targets.progress(value, found["value"], better), targets.off_target(value, found["value"], better)


def indicator_status(engine, today: date) -> list[dict]:
    """One entry per catalogue indicator, in catalogue order."""
    day, out, cache = today.isoformat(), [], {}
    for code, row in latest(engine, day).items():
        loaded = row.get("loaded_at")
        loaded_on = clock.shown(pd.Timestamp(loaded)).date() if loaded is not None and pd.notna(loaded) else None
        has_value = _plain(row.get("value")) is not None
        state = judge(row.get("period") or None, row.get("cadence"), today, row.get("lag_days"),
                      row.get("grace_days"), loaded_on=loaded_on) if has_value else {}
        lag, grace = lag_and_grace(row.get("cadence"), row.get("lag_days"), row.get("grace_days"))
        target, share, off = _target(row, cache, engine)
        out.append({
            "code": code, "name_zh": row["name_zh"], "name_en": row["name_en"], "unit": row["unit"],
            "cadence": row["cadence"], "lag_days": lag, "grace_days": grace,
            "period": (row.get("period") or None) if has_value else None, "value": _plain(row.get("value")),
            "source": _plain(row.get("source")) or None, "loaded_at": iso(loaded),
            "staleness": state.get("staleness"),
            "due": state["due"].isoformat() if state.get("due") else None,
            "overdue_after": state["overdue_after"].isoformat() if state.get("overdue_after") else None,
            "target": target, "progress": share, "off_target": off,
        })
    return out


def reporting_status(engine, today: date) -> list[dict]:
    """Per reported subject: the period due now, reported and expected counts, the late departments' codes, and
    whether anything of it was ever loaded (connected: false on a store no source of it has reached yet)."""
    keys = ("subject", "name_zh", "name_en", "cadence", "period", "due", "reported", "expected", "connected")
    return [{**{k: _plain(r.get(k)) for k in keys}, "late": list(r.get("late_codes") or [])}
            for r in reporting.completeness(engine, today)]


EXCEPTIONS = ("off_target", "overdue", "late_reporters")


def exceptions(indicators: list[dict], reported: list[dict]) -> list[tuple[str, dict]]:
    """What needs attention in these facts, as (kind, entry): an indicator off target or overdue, a reporting
    subject with late departments (one nothing was ever loaded for is not connected, so nobody is late on it).
    The alerts and the wall's exceptions set read this one rule."""
    out = []
    for e in indicators:
        if e["off_target"]:
            out.append(("off_target", e))
        if e["staleness"] == "overdue":
            out.append(("overdue", e))
    return out + [("late_reporters", r) for r in reported if r["late"] and r.get("connected", True)]


def document(engine, version: int, today: date) -> dict:
    """The whole status document for one data version and one day."""
    return {"v": version, "today": today.isoformat(), "zone": clock.zone().key,
            "indicators": indicator_status(engine, today), "reporting": reporting_status(engine, today)}
