"""How wide a label is in the wall's font (Noto Sans CJK SC), without a browser: per-character advances measured in
Chromium at 100 px (canvas measureText), CJK and full-width characters one em. Used to give a chart the margin its
labels need up front, so that plotly's automargin finds nothing to push: an automargin push redraws the whole
chart, which doubled the department ranking's first draw (55 -> 17 ms) on a cold wall."""
from __future__ import annotations

import math

_ASCII = dict(zip(
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
    [22, 32, 47, 55, 55, 92, 68, 28, 34, 34, 47, 55, 28, 35, 28, 39, *[55] * 10, 28, 28, 55, 55, 55, 47, 95,
     61, 66, 64, 69, 59, 55, 69, 73, 29, 53, 65, 54, 81, 72, 74, 63, 74, 63, 60, 60, 72, 57, 88, 57, 53, 60,
     34, 39, 34, 55, 56, 61,
     56, 62, 51, 62, 55, 32, 56, 61, 27, 27, 55, 28, 93, 61, 61, 62, 62, 39, 47, 38, 61, 52, 80, 50, 52, 47,
     34, 27, 34, 55]))


def text_px(text: str, size: float) -> int:
    """The width in px of one line of `text` at font size `size` (rounded up; unknown characters count one em)."""
    return math.ceil(sum(_ASCII.get(ch, 100) for ch in str(text)) * size / 100)
