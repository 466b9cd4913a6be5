"""The provenance mark (ⓘ): on hover or focus, what a tile or chart shows — definition, unit, period, source,
load run and time, demo or not, and for a revised figure (a `revised_from` and `revised_at` column, from
cockpit.queries._sql.revision_columns) 已修订 / revised in words beside the ⓘ, with the previous value and the
revision date in the popover. Data in (the frame shown, optionally its indicator's catalogue row), no callbacks."""
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


def revision(frame: pd.DataFrame | None, lang: str, unit: str = "") -> str:
    """'前值 3.81 · 修订于 2026-03-02 09:00' for the newest revision among `frame`'s rows; '' when none was revised."""
    if frame is None or frame.empty or "revised_at" not in frame:
        return ""
    stamps = frame["revised_at"].to_numpy(dtype=object, na_value=None)
    found = [i for i, s in enumerate(stamps) if s is not None and s == s]
    if not found:
        return ""
    newest = max(found, key=lambda i: pd.Timestamp(stamps[i]))
    value, unit = frame["revised_from"].iloc[newest], unit or (frame["unit"].iloc[newest] if "unit" in frame else "")
    places = 2 if unit in ("%", "亿元") else 0 if float(value).is_integer() else 2
    when = clock.shown(pd.Timestamp(stamps[newest]))
    return t("revised_text", lang).format(value=f"{value:,.{places}f}", unit=unit if unit == "%" else "",
                                          date=f"{when:%Y-%m-%d %H:%M}")


def check_warnings(frame: pd.DataFrame | None) -> str:
    """'jump:4 · county 2025 = 19.5 (change +14.9 vs mean +0.06 ± 0.02)' for the warnings the checks of the runs
    that loaded `frame`'s rows (a `run_checks` column, the runs' findings) raised on those very rows; ''."""
    if frame is None or frame.empty or "run_checks" not in frame:
        return ""
    code_col = "code" if "code" in frame else "indicator_code" if "indicator_code" in frame else None
    if code_col is None or "period" not in frame or "scope" not in frame:
        return ""
    shown = set(zip(frame[code_col].astype(str), frame["scope"].astype(str), frame["period"].astype(str)))
    lines, seen = [], set()
    for findings in _present(frame, "run_checks"):
        for f in findings if isinstance(findings, list) else []:
            for row in f.get("rows", []) if f.get("level") == "warn" else []:
                key = (f.get("indicator"), str(row.get("scope")), str(row.get("period")))
                if key in shown and (f.get("check"), key) not in seen:
                    seen.add((f.get("check"), key))
                    lines.append(f"{f.get('check')} · {key[1]} {key[2]} = {row.get('value'):g} ({row.get('detail')})")
    return "; ".join(lines[:3])


def revision_badge(text: str, lang: str):
    """The word on a revised figure (a sign and 已修订 / revised, never colour only), focusable, its popover
    giving the previous value and the revision date."""
    # fixed at its own place, so the tile's overflow (hidden: long labels end in an ellipsis) does not clip it
    pop = html.Dl([html.Dt(t("revised", lang)), html.Dd(text)], className="info-pop",
                  style={"position": "fixed", "top": "auto", "left": "auto", "right": "auto", "width": "auto",
                         "marginTop": "84px", "marginLeft": "-150px", "whiteSpace": "nowrap"})
    return html.Span(["✎ ", t("revised", lang), pop], className="info-mark info-revised", tabIndex="0", role="note",
                     style={"color": "#f5b942", "fontSize": "16px", "marginLeft": "6px", "whiteSpace": "nowrap"},
                     **{"aria-label": f"{t('revised', lang)}: {text}"})


@cache
def _terms(lang: str) -> tuple:
    """The popover's <dt> labels, built once per language and shared by every mark (they never change; each Dash
    component costs its validation, and a page draws a dozen marks of seven lines)."""
    return tuple(html.Dt(label) for label, _ in provenance(None, lang))


def info_mark(frame: pd.DataFrame | None, lang: str, indicator: dict | None = None, **kw):
    """An ⓘ whose popover (hover, focus, tap) and aria-label give the provenance of what it sits beside."""
    lines = provenance(frame, lang, indicator, **kw)
    demo = lines[-1][1] == t("yes", lang)
    parts = [part for term, (_, v) in zip(_terms(lang), lines) for part in (term, html.Dd(v))]
    revised = revision(frame, lang, kw.get("unit") or (indicator or {}).get("unit", ""))
    if revised:
        lines.append((t("revised", lang), revised))
        parts += [html.Dt(t("revised", lang)), html.Dd(revised)]
    warned = check_warnings(frame)
    if warned:  # a published run's check warned on what this mark describes (issue 12 #5)
        lines.append((t("check_warning", lang), warned))
        parts += [html.Dt(t("check_warning", lang)), html.Dd(warned)]
    text = "\n".join(f"{k}: {v}" for k, v in lines)
    mark = html.Span(["ⓘ", html.Dl(parts, className="info-pop")], className="info-mark", tabIndex="0", role="note",
                     **{"aria-label": text, "data-demo": "1" if demo else "0"})
    if not revised:
        return mark
    word = html.Span(["✎ ", t("revised", lang)], className="info-revised",
                     style={"color": "#f5b942", "fontSize": "16px", "marginLeft": "4px", "whiteSpace": "nowrap"})
    return html.Span([mark, word], className="info-revised-wrap")
