"""The drill-down pages' URL state: every view is a path plus a query (lang, from, to, indicator, sort, matter,
firm), parsed and validated here (a bad value is a BadParam → the 400 page) and written back into hrefs."""
from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import asdict, dataclass, replace
from urllib.parse import quote, urlencode

from cockpit.i18n import DEFAULT, LANGS, t

YEAR = re.compile(r"^\d{4}$")
CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
FIRST_YEAR, LAST_YEAR = 1990, 2100
RECENT_VIEWS = 64  # built views kept in-process: a warm view skips unpickling from the shared cache
QUERY_KEYS = ("lang", "from", "to", "indicator", "sort", "matter", "firm")  # the order hrefs write them in


class BadParam(ValueError):
    """A query value the page cannot understand (the 400 page): a label key of cockpit.i18n and its values, so
    the page says what is wrong in the page's language; str() is the English text (logs, tests)."""

    def __init__(self, key: str, **values):
        self.key, self.values = key, values
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        return t(self.key, lang).format(**self.values)


class Missing(LookupError):
    """A code in the path that names nothing (the 404 page)."""


@dataclass(frozen=True)
class State:
    """One drill-down view: the path and the query values that differ from the defaults."""
    path: str = "/"
    lang: str = DEFAULT
    start: str | None = None  # first year shown (query `from`)
    end: str | None = None    # last year shown (query `to`)
    indicator: str | None = None
    sort: str | None = None
    matter: str | None = None
    firm: str | None = None

    def query(self) -> dict:
        values = {"lang": None if self.lang == DEFAULT else self.lang, "from": self.start, "to": self.end,
                  "indicator": self.indicator, "sort": self.sort, "matter": self.matter, "firm": self.firm}
        return {k: values[k] for k in QUERY_KEYS if values[k]}

    def href(self, path: str | None = None, **changes) -> str:
        """This view's URL, or a neighbour's: another path keeps lang and the period; `changes` override."""
        base = self if path is None else State(path=path, lang=self.lang, start=self.start, end=self.end)
        state = replace(base, **changes)
        query = urlencode(state.query())
        return quote(state.path, safe="/.-_~") + (f"?{query}" if query else "")

    def to_dict(self) -> dict:
        return asdict(self)


def _one(value, name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, list):  # ?from=2020&from=2021
        raise BadParam("bad_repeated", name=name, n=len(value))
    return str(value).strip()


def _year(value, name: str) -> str | None:
    value = _one(value, name)
    if value is None:
        return None
    if not YEAR.match(value) or not FIRST_YEAR <= int(value) <= LAST_YEAR:
        raise BadParam("bad_year", name=name, value=value)
    return value


def _code(value, name: str, allowed=None) -> str | None:
    value = _one(value, name)
    if value is None:
        return None
    if not CODE.match(value) or (allowed is not None and value not in allowed):
        raise BadParam("bad_value", name=name, value=value)
    return value


def parse(path: str, query: dict, *, indicators=None, sorts=None) -> State:
    """The State of `path` with the layout's query kwargs; raises BadParam naming the first bad value."""
    lang = _one(query.get("lang"), "lang") or DEFAULT
    if lang not in LANGS:
        raise BadParam("bad_lang", value=lang)
    start, end = _year(query.get("from"), "from"), _year(query.get("to"), "to")
    if start and end and start > end:
        raise BadParam("bad_span", start=start, end=end)
    return State(path=path, lang=lang, start=start, end=end,
                 indicator=_code(query.get("indicator"), "indicator", indicators),
                 sort=_code(query.get("sort"), "sort", sorts),
                 matter=_code(query.get("matter"), "matter"), firm=_code(query.get("firm"), "firm"))


def lang_only(query: dict) -> str:
    """The language of a page whose other parameters are bad (the 400 page still speaks the asked language)."""
    lang = query.get("lang")
    return lang if lang in LANGS else DEFAULT


def from_dict(data: dict | None) -> State:
    return State(**(data or {}))


def period_href(data: dict, start, end) -> str | None:
    """The URL after the period filter changed to [start, end] (swapped when reversed); None when unchanged."""
    state = from_dict(data)
    start, end = (str(start) if start else None), (str(end) if end else None)
    if start and end and start > end:
        start, end = end, start
    if (start, end) == (state.start, state.end):
        return None
    return state.href(start=start, end=end)


def download(kind: str, columns: list[str], frame, state: State, name: str, **filters) -> dict:
    """A dcc.Download payload: the snapshot (cockpit.export) of exactly `frame`'s rows, filters in the footer."""
    import base64
    import json

    from dash.exceptions import PreventUpdate

    from cockpit import auth
    from cockpit.export import Meta, snapshot_bytes

    if not auth.allowed("analyst"):  # the button shows for leaders too; the file is for analysts
        raise PreventUpdate
    meta = Meta(kind=kind, filters={"from": state.start, "to": state.end, **filters})
    data = snapshot_bytes(columns, frame, meta)
    auth.record("export", state.href(), json.dumps({"panel": name, **meta.filters}, ensure_ascii=False))
    parts = [name, state.start or "", state.end or ""]
    return {"content": base64.b64encode(data).decode("ascii"), "filename": "_".join(p for p in parts if p) + ".csv",
            "type": "text/csv", "base64": True}


def clicked(click) -> str | None:
    """The code a chart click carries (its point's customdata), or None."""
    try:
        value = click["points"][0]["customdata"]
    except (TypeError, KeyError, IndexError):
        return None
    value = value[0] if isinstance(value, list) else value
    return str(value) if value is not None and CODE.match(str(value)) else None


def view(state: State, build):
    """The page for `state`, built once per data version and shared by every viewer: a warm view is a dict read
    in this process (a few recent views, per app) or one shared-cache read; `build` runs on a miss."""
    from flask import current_app

    from cockpit import context, drill_sql, queries

    from cockpit import auth
    if not auth.allowed("leader"):  # the router callback would otherwise hand a kiosk any page's layout
        from cockpit.components.drill import error_page
        return error_page(403, "此页面需要登录(领导及以上角色) / this page needs a leader's login", state.lang)
    ctx = context.get()
    key = f"drill:{queries.current_version(ctx.engine)}:{state.href()}"
    recent = current_app.extensions.setdefault("drill_views", OrderedDict())
    hit = recent.get(key)
    if hit is None:
        hit = ctx.cache.get(key)
        if hit is None:
            with drill_sql.one_connection(ctx.engine):
                hit = build()
            ctx.cache.set(key, hit, timeout=3600)
        recent[key] = hit
        while len(recent) > RECENT_VIEWS:
            recent.popitem(last=False)
    return hit


def page_callbacks(page: str, snapshot, grid: bool = False):
    """The two callbacks every drill page has, made once here: its period pickers write themselves into the URL,
    and its export buttons download `snapshot(panel, state data[, the grid's rows as shown])`."""
    import dash
    from dash import MATCH, Input, Output, State, callback, no_update

    from cockpit import ids

    @callback(Output(ids.URL, "href", allow_duplicate=True), Input(ids.drill_period(page, "from"), "value"),
              Input(ids.drill_period(page, "to"), "value"), State(ids.drill_state(page), "data"),
              prevent_initial_call=True)
    def set_period(start, end, data):
        return period_href(data, start, end) or no_update

    grid_state = [State(ids.drill_grid(page), "virtualRowData")] if grid else []

    @callback(Output(ids.drill_download(page, MATCH), "data"), Input(ids.drill_export(page, MATCH), "n_clicks"),
              State(ids.drill_state(page), "data"), *grid_state, prevent_initial_call=True)
    def export_panel(n_clicks, data, grid_rows=None):
        key = dash.ctx.triggered_id["panel"] if dash.ctx.triggered_id else None
        return (snapshot(key, data, grid_rows) if n_clicks else None) or no_update

    return set_period, export_panel
