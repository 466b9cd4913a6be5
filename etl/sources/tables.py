"""How a grid of cells becomes long-format records: the header row under a title block, footnotes, units in
labels, total rows, and wide tables (indicators as rows, periods as columns) melted to the long format."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from etl.validate import normalise_period

REQUIRED = ("indicator", "period", "scope", "value")
TARGET_REQUIRED = ("plan", "indicator", "scope", "period", "target")  # a targets table, told apart by plan+target
ANNOTATION_REQUIRED = ("period", "kind", "note")  # an annotations table (日期/期间, 类型, 说明; 范围 optional)
CHINESE = {"indicator": "指标", "period": "期间", "scope": "范围", "value": "数值", "plan": "规划", "target": "目标值",
           "kind": "类型", "note": "说明"}
HEAD_ROWS = 30  # the header must be among the first this many lines / sheet rows
_ALIASES = {
    "indicator": ("indicator", "指标", "指标代码", "指标名称", "项目", "指标项", "item", "name"),
    "period": ("period", "期间", "时期", "年份", "年度", "月份", "季度", "日期", "时间", "统计期", "报告期", "year", "date"),
    "scope": ("scope", "范围", "主体", "部门", "单位名称", "地区", "区域", "统计范围", "department", "region"),
    "value": ("value", "数值", "值", "数据", "数量", "指标值", "本期数", "amount"),
    "unit": ("unit", "units", "单位", "计量单位"),
    "source": ("source", "来源", "数据来源"),
    "note": ("note", "notes", "remark", "remarks", "备注", "说明"),
    "plan": ("plan", "规划", "规划期", "计划", "plantype"),
    "target": ("target", "目标值", "目标", "targetvalue"),
    "kind": ("kind", "类型", "事件类型", "type"),  # with a note and no value: an annotations table
    "note_en": ("note_en", "英文说明", "说明(英文)", "说明（英文）", "text_en"),
}
HEADER_ALIASES = {alias: key for key, aliases in _ALIASES.items() for alias in aliases}
EXPECTED = ("expected a header row with 指标/indicator, 期间/period, 范围/scope, 数值/value (long format), "
            "or 指标/indicator and period columns such as 2021, 2021年, 2021Q1 (wide format)")

_SPACE = re.compile(r"[\s\u3000\ufeff]+")
_UNIT = re.compile(r"^(万|亿|千|百|十|百万|千万)?(元|美元|家|件|个|人|人次|项|次|亩|吨|米|平方米|公里|户|台|套|宗|位|"
                   r"天|日|小时|所|座|辆|篇|册|条|张|度|千瓦时|千瓦|兆瓦|%|％|‰|个百分点|百分点|m²|㎡|kwh|kw|mw)$",
                   re.IGNORECASE)
_IN_PARENS = re.compile(r"^(.*?)\s*[(（]\s*([^()（）]{1,8}?)\s*[)）]\s*$")
_PERIODISH = re.compile(r"^(?:19|20)\d{2}\s*(?:年|[-/.]\s*\d|[Qq]\d)")  # a year, then more: meant as a period
_TITLE_UNIT = re.compile(r"(?:计量)?单位\s*[:：]\s*(\S{1,8})")
_LABEL_PREFIX = re.compile(r"^(?:其中\s*[:：]?|[(（]?[一二三四五六七八九十\d]{1,3}[)）、.．]\s*)+")
_FOOTNOTE = re.compile(r"^(?:注|备注|附注|说明|数据来源|资料来源|来源|填报说明|填表说明|填表人|制表人|填报人|审核人|"
                       r"负责人|单位负责人|填报单位|填报日期|报送日期|制表日期|联系人|联系电话|note|notes|source)"
                       r"\s*(?:\d{1,2}|[①-⑩])?\s*[:：.、]", re.IGNORECASE)
_NOTE_WORDS = {"注", "备注", "附注", "说明", "注释"}
_PLACEHOLDERS = {"-", "--", "—", "——", "－", "…", "……", "/", "x", "×"}
TOTALS = {"合计", "总计", "全县合计", "全县总计"}  # (compared without spaces: 合　计 is spaced out to align)
_COUNTY = {"county", "全县", "新昌县", "新昌", "xinchangcounty"}


class FileRefused(Exception):
    """The file as a whole cannot be loaded; nothing of it is."""


def norm(cell) -> str:
    """A cell compared as a header word: no spaces (also not the full-width ones inside 指　标), no required-field
    marks (*指标), case folded."""
    return _SPACE.sub("", str(cell)).strip("*＊★※").casefold() if cell is not None else ""


def split_unit(label: str) -> tuple[str, str | None]:
    """'研发经费(亿元)' / '研发经费（亿元）' → ('研发经费', '亿元'); a parenthesis that is no unit stays in the label."""
    m = _IN_PARENS.match(label)
    if m and _UNIT.match(m.group(2).strip()):
        return m.group(1).strip(), m.group(2).strip()
    return label, None


@dataclass
class Header:
    """One header row: per column its canonical name (or None), period columns of a wide table, header units."""
    cells: list[str]
    names: list[str | None]
    periods: dict[int, str] = field(default_factory=dict)
    units: dict[int, str] = field(default_factory=dict)

    @property
    def wide(self) -> bool:
        return bool(self.periods)


def read_header(cells: list) -> Header | None:
    """The row as a header, or None when it does not look like one."""
    texts = ["" if c is None else str(c).strip() for c in cells]
    names, periods, units = [], {}, {}
    for i, text in enumerate(texts):
        label, unit = split_unit(text)
        key = HEADER_ALIASES.get(norm(label))
        names.append(key if key not in names else None)
        if unit:
            units[i] = unit
        if key is None and label and (normalise_period(label.translate(str.maketrans("", "", " \u3000")))
                                      or _PERIODISH.match(label)):
            periods[i] = label  # one that does not parse ('2023年1-9月') is rejected cell by cell, not dropped
    keys = {n for n in names if n in REQUIRED}
    if periods and not keys & {"period", "value"}:
        if "indicator" not in names and not texts[0] and len(periods) >= 2 and 0 not in periods:
            names[0] = "indicator"  # the top-left cell of a wide table is often left blank
        if "indicator" in names:
            return Header(texts, names, periods, units)
    if len(keys) >= 2 or {"period", "kind", "note"} <= set(names):  # the second: an annotations table
        return Header(texts, names, {}, units)
    return None


def find_header(rows: list[list], read=read_header) -> tuple[int, Header] | None:
    """The first of `rows` (a file's or sheet's first lines) that `read` (read_header) takes for a header, and it."""
    for i, cells in enumerate(rows[:HEAD_ROWS]):
        header = read(cells)
        if header:
            return i, header
    return None


def title_unit(rows: list[list]) -> str | None:
    """A unit stated once above the table, as statistics tables do ('单位：亿元')."""
    for cells in rows:
        for cell in cells:
            m = _TITLE_UNIT.search(str(cell or ""))
            if m and _UNIT.match(m.group(1)):
                return m.group(1)
    return None


def is_note_row(cells: list) -> bool:
    """A footnote or sign-off row: 注：…, 备注, 说明, 数据来源：…, 填表人：…"""
    filled = [str(c).strip() for c in cells if c is not None and not pd.isna(c) and str(c).strip()]
    if not filled:
        return False
    first = filled[0]
    return bool(_FOOTNOTE.match(first)) or (norm(first) in _NOTE_WORDS and len(filled) == 1)


def _clean_labels(out: pd.DataFrame) -> pd.DataFrame:
    """Indicator labels without their list numbering or 其中, the unit written inside them ('研发经费(亿元)') filling
    an empty unit. Worked out once per distinct label."""
    split = {}
    for u in out["indicator"].dropna().unique():
        s = split_unit(_LABEL_PREFIX.sub("", str(u).strip()) or str(u).strip())
        if s != (u, None):
            split[u] = s
    if split:
        labels = out["indicator"]
        out["indicator"] = labels.map(lambda u: split[u][0] if u in split else u)
        out["unit"] = out["unit"].fillna(labels.map(lambda u: split[u][1] if u in split else None))
    return out


def shape(df: pd.DataFrame, header: Header, rows, location: str, header_at: str, title: list[list]) -> pd.DataFrame:
    """Raw records in the long format from a table body whose columns are the header's positions.
    `rows` are the body's row numbers in the file or sheet; `header_at` names the header's line in messages."""
    df = df.set_axis(range(df.shape[1]), axis=1)
    keep = _kept(df)
    rows = np.asarray(rows)
    if not keep.all():
        df, rows = df[keep], rows[keep]
    df["_row"] = rows
    out = _melt(df, header) if header.wide else _long(df, header, header_at)
    if kind_of(header) == "annotations":  # no indicator, unit or totals: its rows as they are
        return _finish(out, location, "annotations")
    if "unit" not in out:
        out["unit"] = pd.Series(None, index=out.index, dtype=object)
    out = _clean_labels(out)  # a unit column first, then the unit in a row's label,
    if "_unit" in out:  # then the one in the column's header,
        out["unit"] = out["unit"].fillna(out.pop("_unit"))
    default_unit = title_unit(title)  # then the one stated above the table
    if default_unit:
        out["unit"] = out["unit"].fillna(default_unit)
    return _finish(_totals(out), location, kind_of(header))


def _finish(out: pd.DataFrame, location: str, kind: str) -> pd.DataFrame:
    out = out.assign(_location=location).reset_index(drop=True)
    out.attrs["kind"] = kind
    return out


def kind_of(header: Header) -> str:
    """What a table holds: plan targets when its header has a plan and a target column, annotations when it has
    a kind and a note (类型, 说明) and no value, else observations."""
    names = set(header.names) if not header.wide else set()
    if {"plan", "target"} <= names:
        return "targets"
    return "annotations" if {"kind", "note"} <= names and not names & {"value", "indicator"} else "observations"


def _kept(df: pd.DataFrame) -> np.ndarray:
    """Rows that are neither blank nor a footnote. A footnote leaves cells empty, so only rows with an empty
    cell are looked at one by one (a million full rows cost one vectorised pass)."""
    na = df.isna().to_numpy()
    keep = ~na.all(axis=1)
    maybe = np.flatnonzero(na.any(axis=1) & keep)
    if len(maybe):
        notes = np.array([is_note_row(r) for r in df.iloc[maybe].itertuples(index=False)], dtype=bool)
        keep[maybe[notes]] = False
    return keep


def _long(df: pd.DataFrame, header: Header, header_at: str) -> pd.DataFrame:
    names = {i: n for i, n in enumerate(header.names) if n}
    required = {"targets": TARGET_REQUIRED, "annotations": ANNOTATION_REQUIRED}.get(kind_of(header), REQUIRED)
    missing = [c for c in required if c not in names.values()]
    if missing:
        listed = ", ".join(f"{c} ({CHINESE[c]})" for c in missing)
        raise FileRefused(f"{header_at}: required column missing: {listed} (header: {', '.join(filter(None, header.cells))})")
    out = df[list(names) + ["_row"]].rename(columns=names)
    value_unit = next((header.units[i] for i, n in names.items() if n == "value" and i in header.units), None)
    if value_unit:
        out["_unit"] = value_unit
    return out


def _melt(df: pd.DataFrame, header: Header) -> pd.DataFrame:
    """One record per filled period cell; blank cells and placeholders ('-', '—', '…') are no data."""
    names = {n: i for i, n in enumerate(header.names) if n and n not in ("period", "value")}
    frames = []
    for i, period in header.periods.items():
        value = df[i]
        filled = value.notna() & ~value.astype(str).str.strip().isin(_PLACEHOLDERS | {""})
        part = pd.DataFrame({name: df.loc[filled, j] for name, j in names.items()})
        part["period"], part["value"], part["_row"] = period, value[filled], df.loc[filled, "_row"]
        part["_unit"] = header.units.get(i)
        frames.append(part)
    out = pd.concat(frames).sort_values("_row", kind="stable") if frames else pd.DataFrame()
    for col in ("indicator", "period", "value", "_row"):
        if col not in out:
            out[col] = pd.Series(dtype=object)
    if "scope" not in out:
        out["scope"] = "county"  # a wide table without a scope column is the county's
    return out


def _totals(out: pd.DataFrame) -> pd.DataFrame:
    """A total row (合计, 总计) is the county's figure, unless the table has a county row for the same indicator
    and period: then it cannot be, and its scope says so (it is rejected as an unknown scope)."""
    scopes = out["scope"].dropna().unique()
    kind = {s: "total" if norm(s) in TOTALS else "county" if norm(s) in _COUNTY else "" for s in scopes}
    if "total" not in kind.values():
        return out
    which = out["scope"].map(kind)
    total = (which == "total").to_numpy()
    key = out["indicator"].astype(str) + "\x00" + out["period"].astype(str)
    clash = total & key.isin(set(key[(which == "county").to_numpy()])).to_numpy()
    out = out.copy()
    out.loc[total & ~clash, "scope"] = "合计"  # the county's alias, whichever way the row spelt it
    out.loc[clash, "scope"] = out.loc[clash, "scope"].astype(str) + \
        " (total row, but this table has a county row for the same indicator and period)"
    return out
