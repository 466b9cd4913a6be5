"""The wall's header: title, live clock, data-freshness stamp, the demo mark and the reconnecting badge."""
from __future__ import annotations

from dash import html

from cockpit import ids
from cockpit.i18n import t


def freshness_badge(lang: str):
    # Filled and coloured by clientside.js from /api/version, so it ages between polls without the server.
    return html.Div([html.Span(t("fresh", lang), className="fresh-label"), html.Span("--", className="fresh-time")],
                    id=ids.FRESHNESS, className="fresh")


def demo_mark(visible: bool):
    return html.Div(t("demo", "zh"), id=ids.DEMO_MARK, className="demo-mark",
                    style=None if visible else {"display": "none"})


def header(lang: str, demo: bool):
    return html.Header([
        html.Div([html.Div("--:--:--", id=ids.CLOCK, className="clock"), html.Div(className="clock-date")],
                 className="header-left"),
        html.Div([html.H1(t("title", lang)), html.Div(t("subtitle", lang), className="subtitle")], className="header-title"),
        html.Div([demo_mark(demo), freshness_badge(lang),
                  html.Div(t("reconnecting", lang), id=ids.RECONNECT, className="reconnect")],
                 className="header-right"),
    ], className="wall-header")
