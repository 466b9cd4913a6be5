"""What the five drill-down pages share (not a page: Dash skips modules whose name starts with "_"): one rhythm for
their layout (parse the URL → 400 page, the role check, the view built once per data version → 404 page when a code
names nothing), the CSV download of a panel, and the two callbacks every drill page has."""
from __future__ import annotations

import base64
import json
from collections import OrderedDict

import dash
from dash import MATCH, Input, Output, State, callback, no_update
from dash.exceptions import PreventUpdate
from flask import current_app

from cockpit import context, ids
from cockpit import state as url
from cockpit.cache import current_version, versioned
from cockpit.components import drill as ui
from cockpit.queries import one_connection
from cockpit.snapshot import Meta, snapshot_bytes
from cockpit.web import auth

RECENT_VIEWS = 64  # built views kept in-process: a warm view skips unpickling from the shared cache


def page(path: str, query: dict, render, **allowed):
    """The layout of a drill page: `render(state)` for a valid URL, which raises url.Missing when a code names
    nothing (the 404 page); a bad query value is the 400 page. `allowed` narrows indicators= and sorts=."""
    try:
        state = url.parse(path, query, **allowed)
    except url.BadParam as exc:
        return ui.bad_request_page(exc, query)
    return view(state, lambda: _rendered(render, state))


def _rendered(render, state: url.State):
    try:
        return render(state)
    except url.Missing as exc:
        return ui.error_page(404, str(exc), state.lang)


def view(state: url.State, build):
    """The page for `state`, built once per data version and shared by every viewer: a warm view is a dict read
    in this process (a few recent views, per app) or one shared-cache read; `build` runs on a miss."""
    if not auth.allowed("leader"):  # the router callback would otherwise hand a kiosk any page's layout
        return ui.error_page(403, "此页面需要登录(领导及以上角色) / this page needs a leader's login", state.lang)
    ctx = context.get()
    key = f"drill:{current_version(ctx.engine)}:{state.href()}"
    recent = current_app.extensions.setdefault("drill_views", OrderedDict())
    hit = recent.get(key)
    if hit is None:
        hit = versioned(key, lambda: _in_one_connection(ctx.engine, build))
        recent[key] = hit
        while len(recent) > RECENT_VIEWS:
            recent.popitem(last=False)
    return hit


def _in_one_connection(engine, build):
    with one_connection(engine):
        return build()


def download(kind: str, columns: list[str], frame, state: url.State, name: str, **filters) -> dict:
    """A dcc.Download payload: the snapshot (cockpit.snapshot) of exactly `frame`'s rows, filters in the footer."""
    if not auth.allowed("analyst"):  # the button shows for leaders too; the file is for analysts
        raise PreventUpdate
    meta = Meta(kind=kind, filters={"from": state.start, "to": state.end, **filters})
    data = snapshot_bytes(columns, frame, meta)
    auth.record("export", state.href(), json.dumps({"panel": name, **meta.filters}, ensure_ascii=False))
    parts = [name, state.start or "", state.end or ""]
    return {"content": base64.b64encode(data).decode("ascii"), "filename": "_".join(p for p in parts if p) + ".csv",
            "type": "text/csv", "base64": True}


def page_callbacks(page: str, snapshot, grid: bool = False):
    """The two callbacks every drill page has, made once here: its period pickers write themselves into the URL,
    and its export buttons download `snapshot(panel, state data[, the grid's rows as shown])`."""

    @callback(Output(ids.URL, "href", allow_duplicate=True), Input(ids.drill_period(page, "from"), "value"),
              Input(ids.drill_period(page, "to"), "value"), State(ids.drill_state(page), "data"),
              prevent_initial_call=True)
    def set_period(start, end, data):
        return url.period_href(data, start, end) or no_update

    grid_state = [State(ids.drill_grid(page), "virtualRowData")] if grid else []

    @callback(Output(ids.drill_download(page, MATCH), "data"), Input(ids.drill_export(page, MATCH), "n_clicks"),
              State(ids.drill_state(page), "data"), *grid_state, prevent_initial_call=True)
    def export_panel(n_clicks, data, grid_rows=None):
        key = dash.ctx.triggered_id["panel"] if dash.ctx.triggered_id else None
        return (snapshot(key, data, grid_rows) if n_clicks else None) or no_update

    return set_period, export_panel


def click_sets(page: str, graph: str, param: str):
    """A callback: a click on the page's `graph` puts the clicked code into the URL as `param` (?matter=, ?firm=)."""
    @callback(Output(ids.URL, "href", allow_duplicate=True), Input(ids.drill_graph(page, graph), "clickData"),
              State(ids.drill_state(page), "data"), prevent_initial_call=True)
    def set_from_click(click, data):
        code = url.clicked(click)
        return url.from_dict(data).href(**{param: code}) if code else no_update

    return set_from_click
