"""The wall (驾驶舱): the full-screen, always-live big screen; refreshes its panels only when the data version changes."""
from __future__ import annotations

import logging
from datetime import date

import dash
from dash import ALL, Input, Output, Patch, State, callback, clientside_callback, ctx as dash_ctx, dcc, html
from dash.exceptions import PreventUpdate

from cockpit import components, context, figures, ids, queries
from cockpit.i18n import lang_of, t

dash.register_page(__name__, path="/", redirect_from=["/wall"], order=0, title=t("title", "zh"))
log = logging.getLogger(__name__)

# Panel sets of the playlist (?rotate=SECONDS): (set name, label key, [(panel key, title key)]).
PANEL_SETS = [
    ("overview", "set_overview", [("rd", "rd_trend"), ("rank", "index_rank"), ("chains", "chains"),
                                  ("depts", "dept_ranking"), ("ontime", "on_time"), ("resources", "resources")]),
    ("trends", "set_trends", [("patents", "patents"), ("enterprises", "enterprises"), ("talent", "talent"),
                              ("digital", "digital")]),
]
TREND_CODES = {"patents": (["patents_granted", "invention_patents"], "bar"), "enterprises": (["high_tech_firms"], "bar"),
               "talent": (["talent_introduced"], "bar"), "digital": (["base_stations_5g"], "bar")}


def panel_data(engine, key: str, lang: str, today: str) -> tuple:
    """(figure, the frame it shows) for one panel key: the only place the wall maps panels to queries."""
    if key == "rd":
        df = queries.county_series(engine, ("rd_intensity",))
        return figures.rd_trend(df, lang), df
    if key == "rank":
        df = queries.county_series(engine, ("innovation_index_rank",))
        return figures.index_rank(df, lang), df
    if key == "chains":
        df = queries.chain_segments(engine)
        return figures.chains_treemap(df, lang), df
    if key == "depts":
        df = queries.department_matters(engine, today)
        return figures.department_ranking(df, lang), df
    if key == "ontime":
        df = queries.department_matters(engine, today)
        done = df["handled"].sum()
        target = queries.county_series(engine, ("on_time_rate",))["target"].max()
        return figures.on_time_gauge(100 * df["on_time"].sum() / done if done else None, target, lang), df
    if key == "resources":
        df = queries.resources_by_type(engine)
        return figures.resources_donut(df, lang), df
    codes, kind = TREND_CODES[key]
    df = queries.county_series(engine, tuple(codes))
    return figures.county_trend(df, codes, lang, kind), df


def _is_demo(frames) -> bool:
    return any(bool(f["is_demo"].any()) for f in frames if f is not None and "is_demo" in f and not f.empty)


def layout(lang=None, rotate=None, **_):
    lang = lang_of(lang)
    try:
        rotate_s = max(5.0, float(rotate)) if rotate else 0.0
    except ValueError:
        rotate_s = 0.0
    try:
        return _wall(lang, rotate_s)
    except Exception:  # the store is down at first load: an empty frame that reloads itself once it is back
        log.exception("wall layout failed")
        config = {"poll": context.get().settings.poll_seconds, "rotate": 0, "v": None, "lang": lang, "reload": True}
        return html.Div([dcc.Store(id=ids.CONFIG, data=config), dcc.Store(id=ids.BOOT), html.Div(
            [components.header(lang, False)], id=ids.CANVAS, className="canvas")], id=ids.WALL, className="wall offline")


def _wall(lang: str, rotate_s: float):
    c = context.get()
    version = queries.current_version(c.engine)
    shown = [(i, name, panels) for i, (name, _, panels) in enumerate(PANEL_SETS) if not i or rotate_s]
    # Extra sets cost first-render time, so only a rotating wall gets them; figures come from the shared cache.
    out = refresh([key for _, _, panels in shown for key, _ in panels], lang)
    sets = []
    for i, set_name, panels in shown:
        boxes = [components.graph_panel(key, t(title, lang), out["figures"][key], out["captions"][key], f"p-{key}",
                                        out["figures"][key]["layout"].get("height"))
                 for key, title in panels]
        if set_name == "overview":
            boxes.append(components.panel("ticker", t("ticker", lang), html.Div(out["ticker"], id=ids.TICKER, className="ticker"),
                                          out["captions"]["ticker"], "p-ticker"))
        sets.append(html.Div(boxes, id=ids.panel_set(set_name), className=f"panel-set set-{set_name}" + (" active" if not i else "")))
    kpis = queries.kpis(c.engine, date.today().isoformat())
    config = {"poll": c.settings.poll_seconds, "rotate": rotate_s, "v": version, "lang": lang}
    return html.Div([
        dcc.Store(id=ids.LANG, data=lang), dcc.Store(id=ids.CONFIG, data=config),
        dcc.Store(id=ids.VERSION, data={"v": version, "n": 0}), dcc.Store(id=ids.RENDERED, data={"v": version, "n": 0}),
        dcc.Store(id=ids.KPI_VALUES), dcc.Store(id=ids.BOOT),
        html.Div([
            components.header(lang, out["demo"]),
            html.Div([components.kpi_card(r, lang) for r in kpis.to_dict("records")], className="kpi-row"),
            html.Div(sets, className="panel-sets"),
        ], id=ids.CANVAS, className="canvas"),
    ], id=ids.WALL, className=f"wall lang-{lang}")


def _patch(fig: dict, key: str) -> Patch:
    """Only what a refresh changes: traces, annotations and shapes, and the data-driven axis ranges."""
    patch = Patch()
    patch["data"] = fig["data"]
    lay = fig["layout"]
    for part in ("annotations", "shapes", "meta"):
        if part in lay:
            patch["layout"][part] = lay[part]
    for axis in ("xaxis", "yaxis"):
        if "range" in lay.get(axis, {}):
            patch["layout"][axis]["range"] = lay[axis]["range"]
    return patch


def refresh(keys: list[str], lang: str) -> dict:
    """Everything a refresh sends, built once per (data version, language, panels) and shared by every wall."""
    c = context.get()
    engine, today = c.engine, date.today().isoformat()
    cache_key = f"wall:{queries.current_version(engine)}:{today}:{lang}:{','.join(keys)}"
    hit = c.cache.get(cache_key)
    if hit is not None:
        return hit
    built = {k: panel_data(engine, k, lang, today) for k in keys}
    kpis, cases = queries.kpis(engine, today), queries.latest_cases(engine)
    out = {"figures": {k: fig.to_plotly_json() for k, (fig, _) in built.items()},
           "captions": {**{k: components.caption(df, lang) for k, (_, df) in built.items()},
                        "ticker": components.caption(cases, lang)},
           "ticker": components.ticker_items(cases, lang), "kpis": components.kpi_payload(kpis, lang),
           "demo": _is_demo([df for _, df in built.values()] + [kpis, cases])}
    c.cache.set(cache_key, out, timeout=3600)
    return out


@callback(
    Output({"type": ids.GRAPH_TYPE, "panel": ALL}, "figure"), Output({"type": ids.CAPTION_TYPE, "panel": ALL}, "children"),
    Output(ids.TICKER, "children"), Output(ids.KPI_VALUES, "data"), Output(ids.DEMO_MARK, "style"),
    Output(ids.RENDERED, "data"), Input(ids.VERSION, "data"), State(ids.LANG, "data"), prevent_initial_call=True,
)
def update_panels(version, lang):
    """Re-render every panel on the page for a new data version; on any failure keep what is shown."""
    lang = lang_of(lang)
    try:
        keys = [o["id"]["panel"] for o in dash_ctx.outputs_list[0]]
        cap_keys = [o["id"]["panel"] for o in dash_ctx.outputs_list[1]]
        out = refresh(keys, lang)
        return ([_patch(out["figures"][k], k) for k in keys], [out["captions"].get(k, "") for k in cap_keys],
                out["ticker"], out["kpis"], None if out["demo"] else {"display": "none"}, version)
    except Exception:  # the wall never shows an error: log it, keep the last render, try again next version
        log.exception("wall refresh failed")
        raise PreventUpdate


# Per-tick work runs in the browser (assets/clientside.js); these callbacks work by effect, BOOT is a sink.
clientside_callback(dash.ClientsideFunction("cockpit", "boot"), Output(ids.BOOT, "data"), Input(ids.CONFIG, "data"))
clientside_callback(dash.ClientsideFunction("cockpit", "animateKpis"), Output(ids.BOOT, "data", allow_duplicate=True),
                    Input(ids.KPI_VALUES, "data"), prevent_initial_call=True)
clientside_callback(dash.ClientsideFunction("cockpit", "markRendered"), Output(ids.BOOT, "data", allow_duplicate=True),
                    Input(ids.RENDERED, "data"), prevent_initial_call="initial_duplicate")
clientside_callback(dash.ClientsideFunction("cockpit", "drillDown"), Output(ids.URL, "href"),
                    Input(ids.graph("depts"), "clickData"), Input(ids.graph("chains"), "clickData"),
                    prevent_initial_call=True)
