"""The wall (驾驶舱): the full-screen, always-live big screen; refreshes its panels only when the data version changes."""
from __future__ import annotations

import logging
from datetime import date

import dash
import pandas as pd
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
# Graph panels whose patch keeps the y-axis window the browser scrolls (see cockpit.scrollRanking).
SCROLLED = {"depts"}


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
    c = context.get()
    engine, today = c.engine, date.today().isoformat()
    version = queries.current_version(engine)
    kpis = queries.kpis(engine, today)
    cases = queries.latest_cases(engine)
    frames, sets = [kpis, cases], []
    for i, (set_name, _, panels) in enumerate(PANEL_SETS):
        if i and not rotate_s:
            continue  # the extra sets cost first-render time; only a rotating wall shows them
        boxes = []
        for key, title in panels:
            fig, df = panel_data(engine, key, lang, today)
            frames.append(df)
            boxes.append(components.graph_panel(key, t(title, lang), fig, components.caption(df, lang), f"p-{key}"))
        if set_name == "overview":
            boxes.append(components.panel("ticker", t("ticker", lang), html.Div(
                components.ticker_items(cases, lang), id=ids.TICKER, className="ticker"),
                components.caption(cases, lang), "p-ticker"))
        sets.append(html.Div(boxes, id=ids.panel_set(set_name), className=f"panel-set set-{set_name}" + (" active" if not i else "")))
    config = {"poll": c.settings.poll_seconds, "rotate": rotate_s, "v": version, "lang": lang}
    return html.Div([
        dcc.Store(id=ids.LANG, data=lang), dcc.Store(id=ids.CONFIG, data=config),
        dcc.Store(id=ids.VERSION, data={"v": version, "n": 0}), dcc.Store(id=ids.RENDERED, data=version),
        dcc.Store(id=ids.KPI_VALUES), dcc.Store(id=ids.BOOT),
        html.Div([
            components.header(lang, _is_demo(frames)),
            html.Div([components.kpi_card(r, lang) for r in kpis.to_dict("records")], className="kpi-row"),
            html.Div(sets, className="panel-sets"),
        ], id=ids.CANVAS, className="canvas"),
    ], id=ids.WALL, className=f"wall lang-{lang}")


def _patch(fig, key: str) -> Patch:
    """Only what a refresh changes: traces, annotations and shapes, and the data-driven axis ranges."""
    data = fig.to_plotly_json()
    patch = Patch()
    patch["data"] = data["data"]
    lay = data["layout"]
    for part in ("annotations", "shapes", "meta"):
        if part in lay:
            patch["layout"][part] = lay[part]
    for axis in ("xaxis", "yaxis"):
        if "range" in lay.get(axis, {}) and not (key in SCROLLED and axis == "yaxis"):
            patch["layout"][axis]["range"] = lay[axis]["range"]
    return patch


@callback(
    Output({"type": ids.GRAPH_TYPE, "panel": ALL}, "figure"), Output({"type": ids.CAPTION_TYPE, "panel": ALL}, "children"),
    Output(ids.TICKER, "children"),
    Output(ids.KPI_VALUES, "data"), Output(ids.DEMO_MARK, "style"), Output(ids.RENDERED, "data"),
    Input(ids.VERSION, "data"), State(ids.LANG, "data"), prevent_initial_call=True,
)
def update_panels(version, lang):
    """Re-render every panel on the page for a new data version; on any failure keep what is shown."""
    lang = lang_of(lang)
    try:
        engine, today = context.get().engine, date.today().isoformat()
        keys = [o["id"]["panel"] for o in dash_ctx.outputs_list[0]]
        cap_keys = [o["id"]["panel"] for o in dash_ctx.outputs_list[1]]
        built = {k: panel_data(engine, k, lang, today) for k in keys}
        kpis, cases = queries.kpis(engine, today), queries.latest_cases(engine)
        frames = [df for _, df in built.values()] + [kpis, cases]
        return ([_patch(built[k][0], k) for k in keys],
                [components.caption(built[k][1] if k in built else cases, lang) for k in cap_keys],
                components.ticker_items(cases, lang),
                components.kpi_payload(kpis, lang), None if _is_demo(frames) else {"display": "none"},
                (version or {}).get("v"))
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
