"""Reporting periods and deadlines (issue 12 #3), shared by the read side (cockpit/queries/reporting.py) and the demo.

A duty of cadence monthly, quarterly or annual is due by `due_day` of the month after its period ends (a month
2026-10 by 2026-11-10, a quarter 2026Q3 by 2026-10-10, a year 2025 by 2026-01-10). A department is late once
today is past that day without a report. The period "due now" is the newest period whose deadline has passed."""
from __future__ import annotations

from datetime import date

MATTERS = "matters"  # the subject of the departments' matter cases (any other subject is an indicator code)
MATTERS_NAMES = ("事项办件", "Matter cases")


def period_of(cadence: str, day: date) -> str:
    """The stored form of the period of `cadence` that holds `day` ('2026-10', '2026Q4', '2026')."""
    if cadence == "monthly":
        return f"{day.year}-{day.month:02d}"
    if cadence == "quarterly":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def bounds(period: str) -> tuple[date, date]:
    """[first day, first day after) of a stored monthly, quarterly or annual period."""
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 1, 1), date(year + 1, 1, 1)
    first = int(period[5:7]) if len(period) == 7 else 3 * int(period[5]) - 2
    months = 1 if len(period) == 7 else 3
    end_month = first + months
    return date(year, first, 1), date(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)


def previous(period: str) -> str:
    start, _ = bounds(period)
    last_day = date.fromordinal(start.toordinal() - 1)
    cadence = "annual" if len(period) == 4 else ("quarterly" if "Q" in period else "monthly")
    return period_of(cadence, last_day)


def due_date(period: str, due_day: int) -> date:
    """The last day the period's report is on time: `due_day` of the month after the period ends."""
    _, after = bounds(period)
    return after.replace(day=due_day)


def due_now(cadence: str, due_day: int, today: date) -> str:
    """The newest period whose deadline has passed (today is after its due date)."""
    period = previous(period_of(cadence, today))
    while due_date(period, due_day) >= today:
        period = previous(period)
    return period


def recent(cadence: str, due_day: int, today: date, count: int) -> list[str]:
    """The period due now and the `count - 1` before it, newest first."""
    out = [due_now(cadence, due_day, today)]
    while len(out) < count:
        out.append(previous(out[-1]))
    return out
