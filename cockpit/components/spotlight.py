"""The spotlight and exception cards of the rotating wall (cockpit/web/spotlight.py builds their items): one card
showing at a time, big enough to read across the hall; each says its reason in words, never colour alone."""
from __future__ import annotations

from dash import dcc, html

from cockpit.i18n import t


def cards(items: list[dict], lang: str, kind: str):
    """The cards of one set; the first shows, assets/clientside.js moves on (data-count says how many)."""
    if not items:
        return html.Div(t("exc_none", lang) if kind == "exceptions" else t("no_data", lang), className="spot-empty")
    return html.Div([html.Div([
        html.Div([html.Span(item.get("reason", ""), className="spot-reason") if item.get("reason") else None,
                  dcc.Link(item["title"], href=item["href"] + ("?lang=en" if lang == "en" else ""), className="spot-title")],
                 className="spot-head"),
        html.Div([html.Div([html.Div(label, className="spot-label"), html.Div(value, className="spot-value")],
                           className="spot-figure") for label, value in item["figures"]], className="spot-figures"),
        html.Div(f"{i + 1} / {len(items)}", className="spot-count"),
    ], className="spot-card" + (" active" if i == 0 else "") + (" alert" if item.get("alert") else ""))
        for i, item in enumerate(items)], className=f"spot-cards spot-{kind}", **{"data-count": str(len(items))})
