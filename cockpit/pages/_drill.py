"""What the five drill-down pages share (not a page: Dash skips modules whose name starts with "_"): one rhythm for
their layout (the role check, the URL checked by its Route → 400 page for a bad value, 404 page when a code names
nothing, both before anything is cached; the view built once per data version), the CSV download of a panel, and
the two callbacks every drill page has."""
from __future__ import annotations

import base64
import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

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
from cockpit.web.export import footer_notes
from cockpit.web import auth

RECENT_VIEWS = 64  # built views kept in-process: a warm view skips unpickling from the shared cache
KEY_CHARS = 200  # a longer href is cached under its SHA-256


@dataclass(frozen=True)
class Route:
    """A drill page's URL: its path template, the years its period filter offers (a year outside them is a 400,
    not a silent "all years"), `known(engine, state, *codes)` raising url.Missing or url.BadParam when the codes
    or the matter/firm name nothing, and the indicators=/sorts= it allows."""
    template: str
    years: Callable
    known: Callable | None = None
    allowed: dict = field(default_factory=dict)

    def codes(self, path: str) -> list[str] | None:
        """The path's codes when `path` has this route's shape (Dash's own matching, trailing "/" and all)."""
        parts, want = path.strip("/").split("/"), self.template.strip("/").split("/")
        if len(parts) != len(want) or any(w != p for w, p in zip(want, parts) if not w.startswith("<")):
            return None
        return [p for w, p in zip(want, parts) if w.startswith("<")]


ROUTES: list[Route] = []


def route(template: str, years, known=None, **allowed) -> Route:
    """Register a drill page's URL (each page module, at import): page() and cockpit.web.paths check by it."""
    made = Route(template, years, known, allowed)
    ROUTES.append(made)
    return made


def check(path: str, query: dict) -> url.State:
    """The State of a drill-down URL that names a real view, else url.BadParam (a 400: a bad query value, a year
    the page has no data for) or url.Missing (a 404: no such page, or a code that names nothing). Runs before
    anything is cached, so only real views become cache entries."""
    found = next(((r, c) for r in ROUTES if (c := r.codes(path)) is not None), None)
    if found is None or any(not url.CODE.match(code) for code in found[1]):
        raise url.Missing("no such drill-down page")
    route_, codes = found
    state = url.parse("/" + path.strip("/"), query, **route_.allowed)
    engine = context.get().engine
    years = route_.years(engine)
    for name, year in (("from", state.start), ("to", state.end)):
        if year and years and year not in years:
            raise url.BadParam("bad_value", name=name, value=year)
    if route_.known:
        route_.known(engine, state, *codes)
    return state


def page(path: str, query: dict, render):
    """The layout of a drill page: `render(state)` for a URL that check() passes (built once per data version);
    a bad query value is the 400 page, a code that names nothing the 404 page (neither is cached)."""
    lang = url.lang_only(query)
    if not auth.allowed("leader"):  # the router callback would otherwise hand a kiosk any page's layout
        return ui.error_page(403, "此页面需要登录(领导及以上角色) / this page needs a leader's login", lang)
    try:
        state = check(path, query)
        return view(state, lambda: render(state))
    except url.BadParam as exc:
        return ui.bad_request_page(exc, query)
    except url.Missing as exc:
        return ui.error_page(404, str(exc), lang)


def cache_key(version, state: url.State) -> str:
    """The shared-cache key of a view: its href, hashed when long (a key never grows with the URL)."""
    href = state.href()
    return f"drill:{version}:" + (href if len(href) <= KEY_CHARS else hashlib.sha256(href.encode()).hexdigest())


def view(state: url.State, build):
    """The page for `state`, built once per data version and shared by every viewer: a warm view is a dict read
    in this process (a few recent views, per app) or one shared-cache read; `build` runs on a miss (an exception
    in it caches nothing)."""
    ctx = context.get()
    key = cache_key(current_version(ctx.engine), state)
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


def as_shown(frame, grid_rows: list | None, key: str = "code"):
    """`frame`'s rows as a grid shows them (filtered, sorted): the grid can narrow and reorder what the server
    sent, never add to it. None for grid_rows: the frame as it is."""
    if grid_rows is None:
        return frame
    known = set(frame[key])
    return frame.set_index(key, drop=False).reindex([r.get(key) for r in grid_rows if r.get(key) in known])


def download(kind: str, columns: list[str], frame, state: url.State, name: str, **filters) -> dict:
    """A dcc.Download payload: the snapshot (cockpit.snapshot) of exactly `frame`'s rows, filters in the footer."""
    if not auth.allowed("analyst"):  # the button shows for leaders too; the file is for analysts
        raise PreventUpdate
    scope = next((filters[k] for k in ("department", "chain", "segment", "township") if filters.get(k)), None)
    meta = Meta(kind=kind, filters={"from": state.start, "to": state.end, **filters},
                notes=footer_notes(context.get().engine, scope, state.start, state.end))
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
        if not n_clicks:
            return no_update
        state = url.from_dict(data)
        try:  # the stored view comes back from the browser: only a real view's queries run (and are cached)
            check(state.path, state.query())
        except url.Missing as exc:
            raise url.BadInput(f"the view names nothing: {exc}") from None
        return snapshot(key, data, grid_rows) or no_update

    return set_period, export_panel


def click_sets(page: str, graph: str, param: str):
    """A callback: a click on the page's `graph` puts the clicked code into the URL as `param` (?matter=, ?firm=)."""
    @callback(Output(ids.URL, "href", allow_duplicate=True), Input(ids.drill_graph(page, graph), "clickData"),
              State(ids.drill_state(page), "data"), prevent_initial_call=True)
    def set_from_click(click, data):
        code = url.clicked(click)
        return url.from_dict(data).href(**{param: code}) if code else no_update

    return set_from_click
