"""Instants the system stamps are naive UTC: etl_runs.started_at/ended_at, audit_events.at, users.created_at,
job_locks.locked_until and job_locks.last_tick (a tick's fire time) move from the Asia/Shanghai civil time they
were written in to UTC (8 hours back; the zone has kept UTC+8 without daylight saving since 1991). run_requests
were stamped in UTC from the start (0009) and case times are civil times in COCKPIT_TZ: neither moves.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 13:20:00
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

HOURS = 8  # Asia/Shanghai's offset from UTC
COLUMNS = [("etl_runs", "started_at"), ("etl_runs", "ended_at"), ("audit_events", "at"), ("users", "created_at"),
           ("job_locks", "locked_until")]
TICK = r'YYYY-MM-DD"T"HH24\:MI\:SS'  # colons escaped: op.execute reads a string as text(), where :MI is a parameter


def _shift(hours: int) -> None:
    sign = f"{hours:+d} hours"
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column in COLUMNS:
        if sqlite:  # SQLAlchemy writes 'YYYY-MM-DD HH:MM:SS[.ffffff]': shift the seconds, keep the fraction as is
            op.execute(f"UPDATE {table} SET {column} = datetime(substr({column}, 1, 19), '{sign}') "
                       f"|| substr({column}, 20) WHERE {column} IS NOT NULL")
        else:
            op.execute(f"UPDATE {table} SET {column} = {column} + interval '{sign}' WHERE {column} IS NOT NULL")
    if sqlite:  # ticks are text, 'YYYY-MM-DDTHH:MM:SS'; '' (never ticked) stays
        op.execute(f"UPDATE job_locks SET last_tick = strftime('%Y-%m-%dT%H:%M:%S', replace(last_tick, 'T', ' '), "
                   f"'{sign}') WHERE last_tick <> ''")
    else:
        op.execute(f"UPDATE job_locks SET last_tick = to_char(CAST(replace(last_tick, 'T', ' ') AS timestamp) "
                   f"+ interval '{sign}', '{TICK}') WHERE last_tick <> ''")


def upgrade() -> None:
    _shift(-HOURS)


def downgrade() -> None:
    _shift(HOURS)
