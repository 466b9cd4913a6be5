"""The provenance mark (ⓘ): on hover or focus, what a tile or chart shows — definition, unit, period, source,
load run and time, demo or not. Data in (the frame shown, optionally its indicator's catalogue row), no callbacks."""
from __future__ import annotations

import pandas as pd
from dash import html

from cockpit.i18n import t, unit as unit_label


def _present(frame: pd.DataFrame, col: str) -> list:
    """The non-null values of a column as plain Python values (a set or min over them beats pandas' per-call
    overhead on the small frames a panel shows; a page draws a dozen marks)."""
    if col not in frame:
        return []
    return [v for v in frame[col].to_numpy(dtype=object, na_value=None) if v is not None and v == v]  # NaT != NaT


def _periods(frame: pd.DataFrame) -> str:
    for col in ("period", "month", "submitted_at"):
        values = _present(frame, col)
        if values:
            low, high = str(min(values))[:10], str(max(values))[:10]  # ISO text: its order is the time order
            return low if low == high else f"{low} – {high}"
    return "—"


def provenance(frame: pd.DataFrame | None, lang: str, indicator: dict | None = None, definition: str = "",
               unit: str = "", period: str = "") -> list[tuple[str, str]]:
    """(label, text) lines describing `frame`: the newest load among its rows, all its runs, its sources."""
    frame = frame if frame is not None else pd.DataFrame()
    if indicator:
        definition = definition or indicator.get(f"definition_{'en' if lang == 'en' else 'zh'}", "")
        unit = unit or indicator.get("unit", "")
    runs = sorted({int(r) for r in _present(frame, "run_id")})
    loaded = _present(frame, "loaded_at")
    sources = sorted({s for s in _present(frame, "source") if s})
    demo = bool(frame["is_demo"].any()) if "is_demo" in frame and not frame.empty else False
    return [
        (t("definition", lang), definition or "—"),
        (t("unit_label", lang), unit_label(unit, lang) or unit or "—"),
        (t("period_label", lang), period or (_periods(frame) if not frame.empty else "—")),
        (t("source", lang), " / ".join(sources) or "—"),
        (t("load_run", lang), ", ".join(f"#{r}" for r in runs) or "—"),
        (t("loaded", lang), f"{pd.Timestamp(max(loaded)):%Y-%m-%d %H:%M}" if loaded else "—"),
        (t("demo_label", lang), t("yes", lang) if demo else t("no", lang)),
    ]


def info_mark(frame: pd.DataFrame | None, lang: str, indicator: dict | None = None, **kw):
    """An ⓘ whose popover (hover, focus, tap) and aria-label give the provenance of what it sits beside."""
    lines = provenance(frame, lang, indicator, **kw)
    text = "\n".join(f"{k}: {v}" for k, v in lines)
    pop = html.Dl([part for k, v in lines for part in (html.Dt(k), html.Dd(v))], className="info-pop")
    return html.Span(["ⓘ", pop], className="info-mark", tabIndex="0", role="note",
                     **{"aria-label": text, "data-demo": "1" if lines[-1][1] == t("yes", lang) else "0"})
