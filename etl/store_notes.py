"""The annotations table (issue 14 #3; etl/annotations.py checks and writes its rows, etl.store re-exports it)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from etl.base import Base


class Annotation(Base):
    __tablename__ = "annotations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(16), index=True)  # a day (2026-03-15), month, quarter or year
    scope: Mapped[str] = mapped_column(String(64))  # "county" or a department/chain/segment code
    kind: Mapped[str] = mapped_column(String(16))  # policy | incident | revision | note
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(256), default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    run_id: Mapped[int | None] = mapped_column(Integer)  # the load that wrote it (None: written on /ops)
    author: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
