"""Panels: a titled, framed box on the wall's canvas, with a provenance caption (source and load time)."""
from __future__ import annotations

import re

import pandas as pd
from dash import dcc, html

from cockpit import ids
from cockpit.i18n import t
from etl import clock

GRAPH_CONFIG = {"displayModeBar": False, "responsive": True, "doubleClick": False, "scrollZoom": False}


_DEFAULT_SOURCE = re.compile(r"^(file_drop|http_json|sql|demo\w*):")  # what a load writes when a row names none


def source_name(source: str, lang: str, jobs: dict | None = None) -> str:
    """A source as the screen says it: a bilingual label (中文 / English) in the screen's language, and a load's
    default (`file_drop:/srv/drop`, `http_json:http://…`: the source kind and where it read) by its job's name
    from the schedule, never by a path or URL."""
    m = _DEFAULT_SOURCE.match(source)
    if m:
        kind = t(f"kind_{m.group(1)}", lang) if m.group(1) in ("file_drop", "http_json", "sql") else m.group(1)
        named = sorted(jobs.get(source, ())) if jobs else []
        return f"{kind} ({', '.join(named)})" if named else kind
    zh, sep, en = source.partition(" / ")
    if sep and re.search(r"[\u4e00-\u9fff]", zh) and not re.search(r"[\u4e00-\u9fff]", en):
        return en if lang == "en" else zh
    return source


def caption(frame: pd.DataFrame, lang: str, period: str | None = None, staleness: str | None = None,
            jobs: dict | None = None) -> str:
    """`统计期 2025 · 逾期 · 来源: … · 加载 …` for what a panel shows: the data period it shows and, when the next
    figure is due or overdue, that word; its sources (by source_name; `jobs`: source → the jobs that loaded it)
    and the newest load time among its rows."""
    if frame is None or frame.empty:
        return t("no_data", lang)
    when = f"{t('data_period', lang)} {period} · " if period else ""
    if staleness in ("due", "overdue"):
        when += f"{t(f'stale_{staleness}', lang)} · "
    sources = sorted({source_name(s, lang, jobs) for s in frame.get("source", pd.Series(dtype=str)).dropna() if s})
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
