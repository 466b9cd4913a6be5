"""The provenance mark (ⓘ): on hover or focus, what a tile or chart shows — definition, unit, period, source,
load run and time, demo or not. Data in (the frame shown, optionally its indicator's catalogue row), no callbacks."""
from __future__ import annotations

import pandas as pd
from dash import html

from cockpit.i18n import t, unit as unit_label


def _periods(frame: pd.DataFrame) -> str:
    for col in ("period", "month", "submitted_at"):
        if col in frame and frame[col].notna().any():
            values = frame[col].dropna().astype(str).str[:10]
            low, high = values.min(), values.max()
            return low if low == high else f"{low} – {high}"
    return "—"


def provenance(frame: pd.DataFrame | None, lang: str, indicator: dict | None = None, definition: str = "",
               unit: str = "", period: str = "") -> list[tuple[str, str]]:
    """(label, text) lines describing `frame`: the newest load among its rows, all its runs, its sources."""
    frame = frame if frame is not None else pd.DataFrame()
    if indicator:
        definition = definition or indicator.get(f"definition_{'en' if lang == 'en' else 'zh'}", "")
        unit = unit or indicator.get("unit", "")
    runs = sorted({int(r) for r in frame.get("run_id", pd.Series(dtype=float)).dropna()})
    loaded = frame["loaded_at"].dropna() if "loaded_at" in frame else pd.Series(dtype=object)
    sources = sorted({s for s in frame.get("source", pd.Series(dtype=str)).dropna() if s})
    demo = bool(frame["is_demo"].any()) if "is_demo" in frame and not frame.empty else False
    return [
        (t("definition", lang), definition or "—"),
        (t("unit_label", lang), unit_label(unit, lang) or unit or "—"),
        (t("period_label", lang), period or (_periods(frame) if not frame.empty else "—")),
        (t("source", lang), " / ".join(sources) or "—"),
        (t("load_run", lang), ", ".join(f"#{r}" for r in runs) or "—"),
        (t("loaded", lang), f"{pd.Timestamp(loaded.max()):%Y-%m-%d %H:%M}" if not loaded.empty else "—"),
        (t("demo_label", lang), t("yes", lang) if demo else t("no", lang)),
    ]


def info_mark(frame: pd.DataFrame | None, lang: str, indicator: dict | None = None, **kw):
    """An ⓘ whose popover (hover, focus, tap) and aria-label give the provenance of what it sits beside."""
    lines = provenance(frame, lang, indicator, **kw)
    text = "\n".join(f"{k}: {v}" for k, v in lines)
    pop = html.Dl([part for k, v in lines for part in (html.Dt(k), html.Dd(v))], className="info-pop")
    return html.Span(["ⓘ", pop], className="info-mark", tabIndex="0", role="note",
                     **{"aria-label": text, "data-demo": "1" if lines[-1][1] == t("yes", lang) else "0"})
