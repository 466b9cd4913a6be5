"""The figures' one look: the palette, the lean dark template (registered once, the default of every figure) and
the "no data" text every empty chart shows; one module per screen family beside it (wall, drill)."""
from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from cockpit.i18n import t

FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif"
INK, MUTED, GRID = "#d8ecff", "#8cb3d9", "rgba(90,170,255,0.14)"
CYAN, BLUE, GOLD, GREEN, RED, VIOLET = "#29d8ff", "#3b82f6", "#ffc53d", "#34e0a1", "#ff8a96", "#a78bfa"
COLORWAY = [CYAN, GOLD, GREEN, BLUE, VIOLET, "#ff8a3d", "#f472b6", "#94a3b8"]
TEMPLATE = "cockpit"

# Lean on purpose: the stock template is most of a figure's bytes (FIELD_NOTES), and every wall refresh ships them.
pio.templates[TEMPLATE] = go.layout.Template(layout={
    "font": {"family": FONT, "color": INK, "size": 18},
    "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "colorway": COLORWAY,
    "margin": {"l": 56, "r": 24, "t": 16, "b": 40}, "showlegend": False,
    "hoverlabel": {"font": {"family": FONT, "size": 18}},
    "xaxis": {"gridcolor": GRID, "linecolor": GRID, "zeroline": False, "tickfont": {"color": MUTED}},
    "yaxis": {"gridcolor": GRID, "linecolor": GRID, "zeroline": False, "tickfont": {"color": MUTED}},
})
pio.templates.default = TEMPLATE


def rebuilt(fig: go.Figure, **layout) -> go.Figure:
    """`fig` built anew with `layout` as top-level keys over what its layout has: plotly.py's update_layout and
    add_* calls run its relayout machinery per call (3.4 ms for the ranking's layout), the constructor 0.4 ms.
    The template is the default one, which the constructor applies."""
    own = fig.layout.to_plotly_json()
    own.pop("template", None)
    return go.Figure(data=fig.data, layout={**own, **layout})


def text_px(text: str, size: int = 15) -> float:
    """About how wide `text` draws: a CJK character is a full em, Latin about half."""
    return sum(size if ord(ch) > 0x2e80 else 0.5 * size for ch in text)


def no_data_text(lang: str, missing: str = "") -> str:
    """暂无数据 / No data yet, then what is missing and which source loads it, one part a line; a part too wide
    for the narrowest panel (the on-time gauge's 220px) breaks before its bracket."""
    parts = []
    for part in (p for p in missing.split(" · ") if p):
        cut = part.find("(")
        parts += [part[:cut].rstrip(), part[cut:]] if text_px(part, 16) > 190 and cut > 0 else [part]
    lines = [f'<span style="font-size:16px">{part}</span>' for part in parts]
    return "<br>".join([t("no_data", lang), *lines])
