"""Panels: a titled, framed box on the wall's canvas, with a provenance caption (source and load time)."""
from __future__ import annotations

import pandas as pd
from dash import dcc, html

from cockpit import ids
from cockpit.i18n import t
from etl import clock

GRAPH_CONFIG = {"displayModeBar": False, "responsive": True, "doubleClick": False, "scrollZoom": False}


def caption(frame: pd.DataFrame, lang: str, period: str | None = None, staleness: str | None = None) -> str:
    """`统计期 2025 · 逾期 · 来源: … · 加载 …` for what a panel shows: the data period it shows and, when the next
    figure is due or overdue, that word; its sources and the newest load time among its rows."""
    if frame is None or frame.empty:
        return t("no_data", lang)
    when = f"{t('data_period', lang)} {period} · " if period else ""
    if staleness in ("due", "overdue"):
        when += f"{t(f'stale_{staleness}', lang)} · "
    sources = sorted({s for s in frame.get("source", pd.Series(dtype=str)).dropna() if s})
    loaded = frame["loaded_at"].max() if "loaded_at" in frame else frame.attrs.get("loaded_at")
    stamp = f" · {t('loaded', lang)} {clock.shown(pd.Timestamp(loaded)):%Y-%m-%d %H:%M}" \
        if loaded is not None and pd.notna(loaded) else ""  # a load time is stored as UTC, shown in COCKPIT_TZ
    return f"{when}{t('source', lang)}: {' / '.join(sources) or '—'}{stamp}"


def panel(key: str, title: str, body, cap: str = "", extra_class: str = ""):
    return html.Section([
        html.H2(title, className="panel-title"),
        html.Div(body, className="panel-body"),
        html.Div(cap, id=ids.caption(key), className="panel-caption", title=cap),
    ], id=ids.panel(key), className=f"panel {extra_class}".strip())


def graph_panel(key: str, title: str, figure, cap: str = "", extra_class: str = "", height: int | None = None):
    """A panel around one figure; with `height` the figure is that tall and the panel scrolls it (CSS only:
    moving the axis with Plotly.relayout would log a relayoutData change in Dash's history every tick)."""
    style = {"height": f"{height}px" if height else "100%", "width": "100%"}
    graph = dcc.Graph(id=ids.graph(key), figure=figure, config=GRAPH_CONFIG, style=style,
                      className="panel-graph scrolled" if height else "panel-graph")
    return panel(key, title, graph, cap, extra_class)
