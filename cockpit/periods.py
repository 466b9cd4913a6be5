"""Periods as time, not text: '2025' → (2025-01-01, annual), '2025Q3' → (2025-07-01, quarterly), '2025-02' →
(2025-02-01, monthly), '2025-02-10' → (that day, daily). Sorted as text the granularities mix ('2025Q3' > '2025-02'
> '2025'), so "latest" is picked here: in time order, within the granularity an indicator's cadence names."""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import pandas as pd

from etl.validate import period_start

# The granularity of the periods a cadence's tiles and charts show. A live indicator's tile counts cases as they
# arrive; its stored observations are yearly totals, so its charts read them as annual.
GRAIN = {"annual": "annual", "quarterly": "quarterly", "monthly": "monthly", "daily": "daily", "live": "annual"}
_FORMS = ((re.compile(r"^\d{4}$"), "annual"), (re.compile(r"^\d{4}Q[1-4]$"), "quarterly"),
          (re.compile(r"^\d{4}-\d{2}$"), "monthly"), (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "daily"))


@lru_cache(maxsize=8192)
def parse(period) -> tuple[date, str] | None:
    """(start date, granularity) of a stored period (etl.validate.normalise_period's forms); None otherwise."""
    text = str(period).strip() if period is not None else ""
    for pattern, grain in _FORMS:
        if pattern.match(text):
            try:
                return period_start(text), grain  # the write side's reading of the same forms
            except ValueError:  # '2025-13', '2025-02-30'
                return None
    return None


def grain(cadence: str | None) -> str:
    """The period granularity a cadence shows (annual when the catalogue names none or an unknown one)."""
    return GRAIN.get(cadence or "annual", "annual")


def of_grain(periods, cadence: str | None) -> list[str]:
    """The periods of the cadence's granularity, oldest first, each once; others and unparseable ones dropped."""
    want = grain(cadence)
    kept = {p: parse(p)[0] for p in periods if parse(p) is not None and parse(p)[1] == want}
    return sorted(kept, key=kept.get)


def latest(periods, cadence: str | None) -> str | None:
    """The newest period of the cadence's granularity, or None when there is none."""
    kept = of_grain(periods, cadence)
    return kept[-1] if kept else None


def in_order(frame: pd.DataFrame, cadence: str | dict | None = None, by: tuple[str, ...] = ("code",)) -> pd.DataFrame:
    """`frame`'s rows whose period has their indicator's granularity, in time order (within `by` groups).
    `cadence` is one cadence, a {code: cadence} map, or None to read a `cadence` column of the frame."""
    if frame.empty:
        return frame
    if isinstance(cadence, dict):
        cadences = frame["code"].map(cadence)
    elif cadence is None and "cadence" in frame:
        cadences = frame["cadence"]
    else:
        cadences = pd.Series(cadence, index=frame.index)
    parsed = [parse(p) for p in frame["period"]]
    keep = [p is not None and p[1] == grain(c) for p, c in zip(parsed, cadences)]
    start = pd.Series([p[0] if p else date.min for p in parsed], index=frame.index)
    cols = [c for c in by if c in frame]
    out = frame.assign(_start=start)[keep].sort_values([*cols, "_start"], kind="stable")
    return out.drop(columns="_start").reset_index(drop=True)
