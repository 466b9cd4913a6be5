"""One chain segment (/chains/<code>/<segment>): its indicators and trend, its firms compared (a click selects a
firm: ?firm=F001 shows that firm's years), and the firm grid; breadcrumbs lead back to the chain and the chains."""
from __future__ import annotations

import dash
import pandas as pd
from dash import html

from cockpit import context, state as url
from cockpit.components import drill as ui
from cockpit.components.firms import FIRM_COLUMNS, firm_grid
from cockpit.components.info import info_mark
from cockpit.figures import drill as charts
from cockpit.i18n import missing, t
from cockpit.pages import _drill
from cockpit.queries import chains as cq
from cockpit.queries import departments as dq
from cockpit.queries import targets
from cockpit.queries.wall import has_data

PAGE = "segment"
VALUES = [c for c in cq.CHAIN_CODES if c != "listed_firms"]
SERIES = ["scope", "scope_zh", "indicator_code", "indicator_zh", "value", "unit", "source", "period", "is_demo",
          "run_id", "loaded_at"]
COLUMNS = {"compare": ["code", "name_zh", "name_en", "segment_code", "segment_zh", "indicator_code", "value", "period",
                       "is_demo", "run_id", "loaded_at"],
           "trend": SERIES, "firm": SERIES, "firms": FIRM_COLUMNS}
dash.register_page(__name__, path_template="/chains/<code>/<segment>", order=21,  # before /chains/<code>: both match
                   title="产业链环节 · 新昌县创新服务云平台驾驶舱")


def find_segment(engine, code, seg) -> dict | None:
    segs = dq.dimension(engine, "segment")
    row = segs[(segs["code"] == seg) & (segs["chain_code"] == code)]
    return None if row.empty else row.iloc[0].to_dict()


def frames(engine, seg: dict, state: url.State) -> dict[str, pd.DataFrame]:
    indicator = state.indicator or VALUES[0]
    firm_value = indicator if indicator in cq.FIRM_CODES else cq.FIRM_CODES[0]
    firms = cq.firm_table(engine, seg["chain_code"], seg["code"], state.start, state.end)
    compare = firms.assign(indicator_code=firm_value, value=firms[firm_value]).dropna(subset=["value"])
    own = cq.series(engine, (seg["code"],), cq.CHAIN_CODES, state.start, state.end).assign(scope_zh=seg["name_zh"])
    out = {"own": own, "compare": compare.sort_values("value", ascending=False),
           "trend": own[own["indicator_code"] == indicator], "firms": firms}
    if state.firm:
        name = firms.set_index("code")["name_zh"].get(state.firm, "")
        out["firm"] = cq.series(engine, (state.firm,), (firm_value,), state.start, state.end).assign(scope_zh=name)
    return out


def _firm_panel(engine, f: dict, state: url.State, meta):
    lang = state.lang
    firm = f["firms"].set_index("code").loc[state.firm]
    code = f["compare"]["indicator_code"].iloc[0] if len(f["compare"]) else cq.FIRM_CODES[0]
    name = firm["name_en" if lang == "en" else "name_zh"]
    facts = html.Div([html.Span(f"{t('listed', lang)}: {t('yes' if firm['listed'] else 'no', lang)}"),
                      html.Span(f"{t('listed_year', lang)}: {int(firm['listed_year'])}" if pd.notna(firm["listed_year"]) else ""),
                      html.Span(f"{t('high_tech', lang)}: {t('yes' if firm['high_tech'] else 'no', lang)}")],
                     className="firm-facts")
    title = f"{t('firm_trend', lang)} · {name} · {meta.loc[code, 'name_en' if lang == 'en' else 'name_zh']}"
    fig = charts.trend(f["firm"], {state.firm: name}, lang)
    return html.Div(ui.drill_panel(PAGE, "firm", title, [facts, ui.graph(PAGE, "firm", fig, height=260)],
                                   info_mark(f["firm"], lang, meta.loc[code].to_dict()), lang, wide=True),
                    id=f"firm-{state.firm}", className="firm-anchor wide")


def known(engine, state: url.State, code, segment):
    """The segment must be one of the chain's and ?firm= one of the segment's firms in the period (else 404)."""
    seg = find_segment(engine, code, segment)
    if seg is None:
        raise url.Missing(f"segment {segment!r} of chain {code!r}")
    if state.firm and state.firm not in set(cq.firm_table(engine, code, segment, state.start, state.end)["code"]):
        raise url.Missing(f"firm {state.firm!r} in segment {segment!r}")


ROUTE = _drill.route("/chains/<code>/<segment>", cq.observation_years, known, indicators=VALUES)


def layout(code=None, segment=None, **query):
    return _drill.page(f"/chains/{code}/{segment}", query, lambda state: render(state, code, segment))


def render(state: url.State, code, segment):
    """The page for a URL that ROUTE passed (the segment and the firm exist)."""
    engine = context.get().engine
    seg = find_segment(engine, code, segment)
    f, meta, lang = frames(engine, seg, state), dq.indicators(engine), state.lang
    chain = dq.dimension(engine, "chain").set_index("code").loc[code]
    indicator = state.indicator or VALUES[0]
    ind_name = meta.loc[indicator, "name_en" if lang == "en" else "name_zh"]
    c = f["compare"]
    firm_label = lambda r: r["name_en" if lang == "en" else "name_zh"]
    code_name = meta.loc[c["indicator_code"].iloc[0], "name_en" if lang == "en" else "name_zh"] if len(c) else ""
    title = seg["name_en" if lang == "en" else "name_zh"]
    panels = [_firm_panel(engine, f, state, meta)] if state.firm else []
    firms = len(f["firms"]) > 0 or has_data(engine)["firms"]
    firm_need = missing("observations", lang, meta.loc[cq.FIRM_CODES[0], "name_en" if lang == "en" else "name_zh"])
    panels += [
        ui.drill_panel(PAGE, "compare", f"{t('firm_compare', lang)} · {code_name}", ui.graph(PAGE, "compare", charts.ranking(
            [firm_label(r) for _, r in c.iterrows()], c["value"], list(c["code"]), lang, ",.3f",
            missing=firm_need if firms else missing("firms", lang)), height=320),
            info_mark(c, lang, meta.loc[c["indicator_code"].iloc[0]].to_dict() if len(c) else None), lang),
        ui.drill_panel(PAGE, "trend", f"{t('chain_trend', lang)} · {ind_name}", ui.graph(PAGE, "trend", charts.trend(
            f["trend"], {seg["code"]: title}, lang, missing=missing("observations", lang, ind_name)), height=320),
            info_mark(f["trend"], lang, meta.loc[indicator].to_dict()), lang),
        ui.drill_panel(PAGE, "firms", t("firms", lang), firm_grid(PAGE, f["firms"], state),
                       info_mark(f["firms"], lang, definition=t("def_firms", lang)), lang, wide=True,
                       missing=None if len(f["firms"]) else "" if firms else missing("firms", lang)),
    ]
    crumbs = [(t("nav_cockpit", lang), state.href("/")), (t("nav_chains", lang), state.href("/chains")),
              (chain["name_en" if lang == "en" else "name_zh"], state.href(f"/chains/{code}")), (title, None)]
    tiles = ui.indicator_tiles(f["own"], VALUES, meta, lang, goals=targets.for_scope(engine, f["own"], seg["code"], meta))
    available = set(f["own"]["indicator_code"])
    return ui.page_frame(PAGE, state, title, crumbs, [tiles, html.Div(panels, className="drill-grid-2")],
                         list(cq.observation_years(engine)), demo=bool(f["own"]["is_demo"].any()),
                         controls=[ui.indicator_tabs(state, VALUES, meta, available)])


select_firm = _drill.click_sets(PAGE, "compare", "firm")


def snapshot(key: str, data: dict, grid_rows: list | None = None) -> dict | None:
    """The download of panel `key` in the view `data`: its rows as shown (the grid's: filtered, sorted)."""
    state, engine = url.from_dict(data), context.get().engine
    _, _, code, seg_code = state.path.split("/", 3)
    seg = find_segment(engine, code, seg_code)
    if key not in COLUMNS or seg is None:
        return None
    frame = frames(engine, seg, state).get(key, pd.DataFrame(columns=COLUMNS[key]))
    if key == "firms":
        frame = _drill.as_shown(frame, grid_rows)
    return _drill.download(f"segment-{key}", COLUMNS[key], frame, state, f"{seg_code}_{key}", chain=code,
                          segment=seg_code, firm=state.firm, indicator=state.indicator)


set_period, export_panel = _drill.page_callbacks(PAGE, snapshot, grid=True)
