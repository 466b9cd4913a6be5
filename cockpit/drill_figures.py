"""DataFrame in → go.Figure out for the drill-down pages, on the wall's lean template (cockpit.figures); every
clickable trace carries the code of what it draws in customdata, so a click can go one level deeper.

A sibling of figures.py rather than more of it: figures.py is the wall's and near its size limit."""
from __future__ import annotations

import base64

import pandas as pd
import plotly.graph_objects as go

from cockpit.figures import COLORWAY, CYAN, GOLD, GREEN, GRID, INK, MUTED, TEMPLATE, empty
from cockpit.i18n import t

SMALL = {"font": {"size": 14}, "hoverlabel": {"font": {"size": 14}}}


def _layout(fig: go.Figure, **kw) -> go.Figure:
    base = {"template": TEMPLATE, "autosize": True, "uirevision": "drill", **SMALL,
            "xaxis": {"tickfont": {"size": 13, "color": MUTED}}, "yaxis": {"tickfont": {"size": 13, "color": MUTED}}}
    for axis in ("xaxis", "yaxis"):
        base[axis] = {**base[axis], **kw.pop(axis, {})}
    fig.update_layout(**base, **kw)
    return fig


def ranking(labels: list[str], values: pd.Series, codes: list[str], lang: str, fmt: str = ",.0f",
            suffix: str = "") -> go.Figure:
    """Horizontal bars, best on top; one bar per code (department, chain, segment or firm)."""
    if len(values) == 0 or pd.Series(values).fillna(0).eq(0).all():
        return empty(lang)
    values = pd.Series(values).fillna(0).to_numpy()
    fig = go.Figure(go.Bar(
        y=labels, x=values, orientation="h", customdata=codes, marker={"color": CYAN, "line": {"width": 0}},
        text=[f"{v:{fmt}}{suffix}" for v in values], textposition="outside", textfont={"size": 13, "color": INK},
        cliponaxis=False, hovertemplate=f"%{{y}}: %{{x:{fmt}}}{suffix}<extra></extra>"))
    return _layout(fig, bargap=0.25, margin={"l": 8, "r": 64, "t": 8, "b": 24},
                   yaxis={"autorange": "reversed", "automargin": True, "tickfont": {"size": 13, "color": INK},
                          "fixedrange": True},
                   xaxis={"showticklabels": False, "fixedrange": True, "range": [0, max(values) * 1.2 or 1]})


def monthly_cases(submitted: pd.DataFrame, completed: pd.DataFrame, lang: str) -> go.Figure:
    if submitted.empty and completed.empty:
        return empty(lang)
    fig = go.Figure([
        go.Bar(x=submitted["month"], y=submitted["submitted"], name=t("submitted", lang), marker={"color": "rgba(41,216,255,0.55)"}),
        go.Scatter(x=completed["month"], y=completed["handled"], name=t("completed", lang), mode="lines",
                   line={"color": GOLD, "width": 3})])
    return _layout(fig, showlegend=True, legend={"orientation": "h", "y": 1.12, "x": 0},
                   margin={"l": 48, "r": 16, "t": 28, "b": 40}, xaxis={"type": "category", "nticks": 12})


def rate_line(frame: pd.DataFrame, target: float | None, lang: str) -> go.Figure:
    if frame.empty:
        return empty(lang)
    fig = go.Figure(go.Scatter(x=frame["month"], y=frame["on_time_rate"], mode="lines+markers",
                               line={"color": GREEN, "width": 3}, marker={"size": 5},
                               hovertemplate="%{x}: %{y:.1f}%<extra></extra>"))
    if target:
        fig.add_hline(y=target, line={"color": GOLD, "width": 2, "dash": "dash"}, annotation_text=f"{target:g}%",
                      annotation_font={"color": GOLD, "size": 13})
    low = min(frame["on_time_rate"].min(), target or 100)
    return _layout(fig, margin={"l": 52, "r": 24, "t": 16, "b": 40}, xaxis={"type": "category", "nticks": 12},
                   yaxis={"ticksuffix": "%", "range": [max(0, low - 3), 100.5]})


def histogram(frame: pd.DataFrame, lang: str) -> go.Figure:
    if frame.empty:
        return empty(lang)
    fig = go.Figure(go.Bar(x=frame["range"], y=frame["cases"], marker={"color": COLORWAY[3]}, text=frame["cases"],
                           textposition="outside", cliponaxis=False, textfont={"size": 12, "color": INK},
                           hovertemplate="%{x} " + t("days", lang) + ": %{y:,}<extra></extra>"))
    return _layout(fig, margin={"l": 48, "r": 16, "t": 20, "b": 44}, bargap=0.08,
                   xaxis={"type": "category", "title": {"text": t("days", lang), "font": {"size": 13}}})


def trend(frame: pd.DataFrame, labels: dict[str, str], lang: str, unit: str = "") -> go.Figure:
    """One line per scope over the years; customdata is the scope code (a click opens it)."""
    if frame.empty:
        return empty(lang)
    fig = go.Figure()
    for i, (scope, s) in enumerate(frame.groupby("scope", sort=False)):
        fig.add_trace(go.Scatter(x=s["period"], y=s["value"], name=labels.get(scope, scope), mode="lines+markers",
                                 customdata=[scope] * len(s), line={"width": 3, "color": COLORWAY[i % len(COLORWAY)]},
                                 hovertemplate=f"{labels.get(scope, scope)} %{{x}}: %{{y:,}} {unit}<extra></extra>"))
    return _layout(fig, showlegend=frame["scope"].nunique() > 1, legend={"orientation": "h", "y": 1.14, "x": 0},
                   margin={"l": 56, "r": 16, "t": 36, "b": 36}, xaxis={"type": "category"},
                   hovermode="closest")


def sparkline(values: list[float], width: int = 160, height: int = 34) -> str:
    """A tiny SVG line as a data URI (33 of them cost less than one Plotly graph)."""
    if len(values) < 2 or max(values) == min(values) == 0:
        return "data:image/svg+xml;base64," + base64.b64encode(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"><line x1="0" y1="{height - 2}" '
            f'x2="{width}" y2="{height - 2}" stroke="{GRID}" stroke-width="2"/></svg>'.encode()).decode()
    low, high = min(values), max(values)
    span = (high - low) or 1
    step = width / (len(values) - 1)
    pts = " ".join(f"{i * step:.1f},{height - 3 - (v - low) / span * (height - 6):.1f}" for i, v in enumerate(values))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
           f'<polyline points="{pts}" fill="none" stroke="{CYAN}" stroke-width="2" stroke-linejoin="round"/></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
