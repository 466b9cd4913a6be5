"""The demo's two late departments (issue 12 #3): their matter cases stop at the start of the period of the
catalogue's "matters" reporting duty that is due now (relative to the demo's clock), so the wall, /departments
and /ops show them 逾期 and their pages show the missing months. History before that period is untouched."""
from __future__ import annotations

from datetime import datetime

import pandas as pd

from etl.reporting import MATTERS, bounds, due_now

LATE_DEPARTMENTS = ("gqt", "zgh")  # the Youth League Committee and the Federation of Trade Unions


def leave_unreported(cases: pd.DataFrame, matter_table: pd.DataFrame, catalogue: dict, now: datetime) -> pd.DataFrame:
    """`cases` without the late departments' cases submitted since the period due now began."""
    duty = next((d for d in catalogue.get("reporting", []) if d["subject"] == MATTERS), None)
    if duty is None or cases.empty:
        return cases
    start, _ = bounds(due_now(duty.get("cadence", "monthly"), duty.get("due_day", 10), now.date()))
    dept = cases["matter"].map(matter_table.set_index("code")["department_code"])
    quiet = dept.isin(LATE_DEPARTMENTS) & (cases["submitted_at"] >= pd.Timestamp(start))
    return cases[~quiet].reset_index(drop=True)
