"""The tables behind figures a leader can act on (issue 12): plan targets with their versions, kept vintages of
revised observations, who must report what by when, and the rows of runs held by a blocking check. etl/store.py gathers them with the rest of the schema."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, Index, Integer, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from etl.base import Base


class Target(Base):
    """A plan's target for an indicator and scope in one period: the 14th Five-Year Plan (plan "14th", 2021-2025),
    the 15th ("15th", 2026-2030) or a year's own ("annual"). A revised target is a new version; the old stays."""
    __tablename__ = "targets"
    plan: Mapped[str] = mapped_column(String(16))  # 14th | 15th | annual
    indicator_code: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(64))  # "county" or a department/chain code
    period: Mapped[str] = mapped_column(String(16))  # the year it is set for (a plan's end year, or the year)
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, ...: the newest is the one that applies
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(256), default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    run_id: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
    __table_args__ = (PrimaryKeyConstraint("plan", "indicator_code", "scope", "period", "version",
                                           name="targets_pkey"),)


class ObservationRevision(Base):
    """A value an observation had before a later load changed it: the vintage, the run that loaded it and the
    run that replaced it, so a figure can say 已修订 and a snapshot can be made as of any earlier moment."""
    __tablename__ = "observation_revisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    indicator_code: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(256), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    run_id: Mapped[int] = mapped_column(Integer)  # the run that loaded this value
    replaced_by: Mapped[int] = mapped_column(Integer)  # the run that loaded the next value
    replaced_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC: the replacing run's end (its commit)
    __table_args__ = (Index("ix_revisions_key", "indicator_code", "scope", "period"),
                      Index("ix_revisions_replaced_by", "replaced_by"))


class ReportingDuty(Base):
    """A department that must report an indicator (or its matter cases: subject "matters") every period of a
    cadence, by a day of the month after the period ends."""
    __tablename__ = "reporting_duties"
    subject: Mapped[str] = mapped_column(String(64))  # an indicator code, or "matters"
    department_code: Mapped[str] = mapped_column(String(32))
    cadence: Mapped[str] = mapped_column(String(16), default="monthly")  # monthly | quarterly | annual
    due_day: Mapped[int] = mapped_column(Integer, default=10)  # reported by this day after the period ends
    __table_args__ = (PrimaryKeyConstraint("subject", "department_code", name="reporting_duties_pkey"),)


class HeldRow(Base):
    """A batch of validated rows of a run that a blocking plausibility check held (status "held", 待核实): kept
    here, not in the fact tables, until `cockpit etl publish` applies or `discard` deletes them."""
    __tablename__ = "held_rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # observations | cases
    payload: Mapped[str] = mapped_column(Text)  # the batch's rows, JSON records (pandas to_json, ISO times)
