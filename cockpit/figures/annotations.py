"""Annotation markers on a time series (issue 14 #3): a ◆ at the foot of each period that has annotations, its
texts in the marker's hover, and a dotted line up the plot. The x of a yearly chart is the year."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cockpit.figures import GOLD, rebuilt

KIND_ZH = {"policy": "政策", "incident": "数据事件", "revision": "修订", "note": "说明"}


def markers(notes: pd.DataFrame, lang: str, xs: list[str]) -> tuple[list[dict], list[dict]]:
    """(layout annotations, layout shapes) for `notes` (cockpit.queries.annotations rows) on a chart whose x
    categories are `xs` (years, in the chart's order). Notes outside them are not drawn."""
    if notes is None or notes.empty or not xs:
        return [], []
    by_x: dict[str, list[str]] = {}
    for row in notes.to_dict("records"):
        x = str(row["period"])[:4]
        if x in xs:
            kind = KIND_ZH.get(row["kind"], row["kind"]) if lang == "zh" else row["kind"]
            text = (row["text_en"] or row["text_zh"]) if lang == "en" else row["text_zh"]
            by_x.setdefault(x, []).append(f"{row['period']} [{kind}] {text}")
    annotations, shapes = [], []
    for x, lines in by_x.items():
        i = xs.index(x)  # a category axis places an annotation by the category's index, not its name
        annotations.append({"x": i, "y": 0, "xref": "x", "yref": "paper", "yanchor": "bottom", "text": "◆",
                            "showarrow": False, "font": {"size": 18, "color": GOLD}, "hovertext": "<br>".join(lines),
                            "hoverlabel": {"bgcolor": "#0b1f45", "font": {"size": 16, "color": "#fff"}}})
        shapes.append({"type": "line", "x0": i, "x1": i, "y0": 0, "y1": 1, "xref": "x", "yref": "paper",
                       "layer": "below", "line": {"color": GOLD, "width": 1, "dash": "dot"}})
    return annotations, shapes


def add_markers(fig, notes: pd.DataFrame, lang: str, xs: list[str]):
    """The markers added to a go.Figure or a figure dict (the drill-downs build dicts)."""
    annotations, shapes = markers(notes, lang, xs)
    if isinstance(fig, go.Figure):
        if not annotations and not shapes:
            return fig
        return rebuilt(fig, annotations=[a.to_plotly_json() for a in fig.layout.annotations] + annotations,
                       shapes=[s.to_plotly_json() for s in fig.layout.shapes] + shapes)
    layout = fig.setdefault("layout", {})
    layout["annotations"] = list(layout.get("annotations", [])) + annotations
    layout["shapes"] = list(layout.get("shapes", [])) + shapes
    return fig
