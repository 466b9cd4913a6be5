"""Reporting completeness (issue 12 #3): who had to report what by now, who did, and who is late (逾期).

The duties are the `reporting_duties` table, seeded from the catalogue's [[reporting]] entries. What counts as
reported, per subject and department and period:
- an indicator code: the department has an observation of that indicator for the period (scope = the
  department's code, period in the duty's form: '2026-10', '2026Q3', '2025');
- "matters" (the departments' matter cases): the department has matter cases submitted in the period (any status;
  case times are civil times in COCKPIT_TZ, so the period's calendar bounds apply as they are).
A period is due by `due_day` of the month after it ends (etl/reporting.py); a department is late when today
(etl.clock.today(), COCKPIT_TZ) is past that day and it has not reported. The period "due now" is the newest whose
deadline has passed, so everyone not reported for it is late. When a report arrived (late or on time) is not
judged: a row's run is that of its last change, not of its first report.

`completeness(engine, today=None) -> list[dict]`, one dict per duty subject (catalogue order is not kept: by
subject), for GET /api/status and the screens:
    {"subject": "matters", "name_zh": "事项办件", "name_en": "Matter cases", "cadence": "monthly",
     "period": "2026-10", "due": "2026-11-10", "reported": 31, "expected": 33,
     "late_codes": ["gqt", "zgh"], "late": [{"code": "gqt", "name_zh": "团县委", "name_en": "..."}, ...]}
`department_record(engine, code, today=None, count=6) -> list[dict]`, that department's duties, each with its
recent periods newest first (the newest ended period, which may not be due yet, then back):
    {"subject", "name_zh", "name_en", "cadence", "due_day",
     "periods": [{"period": "2026-11", "due": "2026-12-10", "status": "pending"}, ...]}
    status: "reported", "late" (past due, not reported) or "pending" (not reported, not yet due).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from cockpit.cache import memo
from cockpit.queries._sql import connection
from etl import clock
from etl.reporting import MATTERS, MATTERS_NAMES, bounds, due_date, due_now, period_of, previous
from etl.store import Department, Indicator, MatterCase, Observation, ReportingDuty


def completeness(engine, today: date | None = None) -> list[dict]:
    """Per duty subject: the period due now, reported and expected counts, and the late departments."""
    return _completeness(engine, (today or clock.today()).isoformat())


def department_record(engine, code: str, today: date | None = None, count: int = 6) -> list[dict]:
    """One department's reporting record: each of its duties with its recent periods and their status."""
    return _record(engine, code, (today or clock.today()).isoformat(), count)


def summary(rows: list[dict]) -> dict:
    """All subjects together: reported and expected (department, subject) pairs and the late departments."""
    late = {}
    for row in rows:
        for dept in row["late"]:
            late.setdefault(dept["code"], dept)
    return {"reported": sum(r["reported"] for r in rows), "expected": sum(r["expected"] for r in rows),
            "late": list(late.values())}


def _duties(conn) -> list[tuple]:
    return conn.execute(select(ReportingDuty.subject, ReportingDuty.cadence, ReportingDuty.due_day,
                               ReportingDuty.department_code)
                        .order_by(ReportingDuty.subject, ReportingDuty.department_code)).all()


def _names(conn) -> tuple[dict, dict]:
    depts = {c: (zh, en) for c, zh, en in conn.execute(select(Department.code, Department.name_zh, Department.name_en))}
    subjects = {c: (zh, en) for c, zh, en in conn.execute(select(Indicator.code, Indicator.name_zh, Indicator.name_en))}
    subjects[MATTERS] = MATTERS_NAMES
    return depts, subjects


def _reported(conn, subject: str, period: str, depts: list[str]) -> set[str]:
    """The departments among `depts` that reported `subject` for `period`."""
    if subject == MATTERS:
        start, end = (datetime.combine(d, datetime.min.time()) for d in bounds(period))
        stmt = select(MatterCase.department_code).distinct().where(
            MatterCase.submitted_at >= start, MatterCase.submitted_at < end, MatterCase.department_code.in_(depts))
    else:
        stmt = select(Observation.scope).distinct().where(
            Observation.indicator_code == subject, Observation.period == period, Observation.scope.in_(depts))
    return {r[0] for r in conn.execute(stmt)}


def _ever(conn, subject: str, depts: list[str]) -> bool:
    """Whether any of `depts` ever reported `subject` (for any period): a subject nobody has reported yet is not
    connected, and the wall says so instead of naming every department late."""
    if subject == MATTERS:
        stmt = select(MatterCase.id).where(MatterCase.department_code.in_(depts)).limit(1)
    else:
        stmt = select(Observation.period).where(Observation.indicator_code == subject,
                                                Observation.scope.in_(depts)).limit(1)
    return conn.execute(stmt).first() is not None


def _groups(duties) -> dict[tuple, list[str]]:
    groups: dict[tuple, list[str]] = {}
    for subject, cadence, due_day, dept in duties:
        groups.setdefault((subject, cadence, int(due_day)), []).append(dept)
    return groups


@memo
def _completeness(engine, today: str) -> list[dict]:
    day = date.fromisoformat(today)
    out = []
    with connection(engine) as conn:
        groups = _groups(_duties(conn))
        if not groups:
            return []
        dept_names, subject_names = _names(conn)
        for (subject, cadence, due_day), depts in groups.items():
            period = due_now(cadence, due_day, day)
            done = _reported(conn, subject, period, depts)
            late = [d for d in depts if d not in done]
            zh, en = subject_names.get(subject, (subject, subject))
            out.append({"subject": subject, "name_zh": zh, "name_en": en, "cadence": cadence, "period": period,
                        "due": due_date(period, due_day).isoformat(), "reported": len(depts) - len(late),
                        "expected": len(depts), "late_codes": late, "connected": bool(done) or _ever(conn, subject, depts),
                        "late": [{"code": d, "name_zh": dept_names.get(d, (d, d))[0],
                                  "name_en": dept_names.get(d, (d, d))[1]} for d in late]})
    return out


@memo
def _record(engine, code: str, today: str, count: int) -> list[dict]:
    day = date.fromisoformat(today)
    out = []
    with connection(engine) as conn:
        duties = [d for d in _duties(conn) if d[3] == code]
        if not duties:
            return []
        _, subject_names = _names(conn)
        for subject, cadence, due_day, _ in duties:
            period, periods = previous(period_of(cadence, day)), []
            for _ in range(count):
                due = due_date(period, int(due_day))
                status = "reported" if _reported(conn, subject, period, [code]) else (
                    "late" if day > due else "pending")
                periods.append({"period": period, "due": due.isoformat(), "status": status})
                period = previous(period)
            zh, en = subject_names.get(subject, (subject, subject))
            out.append({"subject": subject, "name_zh": zh, "name_en": en, "cadence": cadence,
                        "due_day": int(due_day), "periods": periods})
    return out
