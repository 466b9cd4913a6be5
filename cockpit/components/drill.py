"""Layout factories of the drill-down pages: the page frame (header, nav, breadcrumbs, period filter), panels
with an ⓘ and an export button, KPI tiles, link tables, the AG Grid, and the friendly 404/400 page. No callbacks."""
from __future__ import annotations

import dash_ag_grid as dag
from dash import dcc, html

from cockpit import ids
from cockpit.components.kpi import target_text
from cockpit.components.info import info_mark
from cockpit.components.panel import GRAPH_CONFIG
from cockpit.state import BadParam, State, lang_only
from cockpit.i18n import t, unit as unit_label

GRID_THEME = ("themeQuartz.withParams({backgroundColor: '#061634', foregroundColor: '#d8ecff', accentColor: '#29d8ff',"
              " headerBackgroundColor: '#0b2a5c', borderColor: 'rgba(41,216,255,0.22)', browserColorScheme: 'dark',"
              " oddRowBackgroundColor: 'rgba(41,216,255,0.04)', fontSize: 15, fontFamily: 'inherit'})")


def _nav(state: State):
    other = "en" if state.lang == "zh" else "zh"
    links = [("nav_cockpit", "/"), ("nav_departments", "/departments"), ("nav_chains", "/chains"),
             ("nav_townships", "/townships")]
    return html.Nav([dcc.Link(t(k, state.lang), href=State(path=p, lang=state.lang).href(), className="drill-nav-link")
                     for k, p in links]
                    + [dcc.Link(t("lang_switch", state.lang), href=state.href(lang=other), className="drill-lang")],
                    className="drill-nav")


def link(state: State, path: str | None, label: str, **changes):
    """A real <a href> to `path` (or to this view with `changes`), keeping the language and period."""
    return dcc.Link(label, href=state.href(path, **changes), className="drill-link")


def breadcrumbs(items: list[tuple[str, str | None]]):
    """Crumbs from the top: (label, href) with href None for the page itself."""
    parts = []
    for i, (label, href) in enumerate(items):
        if i:
            parts.append(html.Span("›", className="crumb-sep"))
        parts.append(dcc.Link(label, href=href, className="crumb") if href else html.Span(label, className="crumb here"))
    return html.Div(parts, className="breadcrumbs")


def period_filter(page: str, state: State, years: list[str]):
    options = [{"label": y, "value": y} for y in years]
    pick = lambda end, value: dcc.Dropdown(id=ids.drill_period(page, end), options=options, value=value,
                                           placeholder=t("all_years", state.lang), clearable=True, searchable=False,
                                           className="period-pick")
    return html.Div([html.Span(t("period", state.lang), className="period-label"), pick("from", state.start),
                     html.Span("–", className="period-dash"), pick("to", state.end),
                     dcc.Link(t("reset", state.lang), href=state.href(start=None, end=None), className="period-reset")],
                    className="period-filter")


def page_frame(page: str, state: State, title: str, crumbs, body, years, demo: bool = False, controls=None):
    return html.Div([
        dcc.Store(id=ids.drill_state(page), data=state.to_dict()),
        html.Header([html.Div([html.H1(title), breadcrumbs(crumbs)], className="drill-title"),
                     html.Div([html.Span(t("demo", "zh"), className="demo-mark") if demo else None, _nav(state)],
                              className="drill-head-right")], className="drill-header"),
        html.Div([period_filter(page, state, years) if years is not None else None, *(controls or []),
                  html.Span(t("click_hint", state.lang), className="drill-hint")], className="drill-toolbar"),
        html.Main(body, className="drill-body"),
    ], className=f"drill lang-{state.lang}", id=f"drill-{page}", **{"data-view": state.href()})


def no_data(lang: str, missing: str = ""):
    """The text box a table or grid without rows shows instead: 暂无数据, what is missing, which source loads it."""
    return html.Div([html.Div(t("no_data", lang), className="no-data-title")]
                    + [html.Div(part, className="no-data-need") for part in missing.split(" · ") if part],
                    className="no-data", role="note")


def drill_panel(page: str, key: str, title: str, body, info, lang: str, wide: bool = False, export: bool = True,
                missing: str | None = None):
    """A titled panel; with `missing` (None: the data is there) it says what is missing above its body."""
    if missing is not None:
        body = [no_data(lang, missing), *(body if isinstance(body, list) else [body])]
    tools = [info]
    if export:
        tools += [html.Button(t("export", lang), id=ids.drill_export(page, key), className="export-btn", n_clicks=0),
                  dcc.Download(id=ids.drill_download(page, key))]
    return html.Section([html.Div([html.H2(title, className="dpanel-title"), html.Div(tools, className="dpanel-tools")],
                                  className="dpanel-head"), html.Div(body, className="dpanel-body")],
                        className="dpanel wide" if wide else "dpanel", id=f"drill-{page}-panel-{key}")


def graph(page: str, key: str, figure, height: int = 340):
    return dcc.Graph(id=ids.drill_graph(page, key), figure=figure, config=GRAPH_CONFIG, style={"height": f"{height}px"})


def kpi_tile(label: str, value: str, unit: str, info, note: str = "", goal: tuple[str, str] = ("", "none")):
    """A drill-down tile; `goal` is its scope's target lines and class (cockpit.components.kpi.target_text)."""
    return html.Div([html.Div([html.Span(label, className="dkpi-label"), info], className="dkpi-head"),
                     html.Div([html.Span(value, className="dkpi-value"), html.Span(unit, className="dkpi-unit")]),
                     html.Div(note, className="dkpi-note")]
                    + ([html.Div(goal[0], className=f"kpi-targets dkpi-targets {goal[1]}")] if goal[0] else []),
                    className="dkpi")


def link_table(headers: list[str], rows: list[list], numeric: set[int] = frozenset(), cls: str = ""):
    """A plain table whose cells may be links (dcc.Link renders a real <a href>)."""
    head = html.Thead(html.Tr([html.Th(h, className="num" if i in numeric else None) for i, h in enumerate(headers)]))
    body = html.Tbody([html.Tr([html.Td(c, className="num" if i in numeric else None) for i, c in enumerate(r)])
                       for r in rows])
    return html.Div(html.Table([head, body], className=f"dtable {cls}".strip()), className="dtable-wrap")


def grid(page: str, columns: list[dict], rows: list[dict], row_id: str):
    """A sortable, filterable AG Grid; rows carry their own hrefs for the DrillLink cell renderer."""
    return dag.AgGrid(id=ids.drill_grid(page), columnDefs=columns, rowData=rows, columnSize="responsiveSizeToFit",
                      defaultColDef={"sortable": True, "filter": True, "resizable": True, "floatingFilter": True,
                                     "minWidth": 90},
                      dashGridOptions={"theme": {"function": GRID_THEME}, "pagination": True, "paginationPageSize": 15,
                                       "paginationPageSizeSelector": False, "animateRows": False, "domLayout": "autoHeight"},
                      getRowId=f"params.data.{row_id}", style={"height": None}, className="drill-grid")


def error_page(code: int, message: str, lang: str):
    """The friendly 404/400 page in the cockpit's style, as a Dash layout (the app shell stays)."""
    key = {404: "e404", 403: "e403"}.get(code, "e400")
    home = State(path="/", lang=lang)
    return html.Div(html.Div([
        html.H1(f"{code} · {t(key, lang)}"), html.P(t("e404_text", lang) if code == 404 else "", className="error-lead"),
        html.P(message, className="error-detail"),
        html.Div([dcc.Link(t("back_home", lang), href=home.href()), dcc.Link(t("nav_departments", lang),
                  href=home.href("/departments")), dcc.Link(t("nav_chains", lang), href=home.href("/chains"))],
                 className="error-links"),
    ], className="error-box", id=f"error-{code}"), className=f"drill drill-error lang-{lang}")


def indicator_tabs(state: State, codes, meta, available) -> html.Div:
    """Links that switch the page's indicator (?indicator=): the choice lives in the URL, like every other."""
    current = state.indicator or codes[0]
    return html.Div([html.Span(t("indicator", state.lang), className="period-label")] + [
        dcc.Link(meta.loc[c, "name_en" if state.lang == "en" else "name_zh"], href=state.href(indicator=c),
                 className="tab here" if c == current else "tab") for c in codes if c in available],
        className="indicator-tabs")


def indicator_tiles(values, codes, meta, lang: str, extra=(), goals: dict | None = None):
    """A KPI tile per indicator: the latest value in `values` (one scope's series), with its provenance, and its
    scope's own targets where `goals` (cockpit.queries.targets.for_scope) has them."""
    # Each indicator's newest row, found once (filtering the frame per indicator cost more than the SQL).
    where, periods = {}, values["period"].tolist()
    for i, code in enumerate(values["indicator_code"]):
        if code not in where or periods[i] > periods[where[code]]:
            where[code] = i
    catalogue = meta.to_dict("index")
    tiles = []
    for code in codes:
        if code not in where:  # not loaded yet: a dash that says so, the tile stays in its place
            ind = catalogue[code]
            tiles.append(kpi_tile(ind["name_en" if lang == "en" else "name_zh"], "—", unit_label(ind["unit"], lang, code),
                                  info_mark(None, lang, ind), note=t("no_data", lang)))
            continue
        row, ind = values.iloc[where[code]], catalogue[code]
        places = 2 if ind["unit"] in ("%", "亿元") else 0
        tiles.append(kpi_tile(ind["name_en" if lang == "en" else "name_zh"], f"{row['value']:,.{places}f}",
                              unit_label(ind["unit"], lang, code), info_mark(values.iloc[[where[code]]], lang, ind),
                              note=str(row["period"]),
                              goal=target_text(goals[code], lang) if goals and code in goals else ("", "none")))
    return html.Div(tiles + list(extra), className="dkpi-row")


def bad_request_page(exc: BadParam, query: dict):
    """The 400 page for a bad query value, saying what is wrong in the language the query asked for."""
    lang = lang_only(query)
    return error_page(400, exc.text(lang), lang)
