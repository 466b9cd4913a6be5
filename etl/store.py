"""The schema of the indicator store (SQLAlchemy 2 models) and make_engine(); the write side owns the tables."""
from __future__ import annotations

from datetime import datetime
from sqlalchemy import (
    JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, PrimaryKeyConstraint, String, Text, select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from etl.base import Base
from etl.engine import make_engine  # noqa: F401  (re-exported: callers open the store through etl.store)
from etl.store_trust import HeldRow, ObservationRevision, ReportingDuty, Target  # noqa: F401  (the schema is one)
from etl.townships import Township  # noqa: F401  (the township dimension, migration 0017)
from etl.alerts import AlertEpisode, AlertSend  # noqa: F401  (alert episodes and messages sent, migration 0018)
from etl.store_notes import Annotation  # noqa: F401  (annotations, migration 0019)

COUNTY = "county"
COMMITTED = ("success", "partial")  # run statuses whose rows are in the store (partial: some files were refused)


class Indicator(Base):
    __tablename__ = "indicators"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    unit: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    # annual | quarterly | monthly | daily | live: the granularity of the periods its tiles and charts show
    cadence: Mapped[str] = mapped_column(String(16), default="annual", server_default="annual")
    target: Mapped[float | None] = mapped_column(Float)
    # days after a period ends until its figure is due (annual R&D: ~9 months), then until overdue; None: by cadence
    lag_days: Mapped[int | None] = mapped_column(Integer)
    grace_days: Mapped[int | None] = mapped_column(Integer)
    definition_zh: Mapped[str] = mapped_column(Text, default="")
    definition_en: Mapped[str] = mapped_column(Text, default="")
    checks: Mapped[str] = mapped_column(String(256), default="", server_default="")  # etl.checks, comma-separated
    aliases: Mapped[str] = mapped_column(Text, default="", server_default="")  # names offices use, comma-separated (0021)


class _Named:
    """A dimension row: a short code and a unique name in both languages (departments, chains)."""
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128), unique=True)
    name_en: Mapped[str] = mapped_column(String(128))


class Department(_Named, Base):
    __tablename__ = "departments"


class Chain(_Named, Base):
    __tablename__ = "chains"


class Segment(Base):
    __tablename__ = "segments"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    chain_code: Mapped[str] = mapped_column(ForeignKey("chains.code"), index=True)
    name_zh: Mapped[str] = mapped_column(String(128), unique=True)
    name_en: Mapped[str] = mapped_column(String(128))


class Firm(Base):
    __tablename__ = "firms"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128), unique=True)
    name_en: Mapped[str] = mapped_column(String(128))
    chain_code: Mapped[str] = mapped_column(ForeignKey("chains.code"), index=True)
    segment_code: Mapped[str] = mapped_column(ForeignKey("segments.code"), index=True)
    listed: Mapped[bool] = mapped_column(Boolean, default=False)
    listed_year: Mapped[int | None] = mapped_column(Integer)
    high_tech: Mapped[bool] = mapped_column(Boolean, default=False)
    township_code: Mapped[str | None] = mapped_column(String(32), index=True)  # townships.code (0017)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class ResourceType(Base):
    __tablename__ = "resource_types"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))


class EtlRun(Base):
    __tablename__ = "etl_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running|success|partial|failed|held|discarded
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)
    checks: Mapped[list | None] = mapped_column(JSON)  # the plausibility checks' findings (etl.checks)
    __table_args__ = (Index("ix_etl_runs_status_id", "status", "id"),)


class RejectedRow(Base):
    __tablename__ = "rejected_rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("etl_runs.id"), index=True)
    location: Mapped[str] = mapped_column(Text)
    row_number: Mapped[int | None] = mapped_column(Integer)
    raw: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)


class Observation(Base):
    __tablename__ = "observations"
    # No foreign keys and no run_id index on the fact tables (migration 0007): validation and the loader guarantee
    # them, and on a million-row load the checks cost twice the insert itself. No surrogate id either (0008): the
    # natural key is the primary key, so a load writes one index and calls no sequence.
    indicator_code: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(16))  # 2021 | 2021-03 | 2021Q1 | 2021-03-15
    scope: Mapped[str] = mapped_column(String(64))  # "county" or a department/chain/segment/firm code
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(256), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    run_id: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        # Key order (indicator, scope, period) serves both "one indicator for these scopes" and "this scope's
        # series", so the table needs no second index on scope, and every load writes one index fewer.
        PrimaryKeyConstraint("indicator_code", "scope", "period", name="observations_pkey"),
    )


class Matter(Base):
    __tablename__ = "matters"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    section: Mapped[str] = mapped_column(String(32))  # matters | resources | protection | submission
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    promised_days: Mapped[int] = mapped_column(Integer)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class MatterCase(Base):
    __tablename__ = "matter_cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_no: Mapped[str] = mapped_column(String(64), unique=True)
    matter_code: Mapped[str] = mapped_column(String(32))  # no foreign keys: see Observation
    department_code: Mapped[str] = mapped_column(String(32))
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16))  # submitted | accepted | completed | rejected
    source: Mapped[str] = mapped_column(String(256), default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    run_id: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        Index("ix_cases_dept_submitted", "department_code", "submitted_at"),
        Index("ix_cases_submitted", "submitted_at"),
        Index("ix_cases_matter", "matter_code"),
        # year-to-date counts and the department ranking on the wall, answered from the index alone (0020)
        Index("ix_cases_status_completed", "status", "completed_at", "department_code", "due_at", "run_id", "is_demo",
              "source"),
        Index("ix_cases_dept_status_completed", "department_code", "status", "completed_at"),  # one department
    )


class Resource(Base):
    __tablename__ = "resources"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    type_code: Mapped[str] = mapped_column(ForeignKey("resource_types.code"), index=True)
    provider: Mapped[str] = mapped_column(String(128))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), index=True)
    chain_code: Mapped[str | None] = mapped_column(ForeignKey("chains.code"), index=True)
    township_code: Mapped[str | None] = mapped_column(String(32), index=True)  # townships.code (0017)
    source: Mapped[str] = mapped_column(String(256), default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("etl_runs.id"))


class JobLock(Base):
    """One row per job: the last tick claimed and who holds the job now (the run-once lock on any dialect)."""
    __tablename__ = "job_locks"
    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_tick: Mapped[str] = mapped_column(String(32), default="")
    owner: Mapped[str | None] = mapped_column(String(128))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    extra: Mapped[dict | None] = mapped_column(JSON)


class User(Base):
    """A person who logs in: leaders browse drill-downs, analysts also export, admins also run the ETL."""
    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))  # leader | analyst | admin
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # in every session cookie; logout, a password change and a role change bump it, so old cookies stop working
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class StoreVersion(Base):
    """One row: the data version, a counter advanced inside every transaction that commits new data (run ids
    are taken when runs start, so the largest committed id can stand still while a long run commits last)."""
    __tablename__ = "store_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RunRequest(Base):
    """A "run now" from the ops page, for the scheduler's process to take (web workers run no jobs themselves)."""
    __tablename__ = "run_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    requested_by: Mapped[str] = mapped_column(String(64), default="")
    taken_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)


class AuditEvent(Base):
    """Every export and every ETL trigger: who, when, what, with which parameters."""
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))  # export | etl_trigger | login | login_failed
    target: Mapped[str] = mapped_column(String(256))
    detail: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(64), default="")


def data_version(conn) -> int:
    """The data version screens poll and every cache is keyed by: the counter advance_version moves inside each
    transaction that commits new data, so it moves whichever run commits last (0 without its row)."""
    return conn.execute(select(StoreVersion.version).where(StoreVersion.id == 1)).scalar() or 0


def advance_version(conn) -> None:
    """One step of the data version, in the caller's transaction: call it last, just before the commit. On
    PostgreSQL the row stays locked until that commit, so concurrent loads queue only for their commits, and a
    waiting statement increments the value its rival committed (the row is created if missing)."""
    stmt = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(StoreVersion).values(id=1, version=1)
    conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_={"version": StoreVersion.version + 1}))
