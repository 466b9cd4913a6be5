"""The schematic tile map of Xinchang's townships: one equal square per township at its (row, col) cell, its
name in the screen's language and the chosen measure's value written on it, coloured on a colour-blind-safe
sequential scale (cividis). No boundary geometry (data/townships.md says why)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cockpit.figures import INK, MUTED

SCALE = "Cividis"  # perceptually uniform and readable with red-green colour blindness


def tile_map(df: pd.DataFrame, measure: str, lang: str, tile_px: int = 64, values: bool = True,
             font_px: int = 16) -> go.Figure:
    """`df`: cockpit.queries.townships.townships(); `measure`: one of its MEASURES. Each tile's customdata is
    the township code (a click opens /townships/<code>). values=False writes the names only (a locator map)."""
    fig = go.Figure()
    if df.empty:
        return fig
    names = df["name_zh" if lang == "zh" else "name_en"].astype(str)
    short = names.str.replace(r" (Subdistrict|Town|Township)$", "", regex=True) if lang != "zh" else names
    values_shown, values = values, df[measure].astype(int)
    fig.add_trace(go.Scatter(
        x=df["col"], y=df["row"], mode="markers+text", customdata=df["code"],
        marker={"symbol": "square", "size": tile_px, "color": values, "colorscale": SCALE, "cmin": 0,
                "cmax": max(int(values.max()), 1), "line": {"width": 1, "color": MUTED}},
        text=[f"{n}<br><b>{v}</b>" if values_shown else n for n, v in zip(short, values)],
        textfont={"size": font_px, "color": INK},
        hovertext=[f"{n}: {v}" if values_shown else n for n, v in zip(names, values)], hoverinfo="text", name=measure))
    fig.update_traces(textfont_color=[("#000" if v > 0.45 * max(int(values.max()), 1) else INK) for v in values])
    axis = {"visible": False, "showgrid": False, "fixedrange": True}
    # square units (scaleanchor) so the tiles sit side by side as a grid, whatever the panel's width
    fig.update_layout(xaxis={**axis, "range": [df["col"].min() - 0.55, df["col"].max() + 0.55]},
                      yaxis={**axis, "range": [df["row"].max() + 0.55, df["row"].min() - 0.55],
                             "scaleanchor": "x", "scaleratio": 1},
                      margin={"l": 4, "r": 4, "t": 4, "b": 4}, clickmode="event")
    return fig
