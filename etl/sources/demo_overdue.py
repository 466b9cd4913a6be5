"""The demo's one overdue indicator (issue 12 #7): the talent office's annual count of talent introduced (引进人才),
compiled from several programmes' returns and the slowest of the demo's figures to come in. Its history stops
at the last year whose successor is already overdue at the demo's clock (that year's end plus the catalogue's
lag_days and grace_days has passed), so the wall's tile and /api/status show it red (逾期): from mid-March 2026
the history ends at 2024, one year early. Every scope (county, chains, segments) stops at the same year."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

from etl.config import LAG_DEFAULTS

OVERDUE = "talent_introduced"


def last_year(today: date, lag_days: int, grace_days: int, newest: int) -> int:
    """The newest year, at most one before `newest`, whose next year's figure is overdue on `today`."""
    year = newest - 1
    while date(year + 1, 12, 31) + timedelta(days=lag_days + grace_days) >= today:
        year -= 1
    return year


def stop_early(obs: pd.DataFrame, catalogue: dict, now: datetime) -> pd.DataFrame:
    """`obs` without the overdue indicator's periods after its last year (see the module's docstring)."""
    entry = next((i for i in catalogue.get("indicators", []) if i["code"] == OVERDUE), None)
    rows = obs["indicator"] == OVERDUE
    if entry is None or not rows.any():
        return obs
    default_lag, default_grace = LAG_DEFAULTS[entry.get("cadence") or "annual"]
    lag, grace = entry.get("lag_days"), entry.get("grace_days")
    lag, grace = default_lag if lag is None else lag, default_grace if grace is None else grace
    years = pd.to_numeric(obs["period"], errors="coerce")
    cut = last_year(now.date(), int(lag), int(grace), int(years[rows].max()))
    return obs[~rows | (years <= cut)].reset_index(drop=True)
