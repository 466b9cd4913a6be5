"""Staleness of a figure, judged per indicator against the county's today (a pure function, no SQL, no clock).

A figure is `current` while the next period's figure is not yet due: the next period's end plus the indicator's
publication lag (days) is after today. From that due date on it is `due` (amber: expected, not loaded), and past
the due date plus the grace days it is `overdue` (red). A live figure has no publication lag: its "period" is the
day of its last load, so it is due `lag_days` after that day and overdue `grace_days` later."""
from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from cockpit.queries._sql import GRAIN, parse_period
from etl.config import LAG_DEFAULTS as DEFAULTS  # (lag_days, grace_days) per cadence when the catalogue names none

STATES = ("current", "due", "overdue")


def lag_and_grace(cadence: str | None, lag_days=None, grace_days=None) -> tuple[int, int]:
    """The indicator's lag and grace in days: its own where the catalogue sets them, else its cadence's."""
    lag, grace = DEFAULTS.get(cadence or "annual", DEFAULTS["annual"])
    return (lag if _absent(lag_days) else int(lag_days)), (grace if _absent(grace_days) else int(grace_days))


def _absent(value) -> bool:
    return value is None or value != value  # NaN from a frame


def period_end(period: str) -> date | None:
    """The last day of a stored period (2025 → 2025-12-31, 2025Q3 → 2025-09-30, 2025-02 → 2025-02-28)."""
    parsed = parse_period(period)
    if parsed is None:
        return None
    start, grain = parsed
    if grain == "annual":
        return date(start.year, 12, 31)
    if grain == "quarterly":
        month = start.month + 2
        return date(start.year, month, calendar.monthrange(start.year, month)[1])
    if grain == "monthly":
        return date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
    return start


def next_period_end(period: str) -> date | None:
    """The last day of the period after `period`, of the same granularity."""
    end = period_end(period)
    if end is None:
        return None
    grain = parse_period(period)[1]
    if grain == "annual":
        return date(end.year + 1, 12, 31)
    if grain == "daily":
        return end + timedelta(days=1)
    months = 3 if grain == "quarterly" else 1
    year, month = (end.year + 1, end.month + months - 12) if end.month + months > 12 else (end.year, end.month + months)
    return date(year, month, calendar.monthrange(year, month)[1])


def due_date(period: str | None, cadence: str | None, lag_days=None, loaded_on: date | None = None) -> date | None:
    """The day the figure after this one is due: the next period's end plus the lag (live: the load day plus it)."""
    lag, _ = lag_and_grace(cadence, lag_days)
    if cadence == "live":
        return None if loaded_on is None else loaded_on + timedelta(days=lag)
    if period is None or GRAIN.get(cadence or "annual") != (parse_period(period) or (None, None))[1]:
        return None
    end = next_period_end(period)
    return None if end is None else end + timedelta(days=lag)


def judge(period: str | None, cadence: str | None, today: date, lag_days=None, grace_days=None,
          loaded_on: date | datetime | None = None) -> dict:
    """{"staleness": current | due | overdue, "due": the due date, "overdue_after": the last day it is only due};
    all None when there is no figure to judge (nothing loaded, or a period of another granularity)."""
    if isinstance(loaded_on, datetime):
        loaded_on = loaded_on.date()
    due = due_date(period, cadence, lag_days, loaded_on)
    if due is None:
        return {"staleness": None, "due": None, "overdue_after": None}
    _, grace = lag_and_grace(cadence, lag_days, grace_days)
    last = due + timedelta(days=grace)
    state = "current" if today < due else "due" if today <= last else "overdue"
    return {"staleness": state, "due": due, "overdue_after": last}
