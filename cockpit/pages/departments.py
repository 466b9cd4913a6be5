"""Departments (部门): all 33 ranked by cases handled, on-time rate or processing time in the chosen years,
each with a monthly sparkline and a link to its own page; a bar click opens the department."""
from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from cockpit import context, ids, state as url
from cockpit.components import drill as ui
from cockpit.components.info import info_mark
from cockpit.components import reporting as reporting_ui
from cockpit.figures import drill as charts
from cockpit.i18n import missing, names, t
from cockpit.pages import _drill
from cockpit.queries import departments as dq
from cockpit.queries import reporting as rq
from cockpit.queries.wall import has_data

PAGE = "departments"
SORTS = {"handled": ("handled", False), "on_time": ("on_time_rate", False), "days": ("avg_days", True)}
LABEL = {"handled": "handled_col", "on_time_rate": "on_time_rate", "avg_days": "avg_days"}
COLUMNS = ["rank", "department_code", "department_zh", "department_en", "handled", "on_time", "on_time_rate",
           "avg_days", "is_demo", "run_id", "loaded_at"]
dash.register_page(__name__, path="/departments", order=10, title="部门 · 新昌县创新服务云平台驾驶舱")


def ranked(engine, state: url.State) -> pd.DataFrame:
    """The 33 departments in the order the page shows them (the sort in the URL; ties by code)."""
    col, ascending = SORTS[state.sort or "handled"]
    df = dq.department_ranking(engine, state.start, state.end)
    df = df.sort_values([col, "handled", "code"], ascending=[ascending, False, True], na_position="last")
    df = df.reset_index(drop=True).assign(rank=lambda d: d.index + 1)
    return df.rename(columns={"code": "department_code", "name_zh": "department_zh", "name_en": "department_en"})


def _cell(value, unit: str = "", places: int = 0) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:,.{places}f}{unit}"


def _table(df: pd.DataFrame, spark: pd.DataFrame, state: url.State):
    lang = state.lang
    lines = {code: list(s["handled"]) for code, s in spark.groupby("code")}
    heads = [t("rank", lang), t("department", lang)] + [
        dcc.Link(t(label, lang) + (" ▼" if (state.sort or "handled") == key else ""), href=state.href(sort=key),
                 className="sort-link")
        for key, label in (("handled", "handled_col"), ("on_time", "on_time_rate"), ("days", "avg_days"))
    ] + [t("monthly_trend", lang)]
    rows = [[r.rank, dcc.Link(r.department_en if lang == "en" else r.department_zh,
                              href=state.href(f"/departments/{r.department_code}", sort=None), className="drill-link"),
             _cell(r.handled), _cell(r.on_time_rate, "%", 1), _cell(r.avg_days, "", 1),
             html.Img(src=charts.sparkline(lines.get(r.department_code, [])), className="spark", alt="")]
            for r in df.itertuples()]
    return ui.link_table(heads, rows, numeric={0, 2, 3, 4}, cls="ranking")


ROUTE = _drill.route("/departments", dq.case_years, sorts=SORTS)


def layout(**query):
    return _drill.page("/departments", query, render)


def render(state: url.State):
    """The page for a valid URL (its codes may still name nothing: the 404 layout)."""
    lang, engine = state.lang, context.get().engine
    df = ranked(engine, state)
    spark = dq.monthly(engine, None, state.start, state.end)
    meta = dq.indicators(engine)
    col = SORTS[state.sort or "handled"][0]
    need = None if has_data(engine)["cases"] else missing("cases", lang)  # the 33 at zero: say why
    indicator = {"handled": "matters_handled", "on_time_rate": "on_time_rate", "avg_days": "avg_processing_days"}[col]
    period = f"{state.start or '…'} – {state.end or '…'}"
    chart = charts.ranking(names(df, lang, "department"), df[col],
                                  list(df["department_code"]), lang, ",.0f" if col == "handled" else ",.1f",
                                  "%" if col == "on_time_rate" else "", missing=need or "")
    body = [
        ui.drill_panel(PAGE, "reporting", t("rep_title", lang), reporting_ui.overview(
            rq.completeness(engine), lang, lambda code: state.href(f"/departments/{code}", sort=None)),
            info_mark(None, lang, definition=t("def_reporting", lang)), lang, wide=True, export=False),
        ui.drill_panel(PAGE, "chart", f"{t('dept_chart', lang)} · {t(LABEL[col], lang)}",
                       ui.graph(PAGE, "chart", chart, height=900), info_mark(df, lang, meta.loc[indicator].to_dict(), period=period), lang),
        ui.drill_panel(PAGE, "table", t("dept_table", lang), _table(df, spark, state),
                       info_mark(df, lang, meta.loc["matters_handled"].to_dict(), period=period), lang, missing=need),
    ]
    crumbs = [(t("nav_cockpit", lang), state.href("/")), (t("nav_departments", lang), None)]
    return ui.page_frame(PAGE, state, t("dept_list_title", lang), crumbs, html.Div(body, className="drill-grid-2"),
                         list(dq.case_years(engine)), demo=bool(df["is_demo"].any()))


@callback(Output(ids.URL, "href", allow_duplicate=True), Input(ids.drill_graph(PAGE, "chart"), "clickData"),
          State(ids.drill_state(PAGE), "data"), prevent_initial_call=True)
def open_department(click, data):
    code = url.clicked(click)
    return url.from_dict(data).href(f"/departments/{code}", sort=None) if code else no_update


def snapshot(key: str, data: dict, grid_rows: list | None = None) -> dict | None:
    """Both panels show the 33 departments in the page's order: the export writes those rows."""
    if key not in ("chart", "table"):
        return None
    state = url.from_dict(data)
    return _drill.download(f"departments-{key}", COLUMNS, ranked(context.get().engine, state), state,
                          f"departments_{key}", sort=state.sort or "handled")


set_period, export_panel = _drill.page_callbacks(PAGE, snapshot)
