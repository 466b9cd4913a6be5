"""One industry chain (/chains/<code>): its indicators, its segments compared and by year (a click opens the
segment), a segment table, its firms in a grid (each links to its segment page) and the resources serving it."""
from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, callback, html, no_update

from cockpit import context, ids, state as url
from cockpit.components import drill as ui
from cockpit.components.firms import FIRM_COLUMNS, firm_grid
from cockpit.components.info import info_mark
from cockpit.figures import drill as charts
from cockpit.figures.annotations import add_markers
from cockpit.i18n import missing, t
from cockpit.pages import _drill
from cockpit.queries import annotations as notes
from cockpit.queries import chains as cq
from cockpit.queries import targets
from cockpit.queries import departments as dq
from cockpit.queries.wall import has_data

PAGE = "chain"
VALUES = [c for c in cq.CHAIN_CODES if c != "listed_firms"]  # listed firms are counted per chain only
RUN = ["period", "is_demo", "run_id", "loaded_at"]
SEGMENT = ["segment_code", "segment_zh", "segment_en", "chain_code"]
COLUMNS = {
    "segments": SEGMENT + ["indicator_code", "value"] + RUN,
    "trend": ["scope", "segment_zh", "indicator_code", "indicator_zh", "value", "unit", "source"] + RUN,
    "segtable": SEGMENT + VALUES + ["firms", "listed_count", "high_tech_count"] + RUN,
    "firms": FIRM_COLUMNS,
    "resources": ["code", "name_zh", "name_en", "type_code", "type_zh", "provider", "department_code",
                  "department_zh", "chain_code", "chain_zh", "source", "is_demo", "run_id", "loaded_at"],
}
dash.register_page(__name__, path_template="/chains/<code>", order=22, title="产业链 · 新昌县创新服务云平台驾驶舱")


def chain(engine, code) -> dict | None:
    return dq.dimension_row(engine, "chain", code)


def frames(engine, code: str, state: url.State) -> dict[str, pd.DataFrame]:
    """Every panel's rows for this view (the layout draws them, the export writes them)."""
    indicator = state.indicator or VALUES[0]
    table = cq.scope_table(engine, "segment", code, state.start, state.end)
    names = dict(zip(table["segment_code"], table["segment_zh"]))
    values = cq.series(engine, tuple(table["segment_code"]), cq.CHAIN_CODES, state.start, state.end)  # the table's
    trend = values[values["indicator_code"] == indicator].reset_index(drop=True)
    trend = trend.assign(segment_zh=trend["scope"].map(names))
    segments = table.assign(indicator_code=indicator, value=table[indicator]).dropna(subset=["value"])
    return {"own": cq.series(engine, (code,), cq.CHAIN_CODES, state.start, state.end),
            "segments": segments.sort_values("value", ascending=False), "trend": trend, "segtable": table,
            "firms": cq.firm_table(engine, code, None, state.start, state.end),
            "resources": dq.resources(engine, None, code)}


def _body(engine, state: url.State, f: dict) -> html.Div:
    lang, meta = state.lang, dq.indicators(engine)
    indicator = state.indicator or VALUES[0]
    ind, title = meta.loc[indicator].to_dict(), meta.loc[indicator, "name_en" if lang == "en" else "name_zh"]
    seg = f["segtable"]
    label = lambda r: r["segment_en" if lang == "en" else "segment_zh"]
    records = seg.to_dict("records")
    labels = {r["segment_code"]: label(r) for r in records}
    s = f["segments"]
    cols = [("rd_spending", 2), ("patents_granted", 0), ("invention_patents", 0), ("high_tech_firms", 0),
            ("talent_introduced", 0)]
    seg_rows = [[ui.link(state, f"/chains/{r['chain_code']}/{r['segment_code']}", label(r))]
                + ["—" if pd.isna(r[c]) else f"{r[c]:,.{p}f}" for c, p in cols] + [r["firms"]] for r in records]
    res = f["resources"]
    res_rows = [[r.code, r.name_en if lang == "en" else r.name_zh, r.type_en if lang == "en" else r.type_zh,
                 r.provider, ui.link(state, f"/departments/{r.department_code}", r.department_en if lang == "en"
                                     else r.department_zh) if isinstance(r.department_code, str) else "—"]
                for r in res.itertuples(index=False)]
    panel = lambda key, name, body, info, **kw: ui.drill_panel(PAGE, key, name, body, info, lang, **kw)
    have, need = has_data(engine), missing("observations", lang, title)
    res_body = ui.link_table(["", t("resource", lang), t("type", lang), t("provider", lang), t("department", lang)],
                             res_rows) if res_rows else ui.no_data(lang, "" if have["resources"] else missing("resources", lang))
    return html.Div([
        panel("segments", f"{t('segment_compare', lang)} · {title}", ui.graph(PAGE, "segments", charts.ranking(
            [labels[x] for x in s["segment_code"]], s["value"], list(s["segment_code"]), lang, ",.2f", missing=need),
            height=300), info_mark(s, lang, ind)),
        panel("trend", f"{t('chain_trend', lang)} · {title}", ui.graph(PAGE, "trend", _marked(engine, charts.trend(
            f["trend"], labels, lang, missing=need), f["trend"], state), height=300), info_mark(f["trend"], lang, ind)),
        panel("segtable", t("segments", lang), ui.link_table(
            [t("segment", lang)] + [meta.loc[c, "name_en" if lang == "en" else "name_zh"] for c, _ in cols]
            + [t("firm_count", lang)], seg_rows, numeric=set(range(1, 7))), info_mark(seg, lang), wide=True,
            missing=None if seg[VALUES].notna().to_numpy().any() else missing("observations", lang, t("chain_values", lang))),
        panel("firms", t("firms", lang), firm_grid(PAGE, f["firms"], state),
              info_mark(f["firms"], lang, definition=t("def_firms", lang)), wide=True,
              missing=None if len(f["firms"]) else "" if have["firms"] else missing("firms", lang)),
        panel("resources", t("chain_resources", lang), res_body,
              info_mark(res, lang, definition=t("def_resources", lang)), wide=True),
    ], className="drill-grid-2")


def _marked(engine, fig, trend: pd.DataFrame, state: url.State):
    """The chain's (and the county's) annotations as markers on its yearly trend."""
    if trend.empty:
        return fig
    years = list(dict.fromkeys(str(p) for p in trend["period"]))
    chain_code = state.path.rsplit("/", 1)[-1]
    return add_markers(fig, notes.annotations(engine, chain_code, years[0], years[-1]), state.lang, years)


def known(engine, state: url.State, code):
    if chain(engine, code) is None:
        raise url.Missing(f"chain {code!r}")


ROUTE = _drill.route("/chains/<code>", cq.observation_years, known, indicators=VALUES)


def layout(code=None, **query):
    return _drill.page(f"/chains/{code}", query, lambda state: render(state, code))


def render(state: url.State, code):
    """The page for a URL that ROUTE passed (the chain exists)."""
    engine = context.get().engine
    row = chain(engine, code)
    lang, f, meta = state.lang, frames(engine, code, state), dq.indicators(engine)
    title = row["name_en" if lang == "en" else "name_zh"]
    crumbs = [(t("nav_cockpit", lang), state.href("/")), (t("nav_chains", lang), state.href("/chains")), (title, None)]
    tiles = ui.indicator_tiles(f["own"], cq.CHAIN_CODES, meta, lang, goals=targets.for_scope(engine, f["own"], code, meta))
    available = cq.observed(engine, tuple(f["segtable"]["segment_code"]), tuple(VALUES))
    return ui.page_frame(PAGE, state, title, crumbs, [tiles, _body(engine, state, f)],
                         list(cq.observation_years(engine)), demo=bool(f["own"]["is_demo"].any()),
                         controls=[ui.indicator_tabs(state, VALUES, meta, available)])


@callback(Output(ids.URL, "href", allow_duplicate=True), Input(ids.drill_graph(PAGE, "segments"), "clickData"),
          Input(ids.drill_graph(PAGE, "trend"), "clickData"), State(ids.drill_state(PAGE), "data"),
          prevent_initial_call=True)
def open_segment(segments_click, trend_click, data):
    code, state = url.clicked(dash.ctx.triggered[0]["value"] if dash.ctx.triggered else None), url.from_dict(data)
    chain_code = state.path.rsplit("/", 1)[-1]
    return state.href(f"/chains/{chain_code}/{code}", indicator=state.indicator) if code else no_update


def snapshot(key: str, data: dict, grid_rows: list | None = None) -> dict | None:
    """The download of panel `key` in the view `data`: its rows as shown (the grid's: filtered, sorted)."""
    state = url.from_dict(data)
    code = state.path.rsplit("/", 1)[-1]
    if key not in COLUMNS or chain(context.get().engine, code) is None:
        return None
    frame = frames(context.get().engine, code, state)[key]
    if key == "firms":
        frame = _drill.as_shown(frame, grid_rows)
    return _drill.download(f"chain-{key}", COLUMNS[key], frame, state, f"{code}_{key}", chain=code,
                          indicator=state.indicator or VALUES[0] if key in ("segments", "trend") else None)


set_period, export_panel = _drill.page_callbacks(PAGE, snapshot, grid=True)
