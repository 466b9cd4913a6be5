"""Dimension rows (firms, resources) as sources send them, made the store's: chains, segments, resource types,
departments and townships given by code or by name (高端装备, 高端装备产业链, High-end equipment), yes/no cells as
offices write them (是, 否, √, Y, true, 1), and a listing year given as a year or a date. A cell that names nothing
known, or says neither yes nor no, is quarantined with its reason, never stored with a guess."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sqlalchemy import select

from etl import townships
from etl.store import Chain, Department, ResourceType, Segment, Township

_YES = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "有", "已上市", "上市", "t"}
_NO = {"否", "n", "no", "false", "0", "×", "✗", "无", "未上市", "f", "-", "—", "/"}
_YEAR = re.compile(r"^((?:19|20)\d{2})(?:\.0+)?(?:\s*年|[-/.]\d{1,2}(?:[-/.]\d{1,2})?|\s*年\s*\d{1,2}\s*月.*)?")
_REFERENCES = {"chain_code": (Chain, ("产业链", "产业")), "type_code": (ResourceType, ()),
               "department_code": (Department, ())}
_WORDS = {"chain_code": "chain", "type_code": "resource type", "department_code": "department",
          "segment_code": "segment"}


def _key(text) -> str:
    return "".join(str(text).split()).casefold()


def _blank(value) -> bool:
    """None, NaN, pandas' NA or NaT (what a frame holds for a missing cell), or only spaces."""
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _lookup(conn, model, suffixes=()) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, zh, en in conn.execute(select(model.code, model.name_zh, model.name_en)):
        for name in (code, zh, en, *(zh + s for s in suffixes)):
            out.setdefault(_key(name), code)
    return out


def _township_lookup(conn) -> dict[str, str]:
    """Townships by code, name and short name: 南明街道, 南明, Nanming Subdistrict, Nanming; a former division
    (its code, Chinese or English name) stands for its successor."""
    out: dict[str, str] = {}
    for code, zh, en, kind in conn.execute(select(Township.code, Township.name_zh, Township.name_en, Township.kind)):
        for name in _township_names(code, zh, en, kind):
            out.setdefault(_key(name), code)
    for code, zh, en, successor in townships.former():  # 梅渚镇 (merged in 2019) is 澄潭街道 now
        if _key(successor) in out:
            kind = re.search("(街道|镇|乡)$", zh)
            for name in _township_names(code, zh, en, kind.group(1) if kind else ""):
                out.setdefault(_key(name), out[_key(successor)])
    return out


def _township_names(code: str, zh: str, en: str, kind: str) -> tuple[str, ...]:
    """The ways a township is written: code, name and short name in either language."""
    short_zh = zh[:-len(kind)] if kind and zh.endswith(kind) else zh
    short_en = en.rsplit(" ", 1)[0] if " " in en else en
    return code, zh, short_zh, en, short_en


def _resolve(values: pd.Series, lookup: dict[str, str]) -> tuple[pd.Series, np.ndarray]:
    """Codes for the cells (a code written as a number, 330624105000.0 from a spreadsheet, is that code), and a mask
    of the non-empty cells that name nothing in `lookup`."""
    text = values.astype(object).map(lambda v: None if _blank(v) else _key(
        int(v) if isinstance(v, (float, np.floating)) and float(v).is_integer() else v))
    codes = text.map(lambda k: None if k is None else lookup.get(k))
    return codes, (text.notna() & codes.isna()).to_numpy(dtype=bool)


def _flag(value):
    """True, False, None (blank: no), or the string itself when it says neither."""
    if _blank(value):
        return False
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, (int, float, np.number)) and value in (0, 1)):
        return bool(value)
    text = _key(value)
    return True if text in _YES or text.startswith("是") else False if text in _NO or text.startswith("否") else str(value)


def _whole(value) -> bool:
    return isinstance(value, (int, np.integer)) or (isinstance(value, (float, np.floating)) and float(value).is_integer())


def _year(value):
    """A year (2021, 2021.0, 2021年, 2021-06-18, 2021年6月), None for a blank, or the value when it is none."""
    if _blank(value):
        return None
    if hasattr(value, "year"):
        return int(value.year)
    if _whole(value):
        value = int(value)
    m = _YEAR.match(str(value).strip())
    return int(m.group(1)) if m else value


def prepare(conn, table, records: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[np.ndarray, str]]]:
    """The records with codes in place of names and typed flags, and (mask, reason) for the rows to quarantine."""
    records = records.copy()
    found: list[tuple[np.ndarray, str]] = []
    town = next((c for c in (townships.COLUMN, *townships.ALIASES) if c in records.columns), None)
    if town is not None and townships.COLUMN in table.c:  # a code or a name; one that names no township is quarantined
        codes, unknown = _resolve(records[town], _township_lookup(conn))
        records = records.drop(columns=[town]).assign(**{townships.COLUMN: codes.to_numpy()})
        found.append((unknown, f"unknown township in column {town!r} (see data/townships.csv)"))
    for column, (model, suffixes) in _REFERENCES.items():
        if column in records.columns and column in table.c:
            codes, unknown = _resolve(records[column], _lookup(conn, model, suffixes))
            records[column] = codes.to_numpy()
            found.append((unknown, f"unknown {_WORDS[column]} in column {column} (a code or a name of the catalogue)"))
    if "segment_code" in records.columns and "segment_code" in table.c:
        found += _segments(conn, records)
    for column in ("listed", "high_tech"):
        if column in records.columns:
            flags = records[column].astype(object).map(_flag)
            neither = flags.map(lambda v: not isinstance(v, bool)).to_numpy(dtype=bool)
            records[column] = flags.where(~neither, None)
            found.append((neither, f"{column}: neither yes nor no (是/否, Y/N, √/×)"))
    if "listed_year" in records.columns:
        years = records["listed_year"].astype(object).map(_year)  # Int64 would turn a None back into NA
        bad = years.map(lambda v: not _blank(v) and not _whole(v)).to_numpy(dtype=bool)
        records["listed_year"] = [None if b or _blank(v) else int(v) for v, b in zip(years, bad)]
        found.append((bad, "listed_year: not a year (2021, 2021年, 2021-06-18)"))
    return records, found


def _segments(conn, records: pd.DataFrame) -> list[tuple[np.ndarray, str]]:
    """Segments by code or name; one of another chain than the row's is quarantined, not moved to its chain."""
    chain_of = dict(conn.execute(select(Segment.code, Segment.chain_code)).all())
    codes, unknown = _resolve(records["segment_code"], _lookup(conn, Segment))
    records["segment_code"] = codes.to_numpy()
    found = [(unknown, "unknown segment in column segment_code (a code or a name of the catalogue)")]
    if "chain_code" in records.columns:
        other = (codes.notna() & records["chain_code"].notna()
                 & (codes.map(chain_of) != records["chain_code"])).to_numpy(dtype=bool)
        found.append((other, "segment_code: the segment belongs to another chain than the row's chain_code"))
    return found
