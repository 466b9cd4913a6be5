"""Vectorised row checks: raw records in, (clean rows, rejected rows with reasons and locations) out."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from etl import clock
from etl.catalogue import Lookups
from etl.periods import FULLWIDTH, normalise_period, period_start  # noqa: F401 (period_start: etl.validate's API)

UNIT_ALIASES = {"％": "%", "percent": "%", "pct": "%"}
CASE_STATUSES = {"submitted", "accepted", "completed", "rejected"}
CASE_STATUS_ALIASES = {"已提交": "submitted", "待受理": "submitted", "已受理": "accepted", "办理中": "accepted",
                       "已办结": "completed", "办结": "completed", "不予受理": "rejected", "退回": "rejected"}

_GROUPED = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?%?"


def not_numbers(values: pd.Series) -> np.ndarray:
    """Cells that hold a boolean (a JSON true, a SQL BOOLEAN): pandas would read them as 1 and 0."""
    if pd.api.types.is_bool_dtype(values):
        return np.ones(len(values), dtype=bool)
    if values.dtype != object:  # text read from a file, or numbers: no booleans inside
        return np.zeros(len(values), dtype=bool)
    return values.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(dtype=bool)


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers from text like '4.12%', '1,234', '４．１２'; returns (floats or NaN, had-a-percent-sign).
    Booleans are not numbers: they come back as NaN."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64"), pd.Series(False, index=values.index)
    text = values.astype(object).mask(not_numbers(values))
    fast = pd.to_numeric(text, errors="coerce").astype("float64")
    slow = fast.isna() & text.notna()
    pct = pd.Series(False, index=values.index)
    if slow.any():
        cleaned = text[slow].astype(str).str.translate(FULLWIDTH).str.replace(r"\s", "", regex=True)
        # A comma only as a thousands separator (1,234.5): '4,12' or '1.234,5' (a decimal comma) is no number here
        grouped = cleaned.str.contains(",", regex=False)
        cleaned = cleaned.mask(grouped & ~cleaned.str.fullmatch(_GROUPED), "").str.replace(",", "", regex=False)
        pct[slow] = cleaned.str.endswith("%")
        fast[slow] = pd.to_numeric(cleaned.str.rstrip("%"), errors="coerce")
    return fast.astype("float64"), pct


def _raw_json(df: pd.DataFrame, mask: np.ndarray, columns: list[str]) -> list[str]:
    sub = df.loc[mask, columns].astype(object).where(df.loc[mask, columns].notna(), None)
    return [json.dumps(rec, ensure_ascii=False, default=str) for rec in sub.to_dict("records")]


def _reasons(checks: list[tuple[np.ndarray, str]], n: int) -> tuple[np.ndarray, list[str]]:
    bad = np.zeros(n, dtype=bool)
    for mask, _ in checks:
        bad |= mask
    idx = np.flatnonzero(bad)
    reasons = ["; ".join(msg for mask, msg in checks if mask[i]) for i in idx]
    return bad, reasons


def rejected_rows(df, bad, reasons, raw_columns) -> pd.DataFrame:
    """The rows of `df` flagged in `bad`, with their location, raw content as JSON and reason(s)."""
    return pd.DataFrame({
        "location": df.loc[bad, "_location"].to_numpy(),
        "row_number": df.loc[bad, "_row"].to_numpy(),
        "raw": _raw_json(df, bad, raw_columns),
        "reason": reasons,
    })


def observations(raw: pd.DataFrame, lookups: Lookups) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check raw observation records (columns indicator, period, scope, value[, unit, source, note])."""
    df = raw.reset_index(drop=True)
    n = len(df)
    raw_columns = [c for c in df.columns if not c.startswith("_")]
    for col in ("unit", "source", "note"):
        if col not in df:
            df[col] = None
    indicator = Lookups.resolve(lookups.indicators, df["indicator"])
    scope = Lookups.resolve(lookups.scopes, df["scope"])
    uniq = df["period"].dropna().unique()
    period = df["period"].map({u: normalise_period(u) for u in uniq})
    value, pct = parse_numbers(df["value"])
    boolean = not_numbers(df["value"])
    starts = {p: period_start(p) for p in period.dropna().unique()}
    future = (period.map(starts) > lookups.today).fillna(False).to_numpy(dtype=bool) \
        if lookups.today and starts else np.zeros(n, dtype=bool)  # no parseable period: nothing is in the future
    expected_unit = indicator.map(lookups.units)
    units = df["unit"].dropna().unique()  # a handful of distinct units in a million rows: clean each once
    unit_given = df["unit"].map({u: UNIT_ALIASES.get(str(u).strip(), str(u).strip()) or None for u in units})
    unit_bad = unit_given.notna() & indicator.notna() & (unit_given != expected_unit)
    pct_bad = pct & indicator.notna() & (expected_unit != "%")
    checks = [
        (indicator.isna().to_numpy(), "unknown indicator"),
        (scope.isna().to_numpy(), "unknown scope"),
        (period.isna().to_numpy(), "unparseable period"),
        (boolean, "not a number: a true/false value"),
        ((value.isna() | ~np.isfinite(value.fillna(0))).to_numpy() & ~boolean, "unparseable value"),
        (future, f"future period: it begins after today ({lookups.today})"),
        (unit_bad.fillna(False).to_numpy(dtype=bool), "unit does not match the catalogue"),
        (pct_bad.fillna(False).to_numpy(dtype=bool), "percent value for an indicator not measured in %"),
    ]
    clean = pd.DataFrame({
        "indicator_code": indicator, "period": period, "scope": scope, "value": value,
        "unit": expected_unit,
        "source": df["source"].astype("string").fillna(""),
        "note": df["note"].astype("string").fillna(""),
    })
    bad, reasons = _reasons(checks, n)
    dup = _duplicates(clean, bad, ["indicator_code", "period", "scope"])
    if dup.any():
        reasons = _merge_reasons(bad, reasons, dup, "duplicate key; a later row in the same batch wins")
        bad = bad | dup
    rejected = rejected_rows(df, bad, reasons, raw_columns)
    return clean[~bad].reset_index(drop=True), rejected


def _duplicates(clean: pd.DataFrame, bad: np.ndarray, keys: list[str]) -> np.ndarray:
    """Valid rows whose key a later valid row repeats. Rejected rows take no part: a later bad row must not
    knock out the good one before it."""
    dup = np.zeros(len(clean), dtype=bool)
    dup[~bad] = clean[~bad].duplicated(subset=keys, keep="last").to_numpy()
    return dup


def _merge_reasons(bad: np.ndarray, reasons: list[str], extra: np.ndarray, message: str) -> list[str]:
    by_row = dict(zip(np.flatnonzero(bad), reasons))
    for i in np.flatnonzero(extra):
        by_row[i] = f"{by_row[i]}; {message}" if i in by_row else message
    return [by_row[i] for i in sorted(by_row)]


def _timestamp(value):
    """One date-time as a naive civil time in COCKPIT_TZ: offsets ('+08:00', 'Z') are converted to it, naive ones kept,
    numbers are Unix epoch seconds (or milliseconds when too large for seconds); NaT when unreadable."""
    if isinstance(value, str):
        value = value.translate(FULLWIDTH).strip()
        if not value:
            return pd.NaT
    try:
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            if not math.isfinite(value):
                return pd.NaT
            ts = pd.Timestamp(value, unit="ms" if abs(value) >= 1e11 else "s", tz="UTC")
        else:
            ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    if ts is pd.NaT:
        return pd.NaT
    return ts.tz_convert(clock.zone()).tz_localize(None) if ts.tzinfo is not None else ts


def _datetimes(values: pd.Series) -> pd.Series:
    """Vectorised over unique values; mixed offsets and naive times in one column are fine."""
    if pd.api.types.is_datetime64_any_dtype(values):
        tz = getattr(values.dtype, "tz", None)
        values = values.dt.tz_convert(clock.zone()).dt.tz_localize(None) if tz is not None else values
        return values.astype("datetime64[ns]")
    uniques = values.dropna().unique()
    table = {u: _timestamp(u) for u in uniques}
    return pd.to_datetime(values.map(table), errors="coerce").astype("datetime64[ns]")


def cases(raw: pd.DataFrame, lookups: Lookups) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check raw matter-case records (case_no, matter, submitted_at[, accepted_at, completed_at, due_at, status])."""
    df = raw.reset_index(drop=True)
    n = len(df)
    raw_columns = [c for c in df.columns if not c.startswith("_")]
    for col in ("accepted_at", "completed_at", "due_at", "status", "source", "department"):
        if col not in df:
            df[col] = None
    matter = Lookups.resolve(lookups.matters, df["matter"])
    department = matter.map(lookups.matter_departments)
    given_dept = Lookups.resolve(lookups.departments, df["department"])
    submitted, accepted = _datetimes(df["submitted_at"]), _datetimes(df["accepted_at"])
    completed, due = _datetimes(df["completed_at"]), _datetimes(df["due_at"])
    status = df["status"].astype("string").str.strip().str.lower().replace(CASE_STATUS_ALIASES)
    inferred = np.where(completed.notna(), "completed", np.where(accepted.notna(), "accepted", "submitted"))
    status = status.fillna(pd.Series(inferred, index=df.index))
    case_no = df["case_no"].astype("string").str.strip()
    checks = [
        ((case_no.isna() | (case_no == "")).fillna(True).to_numpy(dtype=bool), "missing case number"),
        (matter.isna().to_numpy(), "unknown matter"),
        ((df["department"].notna() & (given_dept != department)).to_numpy(dtype=bool),
         "department does not own this matter"),
        (submitted.isna().to_numpy(), "unparseable submitted_at"),
        ((df["accepted_at"].notna() & accepted.isna()).to_numpy(), "unparseable accepted_at"),
        ((df["completed_at"].notna() & completed.isna()).to_numpy(), "unparseable completed_at"),
        ((completed < submitted).fillna(False).to_numpy(dtype=bool), "completed before submitted"),
        ((~status.isin(CASE_STATUSES)).fillna(True).to_numpy(dtype=bool), "unknown status"),
    ]
    clean = pd.DataFrame({
        "case_no": case_no, "matter_code": matter, "department_code": department,
        "submitted_at": submitted, "accepted_at": accepted, "completed_at": completed, "due_at": due,
        "status": status, "source": df["source"].astype("string").fillna(""),
    })
    bad, reasons = _reasons(checks, n)
    dup = _duplicates(clean, bad, ["case_no"])
    if dup.any():
        reasons = _merge_reasons(bad, reasons, dup, "duplicate case number; a later row in the same batch wins")
        bad = bad | dup
    return clean[~bad].reset_index(drop=True), rejected_rows(df, bad, reasons, raw_columns)
