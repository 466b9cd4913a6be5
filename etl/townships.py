"""The township dimension's table (乡镇/街道), seeded from data/townships.csv by migration 0017 (etl.store re-exports
it; a module of its own keeps etl.store under its size limit), and the column names sources give it under (a source's
township, by code or name, is resolved with the other dimensions' names in etl.dimensions)."""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from etl.base import Base


class Township(Base):
    """A township-level division; code: its 12-digit 统计用区划代码; row/col: its tile on the schematic map."""
    __tablename__ = "townships"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128), unique=True)
    name_en: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(8))  # 街道 | 镇 | 乡
    row: Mapped[int] = mapped_column(Integer)
    col: Mapped[int] = mapped_column(Integer)


COLUMN = "township_code"
ALIASES = ("township", "乡镇", "乡镇街道", "乡镇(街道)", "乡镇（街道）", "所在乡镇", "街道", "town")
FORMER = Path(__file__).resolve().parents[1] / "data" / "townships_former.csv"


@lru_cache(maxsize=1)
def former() -> tuple[tuple[str, str, str, str], ...]:
    """The divisions merged away (data/townships_former.csv): (former code, Chinese name, English name, successor
    code). A register that still names one loads into its successor."""
    with open(FORMER, encoding="utf-8", newline="") as fh:
        return tuple((r["former_code"], r["former_name_zh"], r["former_name_en"], r["successor_code"])
                     for r in csv.DictReader(fh))
