"""The live ticker: the newest matter cases as rows, scrolled up by CSS; the first LOOP rows are repeated below the
list (hanging outside the box the scroll moves by), so the loop closes on what it opened with, seamlessly."""
from __future__ import annotations

from dash import html

from cockpit.i18n import missing, t

LOOP = 7  # rows the ticker panel shows at once (42 px each), rounded up: all the repeat needs


def ticker_items(cases, lang: str) -> list:
    if cases.empty:
        return [html.Div([html.Span(t("no_data", lang), className="ticker-none")]
                         + [html.Span(part, className="ticker-need") for part in missing("cases", lang).split(" · ")],
                         className="ticker-row empty")]
    rows = []
    for r in cases.to_dict("records"):
        rows.append(html.Div([
            html.Span(f"{r['submitted_at']:%m-%d %H:%M}", className="ticker-time"),
            html.Span(r["dept_en"] if lang == "en" else r["dept_zh"], className="ticker-dept"),
            html.Span(r["matter_en"] if lang == "en" else r["matter_zh"], className="ticker-matter"),
            html.Span(t(f"status_{r['status']}", lang), className=f"ticker-status {r['status']}"),
        ], className="ticker-row"))
    # Repeating only what the panel shows, not the whole list: half the rows (and Dash components) on the first
    # render of the wall.
    return [html.Div(rows, className="ticker-track"),
            html.Div(rows[:LOOP], className="ticker-track repeat", **{"aria-hidden": "true"})]
