"""The live ticker: the newest matter cases as rows; the list is doubled so the CSS scroll loops seamlessly."""
from __future__ import annotations

from dash import html

from cockpit.i18n import missing, t


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
    return [html.Div(rows, className="ticker-track"), html.Div(rows, className="ticker-track", **{"aria-hidden": "true"})]
