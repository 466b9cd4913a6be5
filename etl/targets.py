"""Plan targets as data: raw target records (plan, indicator, scope, period, target) checked row by row and written
as versions. A target whose value changes becomes the next version of its (plan, indicator, scope, period); the old
version stays; one loaded again unchanged adds nothing.

Plans: 十四五 / 14th (2021-2025), 十五五 / 15th (2026-2030), 年度 / annual. A five-year plan's target is set for a
year inside the plan (usually its end year; a blank period means the end year); an annual target for its year.
Targets may lie in the future (a plan's end year), unlike observations."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sqlalchemy import insert, select

from etl import clock, validate
from etl.catalogue import Lookups
from etl.periods import normalise_period
from etl.sources.base import Batch
from etl.store_trust import Target

PLANS = {"14th": (2021, 2025), "15th": (2026, 2030)}  # five-year plans and their years; "annual" is the third plan
_PLAN_WORDS = {"十四五": "14th", "14th": "14th", "14": "14th", "第十四个五年": "14th",
               "十五五": "15th", "15th": "15th", "15": "15th", "第十五个五年": "15th",
               "年度": "annual", "annual": "annual", "年": "annual", "year": "annual", "yearly": "annual", "本年": "annual"}
_PLAN_TAIL = re.compile(r"(?:五年规划纲要|五年规划|规划纲要|规划期末|规划|时期|计划|目标|期末|five-?yearplan|plan|target)+$")
KEY = ["plan", "indicator_code", "scope", "period"]


def plan_code(text) -> str | None:
    """'十四五', '十四五规划', '14th plan', '年度', 'annual' → '14th' / '15th' / 'annual'; None when it names none."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    word = re.sub(r"[\s\u3000\"“”「」《》]+", "", str(text)).casefold()
    word = _PLAN_TAIL.sub("", word) or word
    return _PLAN_WORDS.get(word)


def _period(plan: str | None, raw) -> tuple[str | None, str]:
    """The year a target is set for, or (None, why not)."""
    if plan in PLANS and (raw is None or (isinstance(raw, float) and np.isnan(raw)) or not str(raw).strip()):
        return str(PLANS[plan][1]), ""  # a five-year plan's target without a period: its end year
    period = normalise_period(raw) if raw is not None else None
    if period is None:
        return None, "unparseable period"
    if not re.fullmatch(r"\d{4}", period):
        return None, "a target is set for a year (2025, 2025年), not a month or quarter"
    if plan in PLANS and not PLANS[plan][0] <= int(period) <= PLANS[plan][1]:
        first, last = PLANS[plan]
        return None, f"period outside the plan ({plan}: {first}-{last})"
    return period, ""


def check(raw: pd.DataFrame, lookups: Lookups) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean target rows (plan, indicator_code, scope, period, value, source) and the rejected rows with reasons."""
    df = raw.reset_index(drop=True)
    raw_columns = [c for c in df.columns if not c.startswith("_")]
    for col in ("unit", "source", "period"):
        if col not in df:
            df[col] = None
    plan = df["plan"].map(plan_code)
    indicator = Lookups.resolve(lookups.indicators, df["indicator"])
    scope = Lookups.resolve(lookups.scopes, df["scope"])
    periods = [_period(p, r) for p, r in zip(plan, df["period"])]
    period = pd.Series([p for p, _ in periods], index=df.index, dtype=object)
    value, pct = validate.parse_numbers(df["target"])
    boolean = validate.not_numbers(df["target"])
    expected_unit = indicator.map(lookups.units)
    unit_given = df["unit"].map(lambda u: None if u is None or pd.isna(u) else
                                validate.UNIT_ALIASES.get(str(u).strip(), str(u).strip()) or None)
    checks = [
        (plan.isna().to_numpy(), "unknown plan (十四五/14th, 十五五/15th or 年度/annual)"),
        (indicator.isna().to_numpy(), "unknown indicator"),
        (scope.isna().to_numpy(), "unknown scope"),
        (period.isna().to_numpy(), None),  # its reason is the period's own (unparseable, outside the plan)
        (boolean, "not a number: a true/false value"),
        ((value.isna() | ~np.isfinite(value.fillna(0))).to_numpy() & ~boolean, "unparseable target"),
        ((unit_given.notna() & indicator.notna() & (unit_given != expected_unit)).to_numpy(dtype=bool),
         "unit does not match the catalogue"),
        ((pct & indicator.notna() & (expected_unit != "%")).to_numpy(dtype=bool),
         "percent target for an indicator not measured in %"),
    ]
    why_period = np.array([why for _, why in periods], dtype=object)
    bad = np.zeros(len(df), dtype=bool)
    for mask, _ in checks:
        bad |= mask
    reasons = ["; ".join(msg or why_period[i] for mask, msg in checks if mask[i]) for i in np.flatnonzero(bad)]
    clean = pd.DataFrame({"plan": plan, "indicator_code": indicator, "scope": scope, "period": period,
                          "value": value, "source": df["source"].astype("string").fillna(""),
                          "initial": df["_initial"].fillna(False).astype(bool) if "_initial" in df else False})
    dup = np.zeros(len(df), dtype=bool)
    dup[~bad] = clean[~bad].duplicated(subset=KEY, keep="last").to_numpy()
    if dup.any():
        by_row = dict(zip(np.flatnonzero(bad), reasons))
        for i in np.flatnonzero(dup):
            by_row[i] = "duplicate target (plan, indicator, scope, period); a later row in the same file wins"
        bad = bad | dup
        reasons = [by_row[i] for i in sorted(by_row)]
    return clean[~bad].reset_index(drop=True), validate.rejected_rows(df, bad, reasons, raw_columns)


def newest(conn, codes) -> pd.DataFrame:
    """The newest stored version of every target of the indicators `codes`: KEY, version, value."""
    rows = conn.execute(select(Target.plan, Target.indicator_code, Target.scope, Target.period, Target.version,
                               Target.value).where(Target.indicator_code.in_(list(codes)))).all()
    stored = pd.DataFrame([tuple(r) for r in rows], columns=KEY + ["version", "value"])
    return stored.sort_values("version").drop_duplicates(KEY, keep="last")


def write(conn, clean: pd.DataFrame, run_id: int, is_demo: bool) -> int:
    """Insert the targets that are new or whose value changed, each as the next version; returns how many. Rows
marked `initial` (a target as first published, before a revision) are written only where none is stored yet."""
    if clean.empty:
        return 0
    stored = newest(conn, clean["indicator_code"].unique()).rename(columns={"value": "stored"})
    both = clean.merge(stored, on=KEY, how="left")
    stored_value = pd.to_numeric(both["stored"], errors="coerce").astype("float64")
    same = stored_value.notna() & np.isclose(both["value"].astype("float64"), stored_value.fillna(0), rtol=1e-12,
                                             atol=1e-12)
    first = both["initial"] & both["version"].notna()  # a target as first published: only where none is stored
    new = both[~same & ~first].drop(columns="initial")
    if new.empty:
        return 0
    new["version"] = pd.to_numeric(new["version"]).fillna(0).astype(int) + 1
    new = new.drop(columns="stored").assign(is_demo=bool(is_demo), run_id=run_id, loaded_at=clock.utc_now())
    rows = new.astype(object).where(new.notna(), None).to_dict("records")
    conn.execute(insert(Target), rows)
    return len(rows)


def load(conn, batch: Batch, lookups: Lookups, run_id: int, default_source: str) -> tuple[int, int, pd.DataFrame]:
    """Check and write one batch of targets: (valid rows, versions written, rejected rows)."""
    clean, rejected = check(batch.records, lookups)
    clean["source"] = clean["source"].mask(clean["source"] == "", default_source)
    return len(clean), write(conn, clean, run_id, batch.is_demo), rejected
