"""The provenance mark (ⓘ): on hover or focus, what a tile or chart shows — definition, unit, period, source,
load run and time, demo or not. Data in (the frame shown, optionally its indicator's catalogue row), no callbacks."""
from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from dash import html
from pandas.api.types import is_datetime64_dtype

from cockpit.i18n import t, unit as unit_label
from etl import clock


def _present(frame: pd.DataFrame, col: str) -> list:
    """The non-null values of a column as plain Python values (a set or min over them beats pandas' per-call
    overhead on the small frames a panel shows; a page draws a dozen marks)."""
    if col not in frame:
        return []
    return [v for v in frame[col].to_numpy(dtype=object, na_value=None) if v is not None and v == v]  # NaT != NaT


def _extremes(frame: pd.DataFrame, col: str) -> tuple:
    """The lowest and the highest non-null value of a column, () when it has none. Timestamps are reduced in
    numpy: boxing each into a Python object cost more than the rest of a mark (a grid's 500 cases)."""
    if col in frame and is_datetime64_dtype(frame[col].dtype):
        stamps = frame[col].to_numpy()
        stamps = stamps[~np.isnat(stamps)]
        return (pd.Timestamp(stamps.min()), pd.Timestamp(stamps.max())) if len(stamps) else ()
    values = _present(frame, col)
    return (min(values), max(values)) if values else ()


def _periods(frame: pd.DataFrame) -> str:
    for col in ("period", "month", "submitted_at"):
        values = _extremes(frame, col)
        if values:
            low, high = str(values[0])[:10], str(values[1])[:10]  # ISO text: its order is the time order
            return low if low == high else f"{low} – {high}"
    return "—"


def provenance(frame: pd.DataFrame | None, lang: str, indicator: dict | None = None, definition: str = "",
               unit: str = "", period: str = "") -> list[tuple[str, str]]:
    """(label, text) lines describing `frame`: the newest load among its rows, all its runs, its sources."""
    rows = frame is not None and not frame.empty  # an empty frame has no runs, loads, sources or periods
    if indicator:
        definition = definition or indicator.get(f"definition_{'en' if lang == 'en' else 'zh'}", "")
        unit = unit or indicator.get("unit", "")
    runs = sorted({int(r) for r in _present(frame, "run_id")}) if rows else []
    loaded = _extremes(frame, "loaded_at") if rows else ()
    sources = sorted({s for s in _present(frame, "source") if s}) if rows else []
    demo = rows and "is_demo" in frame and bool(frame["is_demo"].any())
    return [
        (t("definition", lang), definition or "—"),
        (t("unit_label", lang), unit_label(unit, lang) or unit or "—"),
        (t("period_label", lang), period or (_periods(frame) if rows else "—")),
        (t("source", lang), " / ".join(sources) or "—"),
        (t("load_run", lang), ", ".join(f"#{r}" for r in runs) or "—"),
        (t("loaded_label", lang), f"{clock.shown(pd.Timestamp(loaded[1])):%Y-%m-%d %H:%M}" if loaded else "—"),
        (t("demo_label", lang), t("yes", lang) if demo else t("no", lang)),
    ]


@cache
def _terms(lang: str) -> tuple:
    """The popover's <dt> labels, built once per language and shared by every mark (they never change; each Dash
    component costs its validation, and a page draws a dozen marks of seven lines)."""
    return tuple(html.Dt(label) for label, _ in provenance(None, lang))


def info_mark(frame: pd.DataFrame | None, lang: str, indicator: dict | None = None, **kw):
    """An ⓘ whose popover (hover, focus, tap) and aria-label give the provenance of what it sits beside."""
    lines = provenance(frame, lang, indicator, **kw)
    text = "\n".join(f"{k}: {v}" for k, v in lines)
    pop = html.Dl([part for term, (_, v) in zip(_terms(lang), lines) for part in (term, html.Dd(v))],
                  className="info-pop")
    return html.Span(["ⓘ", pop], className="info-mark", tabIndex="0", role="note",
                     **{"aria-label": text, "data-demo": "1" if lines[-1][1] == t("yes", lang) else "0"})
