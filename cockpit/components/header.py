"""The wall's header: title, live clock, data-freshness stamp, the demo mark and the reconnecting badge; and the
notice a refused wall shows instead of reconnecting for ever."""
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


def kiosk_refused(lang: str):
    """Hidden until clientside.js finds the server refusing this wall (401/403 or the login page): then it covers
    the panels, in the page's language with the title in the other one too, since whoever fixes it may read either."""
    other = "zh" if lang == "en" else "en"
    return html.Div([html.Div(t("kiosk_refused", lang), className="refused-title"),
                     html.Div(t("kiosk_refused", other), className="refused-other"),
                     html.Div(t("kiosk_refused_detail", lang), className="refused-detail"),
                     html.Div(t("kiosk_refused_recheck", lang), className="refused-recheck")],
                    id=ids.REFUSED, className="refused", role="alert")
