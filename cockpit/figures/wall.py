"""DataFrame in → go.Figure out: every wall figure, on the lean template of cockpit.figures."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cockpit.figures import COLORWAY, CYAN, GOLD, GREEN, INK, MUTED, no_data_text, rebuilt
from cockpit.i18n import name, names, t
from cockpit.figures.textwidth import text_px


def _layout(fig: go.Figure, **kw) -> go.Figure:
    """`fig` with `kw` as its layout's top-level keys: uirevision keeps hover and zoom state across data refreshes;
    autosize fills the panel the CSS drew."""
    return rebuilt(fig, autosize=True, uirevision="wall", **kw)


def _ramp(values: pd.Series) -> list[str]:
    """Blue → cyan by value, as explicit colours (a numeric colour array makes plotly.js warn on bar text)."""
    top = values.max() or 1
    mix = lambda a, b, f: int(a + (b - a) * f)
    return [f"rgb({mix(59, 41, v / top)},{mix(130, 216, v / top)},{mix(246, 255, v / top)})" for v in values]


def empty(lang: str, missing: str = "") -> go.Figure:
    """A figure that says it has no data (and why), never a blank chart."""
    note = {"text": no_data_text(lang, missing), "showarrow": False, "font": {"size": 24, "color": MUTED},
            "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}
    return _layout(go.Figure(), annotations=[note], xaxis={"visible": False}, yaxis={"visible": False},
                   margin={"l": 4, "r": 4, "t": 4, "b": 4})


def rd_trend(series: pd.DataFrame, lang: str, path: pd.DataFrame | None = None, missing: str = "") -> go.Figure:
    """R&D intensity by year against its target path (the plan targets by year, cockpit.queries.targets.path):
    a dashed gold line over the years shown; no targets, no line."""
    if series.empty:
        return empty(lang, missing)
    traces, notes = [go.Scatter(
        x=series["period"], y=series["value"], mode="lines+markers+text", line={"color": CYAN, "width": 4},
        marker={"size": 10}, fill="tozeroy", fillcolor="rgba(41,216,255,0.12)", text=series["value"].map("{:.2f}".format),
        textposition="top center", textfont={"size": 16, "color": INK}, cliponaxis=False,
        hovertemplate="%{x}: %{y:.2f}%<extra></extra>", name=t("rd_trend", lang))], []
    shown = path[path["period"].isin(set(series["period"].astype(str)))] if path is not None and not path.empty else None
    values = list(series["value"])
    if shown is not None and not shown.empty:
        values += list(shown["value"])
        traces.append(go.Scatter(
            x=shown["period"], y=shown["value"], mode="lines+markers", name=t("target_path", lang),
            line={"color": GOLD, "width": 3, "dash": "dash"}, marker={"size": 9, "symbol": "diamond", "color": GOLD},
            cliponaxis=False, hovertemplate=f"{t('target_path', lang)} %{{x}}: %{{y:.2f}}%<extra></extra>"))
        last = shown.iloc[-1]
        notes.append({"xref": "paper", "yref": "paper", "x": 1, "y": 0.04, "xanchor": "right", "yanchor": "bottom",
                      "showarrow": False, "text": f"- - {t('target_path', lang)} {last['period']}: {last['value']:g}%",
                      "font": {"color": GOLD, "size": 16}})  # in the corner: clear of the two lines
    return _layout(go.Figure(traces), annotations=notes, yaxis={"range": [min(values) - 0.5, max(values) + 0.35], "ticksuffix": "%"}, showlegend=False,
                   xaxis={"type": "category", "range": [-0.6, len(series) - 0.4]}, margin={"l": 64, "r": 36, "t": 24, "b": 36})


ROW_PX, ROW_PX_TWO = 36, 46  # the ranking's row pitch: one line of name, or two; the wall scrolls the tall figure
LONG = 24  # characters: a longer name (English ones run to 42) is written on two lines


def department_ranking(depts: pd.DataFrame, lang: str, missing: str = "") -> go.Figure:
    """All departments by matters handled, best first, one row each (the panel scrolls through them); a long name
    on two lines, so the names take half the width they did and the bars get it."""
    if depts.empty:
        return empty(lang, missing)
    full = names(depts, lang)
    labels = [_halves(x) if len(x) > LONG else x for x in full]
    rate = (100 * depts["on_time"] / depts["handled"].where(depts["handled"] > 0)).fillna(0)
    fig = go.Figure(go.Bar(
        y=labels, x=depts["handled"], orientation="h",
        customdata=depts[["code"]].assign(rate=rate, name=full).to_numpy(),
        marker={"color": _ramp(depts["handled"]), "line": {"width": 0}},
        text=depts["handled"].map("{:,}".format), textposition="outside", textfont={"size": 17, "color": INK},
        cliponaxis=False, hovertemplate="%{customdata[2]}<br>%{x:,} · %{customdata[1]:.1f}%<extra></extra>"))
    # The names' own width as the left margin (automargin still guards it): plotly pushes nothing, draws once.
    left = max(text_px(line, 17) for label in labels for line in label.split("<br>")) + 6
    pitch = ROW_PX_TWO if any("<br>" in label for label in labels) else ROW_PX
    return _layout(fig, bargap=0.3, margin={"l": left, "r": 70, "t": 4, "b": 4}, height=ranking_height(len(depts), pitch),
                   yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True,
                          "tickfont": {"size": 17, "color": INK}, "gridcolor": "rgba(0,0,0,0)"},
                   xaxis={"showticklabels": False, "fixedrange": True, "range": [0, depts["handled"].max() * 1.18 or 1]})


def _halves(label: str) -> str:
    """`label` broken at the space nearest its middle (one without spaces stays whole)."""
    spaces = [i for i, ch in enumerate(label) if ch == " "]
    if not spaces:
        return label
    i = min(spaces, key=lambda i: abs(i - len(label) / 2))
    return f"{label[:i]}<br>{label[i + 1:]}"


def ranking_height(rows: int, pitch: int = ROW_PX) -> int:
    return rows * pitch + 8


def on_time_gauge(rate: float | None, target: float | None, lang: str, missing: str = "") -> go.Figure:
    """The year's on-time rate as a gauge, with the county's target as the threshold."""
    if rate is None:
        return empty(lang, missing)
    fig = go.Figure(go.Indicator(
        mode="gauge+number", value=rate, number={"suffix": "%", "valueformat": ".1f", "font": {"size": 30, "color": INK}},
        gauge={"axis": {"range": [80, 100], "tickfont": {"size": 16, "color": MUTED}},
               "bar": {"color": GREEN if target is None or rate >= target else GOLD, "thickness": 0.6},
               "bgcolor": "rgba(90,170,255,0.08)", "borderwidth": 0,
               "threshold": {"line": {"color": GOLD, "width": 4}, "thickness": 0.9, "value": target or 100}}))
    return _layout(fig, margin={"l": 34, "r": 34, "t": 30, "b": 0})


def resources_donut(resources: pd.DataFrame, lang: str, missing: str = "") -> go.Figure:
    """Innovation resources by type, as a donut with the total in the middle."""
    if resources.empty or resources["n"].sum() == 0:
        return empty(lang, missing)
    fig = go.Figure(go.Pie(
        labels=names(resources, lang), values=resources["n"], hole=0.58, sort=False,
        textinfo="label+value", textposition="outside", textfont={"size": 16}, marker={"line": {"width": 0}},
        automargin=True,  # long English labels shrink the donut instead of being cut at the panel's edge
        hovertemplate="%{label}: %{value}<extra></extra>"))
    total = {"text": f"<b>{int(resources['n'].sum())}</b>", "showarrow": False, "font": {"size": 26, "color": INK}}
    return _layout(fig, annotations=[total], margin={"l": 24, "r": 24, "t": 24, "b": 24})


def chains_treemap(segments: pd.DataFrame, lang: str, missing: str = "") -> go.Figure:
    """Industry chains and their segments sized by the indicator's latest value; tiles carry the chain code."""
    if segments.empty:
        return empty(lang, missing)
    chains = segments.groupby("chain_code", sort=False).agg(
        value=("value", "sum"), chain_zh=("chain_zh", "first"), chain_en=("chain_en", "first"),
        firms=("firms", "sum")).reset_index()
    ids = list(chains["chain_code"]) + list(segments["segment_code"])
    labels = names(chains, lang, "chain") + names(segments, lang, "segment")
    parents = [""] * len(chains) + list(segments["chain_code"])
    values = list(chains["value"]) + list(segments["value"])
    codes = list(chains["chain_code"]) + list(segments["chain_code"])
    fig = go.Figure(go.Treemap(
        ids=ids, labels=labels, parents=parents, values=values, customdata=codes, branchvalues="total",
        texttemplate="%{label}<br>%{value:.2f}", textfont={"size": 18}, tiling={"pad": 2},
        marker={"colors": [COLORWAY[i % 6] for i in range(len(chains))] + [None] * len(segments),
                "line": {"width": 1, "color": "#061634"}},
        pathbar={"visible": False}, maxdepth=2, hovertemplate="%{label}: %{value:.2f}<extra></extra>"))
    # a label that would shrink below the wall's minimum text size is hidden (its tile keeps its hover)
    return _layout(fig, margin={"l": 4, "r": 4, "t": 4, "b": 4}, uniformtext={"minsize": 16, "mode": "hide"})


def index_rank(series: pd.DataFrame, lang: str, missing: str = "") -> go.Figure:
    """The provincial innovation-index rank by year (1 at the top)."""
    if series.empty:
        return empty(lang, missing)
    fig = go.Figure(go.Scatter(
        x=series["period"], y=series["value"], mode="lines+markers+text", line={"color": GOLD, "width": 4, "shape": "hv"},
        marker={"size": 12}, text=[t("rank_fmt", lang).format(int(v)) for v in series["value"]],
        textposition="top center", textfont={"size": 16, "color": INK}, hovertemplate="%{x}: %{y}<extra></extra>"))
    worst = max(5, int(series["value"].max()) + 1)
    return _layout(fig, yaxis={"range": [worst + 0.5, 0.4], "dtick": 1, "title": {"text": t("rank_axis", lang)}},
                   xaxis={"type": "category"})


def county_trend(series: pd.DataFrame, codes: list[str], lang: str, kind: str = "bar", missing: str = "") -> go.Figure:
    """One or more county indicators by year, as bars or lines, labelled from the catalogue."""
    if series.empty:
        return empty(lang, missing)
    fig = go.Figure()
    for i, code in enumerate(codes):
        s = series[series["code"] == code]
        if s.empty:
            continue
        label = name(s.iloc[0], lang)
        trace = go.Bar if kind == "bar" else go.Scatter
        extra = {"marker": {"color": COLORWAY[i]}} if kind == "bar" else {"line": {"width": 4, "color": COLORWAY[i]}}
        fig.add_trace(trace(x=s["period"], y=s["value"], name=label, hovertemplate=f"{label} %{{x}}: %{{y:,}}<extra></extra>", **extra))
    return _layout(fig, showlegend=len(codes) > 1, barmode="group", xaxis={"type": "category"},
                   legend={"orientation": "h", "y": 1.12, "x": 0, "font": {"size": 16}})
