"""The schematic tile map of Xinchang's townships: one equal tile per township at its (row, col) cell, its name in
the screen's language and the chosen measure's value written on it, coloured on a colour-blind-safe sequential
scale (cividis). No boundary geometry (data/townships.md says why). The tiles are rectangles that fill the panel,
so a name fits at the wall's minimum text size in either language."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import hex_to_rgb, sample_colorscale, unconvert_from_RGB_255, unlabel_rgb

from cockpit.figures import MUTED

SCALE = "Cividis"  # perceptually uniform and readable with red-green colour blindness


def luminance(rgb: str) -> float:
    """WCAG 2 relative luminance of 'rgb(r, g, b)' or '#rrggbb'."""
    parts = unconvert_from_RGB_255(hex_to_rgb(rgb) if rgb.startswith("#") else unlabel_rgb(rgb))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    x, y = sorted((luminance(a), luminance(b)))
    return (y + 0.05) / (x + 0.05)


def text_on(fill: str) -> str:
    """Black or white, whichever reads better on a tile of `fill`: at least 4.58:1 on any colour (WCAG AA)."""
    return max(("#000000", "#ffffff"), key=lambda ink: contrast(ink, fill))


def tile_map(df: pd.DataFrame, measure: str, lang: str, tile_px: int = 64, values: bool = True,
             font_px: int = 16) -> go.Figure:
    """`df`: cockpit.queries.townships.townships(); `measure`: one of its MEASURES. Each tile's customdata is
    the township code (a click opens /townships/<code>); `tile_px` sizes its (invisible) hover target.
    values=False writes the names only (a locator map: the township with measure 1 is lit)."""
    if df.empty:
        return go.Figure()
    names = df["name_zh" if lang == "zh" else "name_en"].astype(str)
    short = names.str.replace(r" (Subdistrict|Town|Township)$", "", regex=True) if lang != "zh" else names
    counts = df[measure].astype(int)
    top = max(int(counts.max()), 1)
    shares = [c / top for c in counts]
    fills = sample_colorscale(SCALE, shares)
    shapes = [{"type": "rect", "xref": "x", "yref": "y", "x0": c - 0.47, "x1": c + 0.47, "y0": r - 0.45, "y1": r + 0.45,
               "fillcolor": fill, "line": {"width": 1, "color": MUTED}, "layer": "below"}
              for c, r, fill in zip(df["col"], df["row"], fills)]
    tiles = go.Scatter(
        x=df["col"], y=df["row"], mode="markers+text", customdata=df["code"],
        marker={"symbol": "square", "size": tile_px, "opacity": 0},
        text=[f"{n}<br><b>{v}</b>" if values else n for n, v in zip(short, counts)],
        textfont={"size": font_px, "color": [text_on(fill) for fill in fills]},
        hovertext=[f"{n}: {v}" if values else n for n, v in zip(names, counts)], hoverinfo="text", name=measure)
    axis = {"visible": False, "showgrid": False, "fixedrange": True, "zeroline": False}
    # the layout through the constructor: update_layout's relayout machinery cost several times as much
    fig = go.Figure(tiles, layout={
        "shapes": shapes, "xaxis": {**axis, "range": [df["col"].min() - 0.5, df["col"].max() + 0.5]},
        "yaxis": {**axis, "range": [df["row"].max() + 0.5, df["row"].min() - 0.5]},
        "margin": {"l": 4, "r": 4, "t": 4, "b": 4}, "clickmode": "event", "showlegend": False})
    return fig
