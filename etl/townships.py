"""The township dimension's table (乡镇/街道), seeded from data/townships.csv by migration 0017 (etl.store re-exports
it; a module of its own keeps etl.store under its size limit)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Integer, String, select
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


def _key(text) -> str:
    return "".join(str(text).split()).casefold()


def resolve(conn, values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """A township column as sources send it (its code, 南明街道, 南明, Nanming Subdistrict, Nanming) → (codes, a mask
    of the non-empty cells that name no township: their rows are quarantined, never stored with a guess)."""
    lookup: dict[str, str] = {}
    for code, zh, en, kind in conn.execute(select(Township.code, Township.name_zh, Township.name_en, Township.kind)):
        short_zh = zh[:-len(kind)] if kind and zh.endswith(kind) else zh
        short_en = en.rsplit(" ", 1)[0] if " " in en else en
        for name in (code, zh, short_zh, en, short_en):
            lookup.setdefault(_key(name), code)
    given = values.astype(object).where(values.notna(), None)
    text = given.map(lambda v: None if v is None or str(v).strip() == "" else _key(
        int(v) if isinstance(v, float) and v.is_integer() else v))
    codes = text.map(lambda k: None if k is None else lookup.get(k))
    unknown = (text.notna() & codes.isna()).to_numpy(dtype=bool)
    return codes, unknown
