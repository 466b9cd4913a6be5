"""The app-wide frame: the page container (the wall builds the header, clock and data-version poll on it)."""
from dash import dcc, html, page_container


def layout():
    return html.Div([dcc.Location(id="url"), page_container], id="app-root")
