"""Townships (乡镇/街道): Xinchang's 14 divisions on the schematic tile map, coloured by a chosen measure (firms,
high-tech firms, innovation resources: ?sort=), and ranked in a table; a tile or a name opens the township."""
from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from cockpit import context, ids, state as url
from cockpit.components import drill as ui
from cockpit.components.info import info_mark
from cockpit.figures.townships import tile_map
from cockpit.i18n import missing, t
from cockpit.pages import _drill
from cockpit.queries import chains as cq
from cockpit.queries import townships as tq

PAGE = "townships"
SORTS = {m: (m, False) for m in tq.MEASURES}
COLUMNS = ["rank", "code", "name_zh", "name_en", "kind", "firms", "high_tech_firms", "resources", "row", "col",
           "is_demo", "run_id", "loaded_at"]
dash.register_page(__name__, path="/townships", order=30, title="乡镇 · 新昌县创新服务云平台驾驶舱")


def ranked(engine, state: url.State) -> pd.DataFrame:
    """The townships in the page's order (the measure in ?sort=, then by code), with the map's provenance."""
    measure = state.sort or tq.MEASURES[0]
    df = tq.townships(engine).sort_values([measure, "code"], ascending=[False, True]).reset_index(drop=True)
    prov = tq.provenance(engine)
    first = prov.iloc[0].to_dict() if len(prov) else {}
    return df.assign(rank=df.index + 1, is_demo=bool(first.get("is_demo", False)), run_id=first.get("run_id"),
                     loaded_at=first.get("loaded_at"))


def measure_tabs(state: url.State):
    """One link per measure; the chosen one is marked (and colours the map)."""
    chosen = state.sort or tq.MEASURES[0]
    return html.Div([dcc.Link(t(f"measure_{m}", state.lang), href=state.href(sort=m),
                              className="indicator-tab" + (" active" if m == chosen else ""))
                     for m in tq.MEASURES], className="indicator-tabs")


ROUTE = _drill.route("/townships", cq.observation_years, sorts=SORTS)


def layout(**query):
    return _drill.page("/townships", query, render)


def render(state: url.State):
    lang, engine = state.lang, context.get().engine
    df, measure = ranked(engine, state), state.sort or tq.MEASURES[0]
    placed = int(df[list(tq.MEASURES)].to_numpy().sum()) if len(df) else 0
    need = None if placed else missing("townships", lang)
    name = lambda r: r["name_en" if lang == "en" else "name_zh"]
    rows = [[r["rank"], ui.link(state, f"/townships/{r['code']}", name(r), sort=None), r["kind"] if lang == "zh"
             else t(f"kind_{r['kind']}", lang), f"{r['firms']:,}", f"{r['high_tech_firms']:,}", f"{r['resources']:,}"]
            for r in df.to_dict("records")]
    heads = [t("rank", lang), t("township", lang), t("township_kind", lang)] + [
        dcc.Link(t(f"measure_{m}", lang) + (" ▼" if m == measure else ""), href=state.href(sort=m), className="sort-link")
        for m in tq.MEASURES]
    info = info_mark(df if len(df) and df["loaded_at"].notna().any() else None, lang,
                     definition=t("def_townships", lang))
    body = [
        ui.drill_panel(PAGE, "map", f"{t('township_map', lang)} · {t(f'measure_{measure}', lang)}",
                       [ui.graph(PAGE, "map", tile_map(df, measure, lang, tile_px=118), height=640),
                        html.Div(t("township_map_note", lang), className="dkpi-note")], info, lang, missing=need),
        ui.drill_panel(PAGE, "table", t("township_table", lang),
                       ui.link_table(heads, rows, numeric={0, 3, 4, 5}, cls="ranking"), info, lang, missing=need),
    ]
    crumbs = [(t("nav_cockpit", lang), state.href("/")), (t("nav_townships", lang), None)]
    return ui.page_frame(PAGE, state, t("township_list_title", lang), crumbs, html.Div(body, className="drill-grid-2"),
                         None, demo=bool(df["is_demo"].any()) if len(df) else False, controls=[measure_tabs(state)])


@callback(Output(ids.URL, "href", allow_duplicate=True), Input(ids.drill_graph(PAGE, "map"), "clickData"),
          State(ids.drill_state(PAGE), "data"), prevent_initial_call=True)
def open_township(click, data):
    code = url.clicked(click)
    return url.from_dict(data).href(f"/townships/{code}", sort=None) if code else no_update


def snapshot(key: str, data: dict, grid_rows: list | None = None) -> dict | None:
    """Both panels show the townships in the page's order: the export writes those rows."""
    if key not in ("map", "table"):
        return None
    state = url.from_dict(data)
    return _drill.download(f"townships-{key}", COLUMNS, ranked(context.get().engine, state), state,
                          f"townships_{key}", sort=state.sort or tq.MEASURES[0])


set_period, export_panel = _drill.page_callbacks(PAGE, snapshot)
