"""Industry chains (产业链): the six chains compared on one indicator (?indicator=) in the chosen years, their
trend, and a table of R&D, patents, listed and high-tech firms, talent and resources; a click opens a chain."""
from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, callback, html, no_update

from cockpit import context, ids, state as url
from cockpit.components import drill as ui
from cockpit.components.info import info_mark
from cockpit.figures import drill as charts
from cockpit.i18n import missing, t
from cockpit.pages import _drill
from cockpit.queries import chains as cq
from cockpit.queries import departments as dq

PAGE = "chains"
VALUES = list(cq.CHAIN_CODES)
RUN = ["period", "is_demo", "run_id", "loaded_at"]
COLUMNS = {
    "compare": ["chain_code", "chain_zh", "chain_en", "indicator_code", "indicator_zh", "value", "unit"] + RUN,
    "trend": ["scope", "chain_zh", "indicator_code", "indicator_zh", "value", "unit", "source"] + RUN,
    "table": ["chain_code", "chain_zh", "chain_en", *VALUES, "firms", "listed_count", "high_tech_count",
              "resources"] + RUN,
}
dash.register_page(__name__, path="/chains", order=20, title="产业链 · 新昌县创新服务云平台驾驶舱")


def frames(engine, state: url.State) -> dict[str, pd.DataFrame]:
    """Every panel's rows for this view (the layout draws them, the export writes them)."""
    table = cq.scope_table(engine, "chain", None, state.start, state.end)
    indicator = state.indicator or VALUES[0]
    trend = cq.series(engine, tuple(table["chain_code"]), (indicator,), state.start, state.end)
    trend = trend.merge(table[["chain_code", "chain_zh"]], left_on="scope", right_on="chain_code").drop(columns="chain_code")
    last = trend.sort_values("period").groupby("scope").tail(1).set_index("scope")
    compare = table[table["chain_code"].isin(last.index)].copy()
    compare = compare.assign(value=compare["chain_code"].map(last["value"]), indicator_code=indicator,
                             indicator_zh=last["indicator_zh"].iloc[0] if len(last) else "",
                             unit=last["unit"].iloc[0] if len(last) else "",
                             period=compare["chain_code"].map(last["period"]))
    return {"compare": compare.sort_values("value", ascending=False), "trend": trend, "table": table}


def _cell(value, places: int = 0) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:,.{places}f}"


def _table(df: pd.DataFrame, state: url.State):
    lang = state.lang
    cols = [("rd_spending", 2), ("patents_granted", 0), ("invention_patents", 0), ("high_tech_firms", 0),
            ("listed_firms", 0), ("talent_introduced", 0)]
    meta = dq.indicators(context.get().engine)
    heads = [t("chain", lang)] + [meta.loc[c, "name_en" if lang == "en" else "name_zh"] for c, _ in cols] + [
        t("firm_count", lang), t("resources_count", lang)]
    rows = [[ui.link(state, f"/chains/{r['chain_code']}", r["chain_en" if lang == "en" else "chain_zh"])]
            + [_cell(r[c], p) for c, p in cols] + [r["firms"], r["resources"]] for _, r in df.iterrows()]
    return ui.link_table(heads, rows, numeric=set(range(1, len(heads))))


ROUTE = _drill.route("/chains", cq.observation_years, indicators=VALUES)


def layout(**query):
    return _drill.page("/chains", query, render)


def render(state: url.State):
    """The page for a valid URL (its codes may still name nothing: the 404 layout)."""
    lang, engine = state.lang, context.get().engine
    f, meta = frames(engine, state), dq.indicators(engine)
    indicator = state.indicator or VALUES[0]
    ind = meta.loc[indicator].to_dict()
    labels = {r["chain_code"]: r["chain_en" if lang == "en" else "chain_zh"] for _, r in f["table"].iterrows()}
    c = f["compare"]
    title = ind["name_en" if lang == "en" else "name_zh"]
    period = f"{state.start or '…'} – {state.end or '…'}"
    need = missing("observations", lang, title)
    values = f["table"][VALUES].notna().to_numpy().any()
    body = html.Div([
        ui.drill_panel(PAGE, "compare", f"{t('chain_compare', lang)} · {title}", ui.graph(PAGE, "compare", charts.ranking(
            [labels[x] for x in c["chain_code"]], c["value"], list(c["chain_code"]), lang, ",.2f", missing=need)),
            info_mark(c, lang, ind), lang),
        ui.drill_panel(PAGE, "trend", f"{t('chain_trend', lang)} · {title}", ui.graph(PAGE, "trend", charts.trend(
            f["trend"], labels, lang, missing=need)), info_mark(f["trend"], lang, ind), lang),
        ui.drill_panel(PAGE, "table", t("chains_title", lang), _table(f["table"], state),
                       info_mark(f["table"], lang, definition=t("def_firms", lang), period=period), lang, wide=True,
                       missing=None if values else missing("observations", lang, t("chain_values", lang))),
    ], className="drill-grid-2")
    crumbs = [(t("nav_cockpit", lang), state.href("/")), (t("nav_chains", lang), None)]
    available = cq.observed(engine, tuple(f["table"]["chain_code"]), tuple(VALUES))
    return ui.page_frame(PAGE, state, t("chains_title", lang), crumbs, body, list(cq.observation_years(engine)),
                         demo=bool(f["table"]["is_demo"].any()),
                         controls=[ui.indicator_tabs(state, VALUES, meta, available)])


@callback(Output(ids.URL, "href", allow_duplicate=True), Input(ids.drill_graph(PAGE, "compare"), "clickData"),
          Input(ids.drill_graph(PAGE, "trend"), "clickData"), State(ids.drill_state(PAGE), "data"),
          prevent_initial_call=True)
def open_chain(compare_click, trend_click, data):
    code = url.clicked(dash.ctx.triggered[0]["value"] if dash.ctx.triggered else None)
    state = url.from_dict(data)
    return state.href(f"/chains/{code}", indicator=state.indicator) if code else no_update


def snapshot(key: str, data: dict, grid_rows: list | None = None) -> dict | None:
    """The download of panel `key` in the view `data`: its rows as shown (the grid's: filtered, sorted)."""
    if key not in COLUMNS:
        return None
    state = url.from_dict(data)
    return _drill.download(f"chains-{key}", COLUMNS[key], frames(context.get().engine, state)[key], state,
                          f"chains_{key}", indicator=state.indicator or VALUES[0] if key != "table" else None)


set_period, export_panel = _drill.page_callbacks(PAGE, snapshot)
