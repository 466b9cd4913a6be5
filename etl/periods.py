"""Periods as the write side reads them: the forms offices write ('2025', '2025年', '2025Q3', '2025年第三季度',
'2025-02', '2025年2月', '2025-02-10', '20250210', full-width digits) normalised to the stored forms, and the first
day each stored period covers."""
from __future__ import annotations

import math
import re
from datetime import date, datetime

import pandas as pd

# Full-width digits and punctuation (common in Chinese spreadsheets) to ASCII.
FULLWIDTH = str.maketrans("０１２３４５６７８９．，％－＋　ＱｑＨ\u2212", "0123456789.,%-+ QqH-")
_PERIOD_PATTERNS = [
    (re.compile(r"^(\d{4})\s*(?:年度?)?$"), "year"),
    (re.compile(r"^(\d{4})\s*[-/.]?\s*[Qq]\s*([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})\s*年\s*第?\s*([1-4一二三四])\s*季度?$"), "quarter"),
    (re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$"), "month"),
    (re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$"), "day"),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "day"),
]
_CN_QUARTER = {"一": "1", "二": "2", "三": "3", "四": "4"}


def normalise_period(text) -> str | None:
    """'2021年3月' → '2021-03', '2021Q1' → '2021Q1', '2021-03-15' → '2021-03-15'; None when not a period."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or text is pd.NA or text is pd.NaT:
        return None
    if isinstance(text, (date, datetime, pd.Timestamp)):  # a date cell from a spreadsheet or a SQL DATE column
        return (text.date() if isinstance(text, datetime) else text).isoformat()
    s = str(text).translate(FULLWIDTH).strip()
    s = re.sub(r"^(\d{4}-\d{2}-\d{2})[ T]00:00(:00(\.0+)?)?$", r"\1", s)  # a date rendered with its midnight
    if re.fullmatch(r"\d{4}\.0", s):  # a year read from a spreadsheet as a float
        s = s[:4]
    for pattern, kind in _PERIOD_PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        year = int(m.group(1))
        if not 1900 <= year <= 2100:
            return None
        if kind == "year":
            return f"{year}"
        if kind == "quarter":
            return f"{year}Q{_CN_QUARTER.get(m.group(2), m.group(2))}"
        month = int(m.group(2))
        if not 1 <= month <= 12:
            return None
        if kind == "month":
            return f"{year}-{month:02d}"
        try:
            return date(year, month, int(m.group(3))).isoformat()
        except ValueError:
            return None
    return None


def period_start(period: str | None) -> date | None:
    """The first day of a normalised period ('2025' → 2025-01-01, '2025Q3' → 2025-07-01, '2025-02' → 2025-02-01)."""
    if not period:
        return None
    if len(period) == 4:
        return date(int(period), 1, 1)
    if period[4] == "Q":
        return date(int(period[:4]), 3 * int(period[5]) - 2, 1)
    if len(period) == 7:
        return date(int(period[:4]), int(period[5:7]), 1)
    return date.fromisoformat(period)
