"""DataFrame in → figure (a plain Plotly dict) out for the drill-down pages, on the lean template of cockpit.figures;
every clickable trace carries the code of what it draws in customdata, so a click can go one level deeper."""
from __future__ import annotations

import base64
from functools import cache

import pandas as pd
import plotly.io as pio

from cockpit.figures import COLORWAY, CYAN, GOLD, GREEN, GRID, INK, MUTED, TEMPLATE, no_data_text
from cockpit.i18n import t

SMALL = {"font": {"size": 14}, "hoverlabel": {"font": {"size": 14}}}


@cache
def _template() -> dict:
    """The lean template as plain JSON, resolved once (what go.Figure would embed in every figure)."""
    return pio.templates[TEMPLATE].to_plotly_json()


def _list(values) -> list:
    """Plain Python values (a figure is pickled into the view cache and serialised once per cold view)."""
    return values.tolist() if hasattr(values, "tolist") else list(values)


def _figure(data: list[dict], **kw) -> dict:
    """A figure as a plain dict on the lean template. Plotly's graph objects validate every property on every
    assignment, which cost 15-30 ms a figure (most of a cold view outside SQL); these dicts are the same JSON."""
    layout = {"template": _template(), "autosize": True, "uirevision": "drill", **SMALL,
              "xaxis": {"tickfont": {"size": 13, "color": MUTED}, **kw.pop("xaxis", {})},
              "yaxis": {"tickfont": {"size": 13, "color": MUTED}, **kw.pop("yaxis", {})}, **kw}
    return {"data": data, "layout": layout}


def empty(lang: str, missing: str = "") -> dict:
    """A figure that says it has no data, and what is missing and which source loads it (never a blank chart)."""
    return _figure([], annotations=[{"text": no_data_text(lang, missing), "showarrow": False, "xref": "paper",
                                     "yref": "paper", "x": 0.5, "y": 0.5, "font": {"size": 24, "color": MUTED}}],
                   xaxis={"visible": False}, yaxis={"visible": False}, margin={"l": 4, "r": 4, "t": 4, "b": 4})


def ranking(labels: list[str], values, codes: list[str], lang: str, fmt: str = ",.0f", suffix: str = "",
            missing: str = "") -> dict:
    """Horizontal bars, best on top; one bar per code (department, chain, segment or firm)."""
    values = [0.0 if v is None or v != v else float(v) for v in _list(values)]
    if not any(values):
        return empty(lang, missing)
    bar = {"type": "bar", "y": list(labels), "x": values, "orientation": "h", "customdata": list(codes),
           "marker": {"color": CYAN, "line": {"width": 0}}, "text": [f"{v:{fmt}}{suffix}" for v in values],
           "textposition": "outside", "textfont": {"size": 13, "color": INK}, "cliponaxis": False,
           "hovertemplate": f"%{{y}}: %{{x:{fmt}}}{suffix}<extra></extra>"}
    return _figure([bar], bargap=0.25, margin={"l": 8, "r": 64, "t": 8, "b": 24},
                   yaxis={"autorange": "reversed", "automargin": True, "tickfont": {"size": 13, "color": INK},
                          "fixedrange": True},
                   xaxis={"showticklabels": False, "fixedrange": True, "range": [0, max(values) * 1.2 or 1]})


def monthly_cases(submitted: pd.DataFrame, completed: pd.DataFrame, lang: str, missing: str = "") -> dict:
    if submitted.empty and completed.empty:
        return empty(lang, missing)
    return _figure([
        {"type": "bar", "x": _list(submitted["month"]), "y": _list(submitted["submitted"]),
         "name": t("submitted", lang), "marker": {"color": "rgba(41,216,255,0.55)"}},
        {"type": "scatter", "x": _list(completed["month"]), "y": _list(completed["handled"]),
         "name": t("completed", lang), "mode": "lines", "line": {"color": GOLD, "width": 3}}],
        showlegend=True, legend={"orientation": "h", "y": 1.12, "x": 0},
        margin={"l": 48, "r": 16, "t": 28, "b": 40}, xaxis={"type": "category", "nticks": 12})


def rate_line(frame: pd.DataFrame, target: float | None, lang: str, missing: str = "") -> dict:
    if frame.empty:
        return empty(lang, missing)
    rates = _list(frame["on_time_rate"])
    line = {"type": "scatter", "x": _list(frame["month"]), "y": rates, "mode": "lines+markers",
            "line": {"color": GREEN, "width": 3}, "marker": {"size": 5}, "hovertemplate": "%{x}: %{y:.1f}%<extra></extra>"}
    extra = {}
    if target:  # what fig.add_hline draws: a dashed line across the x domain, labelled at its right end
        extra = {"shapes": [{"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": target,
                             "y1": target, "line": {"color": GOLD, "width": 2, "dash": "dash"}}],
                 "annotations": [{"text": f"{target:g}%", "showarrow": False, "xref": "x domain", "x": 1,
                                  "xanchor": "right", "yref": "y", "y": target, "yanchor": "bottom",
                                  "font": {"color": GOLD, "size": 13}}]}
    low = min(min(r for r in rates if r == r) if any(r == r for r in rates) else 100, target or 100)
    return _figure([line], margin={"l": 52, "r": 24, "t": 16, "b": 40}, xaxis={"type": "category", "nticks": 12},
                   yaxis={"ticksuffix": "%", "range": [max(0, low - 3), 100.5]}, **extra)


def histogram(frame: pd.DataFrame, lang: str, missing: str = "") -> dict:
    if frame.empty:
        return empty(lang, missing)
    cases = _list(frame["cases"])
    bar = {"type": "bar", "x": _list(frame["range"]), "y": cases, "marker": {"color": COLORWAY[3]}, "text": cases,
           "textposition": "outside", "cliponaxis": False, "textfont": {"size": 12, "color": INK},
           "hovertemplate": "%{x} " + t("days", lang) + ": %{y:,}<extra></extra>"}
    return _figure([bar], margin={"l": 48, "r": 16, "t": 20, "b": 44}, bargap=0.08,
                   xaxis={"type": "category", "title": {"text": t("days", lang), "font": {"size": 13}}})


def trend(frame: pd.DataFrame, labels: dict[str, str], lang: str, unit: str = "", missing: str = "") -> dict:
    """One line per scope over the years, in the frame's order; customdata is the scope code (a click opens it)."""
    if frame.empty:
        return empty(lang, missing)
    points: dict[str, tuple[list, list]] = {}
    for scope, period, value in zip(_list(frame["scope"]), _list(frame["period"]), _list(frame["value"])):
        xs, ys = points.setdefault(scope, ([], []))
        xs.append(period)
        ys.append(value)
    data = [{"type": "scatter", "x": xs, "y": ys, "name": labels.get(scope, scope), "mode": "lines+markers",
             "customdata": [scope] * len(xs), "line": {"width": 3, "color": COLORWAY[i % len(COLORWAY)]},
             "hovertemplate": f"{labels.get(scope, scope)} %{{x}}: %{{y:,}} {unit}<extra></extra>"}
            for i, (scope, (xs, ys)) in enumerate(points.items())]
    return _figure(data, showlegend=len(points) > 1, legend={"orientation": "h", "y": 1.14, "x": 0},
                   margin={"l": 56, "r": 16, "t": 36, "b": 36}, xaxis={"type": "category"}, hovermode="closest")


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
