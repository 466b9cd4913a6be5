"""One department (/departments/<code>): its cases by month, on-time rate, processing-time distribution, its
innovation matters with volumes (a bar click filters the cases to one matter), the resources it provides, and
its latest cases in a sortable, filterable grid; every panel exports exactly what it shows."""
from __future__ import annotations

import dash
import pandas as pd
from dash import html

from cockpit import context, state as url
from cockpit.components import drill as ui
from cockpit.components.info import info_mark
from cockpit.components import reporting as reporting_ui
from cockpit.figures import drill as charts
from cockpit.i18n import missing, t
from cockpit.pages import _drill
from cockpit.queries import chains as cq
from cockpit.queries import departments as dq
from cockpit.queries import reporting as rq
from cockpit.queries import targets
from cockpit.queries.wall import has_data

PAGE = "department"
RUN = ["is_demo", "run_id", "loaded_at"]
DEPT = ["department_code", "department_zh"]
COLUMNS = {
    "monthly": DEPT + ["month", "submitted", "handled", "on_time", "on_time_rate"] + RUN,
    "ontime": DEPT + ["month", "handled", "on_time", "on_time_rate"] + RUN,
    "days": DEPT + ["range", "cases"] + RUN,
    "matters": ["matter_code", "matter_zh", "matter_en"] + DEPT + ["section", "promised_days", "submitted",
                                                                   "completed"] + RUN,
    "resources": ["code", "name_zh", "name_en", "type_code", "type_zh", "provider"] + DEPT + ["chain_code",
                                                                                         "chain_zh", "source"] + RUN,
    "cases": ["case_no", "matter_code", "matter_zh"] + DEPT + ["submitted_at", "completed_at", "due_at", "status",
                                                                "days", "on_time", "source"] + RUN,
}
dash.register_page(__name__, path_template="/departments/<code>", order=11, title="部门 · 新昌县创新服务云平台驾驶舱")


def department(engine, code) -> dict | None:
    return dq.dimension_row(engine, "department", code)


def frames(engine, dept: dict, state: url.State) -> dict[str, pd.DataFrame]:
    """Every panel's rows for this view: what the layout draws and what its export writes."""
    code, span = dept["code"], (state.start, state.end)
    names = {"department_code": code, "department_zh": dept["name_zh"]}
    months = dq.department_months(engine, code, *span).assign(**names)
    return {"monthly": months, "ontime": months[months["handled"] > 0],
            "days": dq.processing_days(engine, code, *span).assign(**names),
            "matters": dq.matter_volumes(engine, code, *span).assign(**names),
            "resources": dq.resources(engine, code, None),
            "cases": dq.cases(engine, code, *span, state.matter).assign(department_zh=dept["name_zh"]),
            # the figures the department itself reports (its own scope), each with its provenance and revisions
            "own": cq.series(engine, (code,), tuple(dq.indicators(engine).index), *span)}


def _grid(df: pd.DataFrame, state: url.State):
    lang = state.lang
    hrefs = {m: state.href(matter=m) for m in set(df["matter_code"])}  # 20 matters, not 500 hrefs
    labels = {s: t(f"status_{s}", lang) for s in set(df["status"])}
    yes, no = t("yes", lang), t("no", lang)
    submitted = df["submitted_at"].dt.strftime("%Y-%m-%d %H:%M").tolist()
    days = df["days"].astype(object).where(df["days"].notna(), None).tolist()
    rows = [{"case_no": c, "matter": m, "matter_href": hrefs[code], "submitted": at, "status_label": labels[st],
             "days": d, "on_time_label": "" if pd.isna(ok) else (yes if ok else no)}
            for c, m, code, at, st, d, ok in zip(df["case_no"], df["matter_en" if lang == "en" else "matter_zh"],
                                                 df["matter_code"], submitted, df["status"], days, df["on_time"])]
    cols = [{"field": "case_no", "headerName": t("case_no", lang)},
            {"field": "matter", "headerName": t("matter", lang), "cellRenderer": "DrillLink",
             "cellRendererParams": {"hrefField": "matter_href"}, "minWidth": 220},
            {"field": "submitted", "headerName": t("submitted_at", lang), "sort": "desc", "cellDataType": "text"},
            {"field": "status_label", "headerName": t("status", lang)},
            {"field": "days", "headerName": t("days", lang), "filter": "agNumberColumnFilter"},
            {"field": "on_time_label", "headerName": t("on_time_col", lang)}]
    return ui.grid(PAGE, cols, rows, "case_no")


def _totals(months: pd.DataFrame) -> dict:
    """The tiles' figures: cases completed in the period, the on-time rate, mean processing days (the monthly
    rows already hold them; a separate ranking query would scan the same cases again)."""
    handled, on_time, days_n = (int(months[c].sum()) for c in ("handled", "on_time", "days_n"))
    return {"handled": handled, "on_time_rate": round(100 * on_time / handled, 2) if handled else float("nan"),
            "avg_days": round(float(months["days_sum"].sum()) / days_n, 2) if days_n else float("nan")}


def _body(engine, dept: dict, state: url.State, f: dict) -> list:
    lang, catalogue = state.lang, dq.indicators(engine).to_dict("index")
    ind = catalogue.get
    row = _totals(f["monthly"])
    tile = lambda key, value, unit, frame, code=None, **kw: ui.kpi_tile(t(key, lang), value, unit,
                                                                     info_mark(frame, lang, ind(code), **kw))
    fmt = lambda v, p: "—" if pd.isna(v) else f"{v:,.{p}f}"
    period = f"{state.start or '…'} – {state.end or '…'}"
    tiles = html.Div([
        tile("handled_col", fmt(row["handled"], 0), t("cases_unit", lang), f["monthly"], "matters_handled", period=period),
        tile("on_time_rate", fmt(row["on_time_rate"], 1), "%", f["ontime"], "on_time_rate", period=period),
        tile("avg_days", fmt(row["avg_days"], 1), "", f["days"], "avg_processing_days", period=period),
        tile("dept_kpi_matters", str(len(f["matters"])), "", f["matters"], definition=t("def_matters", lang)),
        tile("dept_kpi_resources", str(len(f["resources"])), "", f["resources"], definition=t("def_resources", lang)),
    ], className="dkpi-row")
    own = f["own"]
    if not own.empty:  # its reported figures: the latest of each, 已修订 and its ⓘ where a load revised one
        meta = dq.indicators(engine)
        codes = [c for c in meta.index if c in set(own["indicator_code"])]
        tiles = html.Div([tiles, html.Div(t("dept_reported", lang), className="dkpi-caption"), ui.indicator_tiles(
            own, codes, meta, lang, goals=targets.for_scope(engine, own, dept["code"], meta))], className="dkpi-group")
    m = f["matters"]
    matter_names = list(m["matter_en" if lang == "en" else "matter_zh"])
    res = f["resources"]
    res_rows = [[r.code, r.name_en if lang == "en" else r.name_zh, r.type_en if lang == "en" else r.type_zh, r.provider,
                 ui.link(state, f"/chains/{r.chain_code}", r.chain_en if lang == "en" else r.chain_zh)
                 if isinstance(r.chain_code, str) else "—"] for r in res.itertuples(index=False)]
    filt = [html.Span([f"{t('matter_filter', lang)}: {state.matter} ", ui.link(state, None, t("clear", lang), matter=None)],
                      className="filter-chip")] if state.matter else []
    panel = lambda key, title, body, info, **kw: ui.drill_panel(PAGE, key, title, body, info, lang, **kw)
    have = has_data(engine)  # what an empty panel says is missing: nothing loaded yet, or this period
    cases = "" if have["cases"] else missing("cases", lang)
    matters = cases if have["matters"] else missing("matters", lang)
    res_body = ui.link_table(["", t("resource", lang), t("type", lang), t("provider", lang), t("chain", lang)],
                             res_rows) if res_rows else ui.no_data(lang, "" if have["resources"] else missing("resources", lang))
    return [tiles, html.Div([
        panel("monthly", t("cases_over_time", lang), ui.graph(PAGE, "monthly", charts.monthly_cases(
            f["monthly"], f["ontime"], lang, missing=cases)), info_mark(f["monthly"], lang, ind("matters_handled")), wide=True),
        panel("ontime", t("on_time_trend", lang), ui.graph(PAGE, "ontime", charts.rate_line(
            f["ontime"], targets.value_for(engine, "on_time_rate", dept["code"]),
            lang, missing=cases)), info_mark(f["ontime"], lang, ind("on_time_rate"))),
        panel("days", t("processing_dist", lang), ui.graph(PAGE, "days", charts.histogram(f["days"], lang,
                                                                                                  missing=cases)),
              info_mark(f["days"], lang, ind("avg_processing_days"), definition=t("def_days", lang), period=period)),
        panel("matters", t("dept_matters", lang), ui.graph(PAGE, "matters", charts.ranking(
            matter_names, m["submitted"], list(m["matter_code"]), lang, missing=matters), height=max(240, 30 * len(m) + 40)),
              info_mark(m, lang, definition=t("def_matters", lang), period=period)),
        panel("reporting", t("rep_record", lang), reporting_ui.record(rq.department_record(engine, dept["code"]), lang),
              info_mark(None, lang, definition=t("def_reporting", lang)), export=False),
        panel("resources", t("dept_resources", lang), res_body, info_mark(res, lang, definition=t("def_resources", lang))),
        panel("cases", t("latest_cases", lang), [*filt, _grid(f["cases"], state)],
              info_mark(f["cases"], lang, definition=t("def_cases", lang)), wide=True,
              missing=cases if f["cases"].empty else None),
    ], className="drill-grid-2")]


def known(engine, state: url.State, code):
    """The department must exist (else 404) and ?matter= be one of its matters in the period (else 400)."""
    if department(engine, code) is None:
        raise url.Missing(f"department {code!r}")
    if state.matter and state.matter not in set(dq.matter_volumes(engine, code, state.start, state.end)["matter_code"]):
        raise url.BadParam("bad_value", name="matter", value=state.matter)


ROUTE = _drill.route("/departments/<code>", dq.case_years, known)


def layout(code=None, **query):
    return _drill.page(f"/departments/{code}", query, lambda state: render(state, code))


def render(state: url.State, code):
    """The page for a URL that ROUTE passed (the department and the matter exist)."""
    engine = context.get().engine
    dept = department(engine, code)
    f = frames(engine, dept, state)
    lang = state.lang
    title = dept["name_en"] if lang == "en" else dept["name_zh"]
    crumbs = [(t("nav_cockpit", lang), state.href("/")), (t("nav_departments", lang), state.href("/departments")),
              (title, None)]
    demo = any(bool(x["is_demo"].any()) for x in f.values() if not x.empty)
    return ui.page_frame(PAGE, state, title, crumbs, _body(engine, dept, state, f), list(dq.case_years(engine)), demo)


filter_matter = _drill.click_sets(PAGE, "matters", "matter")


def snapshot(key: str, data: dict, grid_rows: list | None = None) -> dict | None:
    """The download of panel `key` in the view `data`: its rows as shown (the grid's: filtered, sorted)."""
    state = url.from_dict(data)
    engine = context.get().engine
    dept = department(engine, state.path.rsplit("/", 1)[-1])
    if key not in COLUMNS or dept is None:
        return None
    frame = frames(engine, dept, state)[key]
    if key == "cases":
        frame = _drill.as_shown(frame, grid_rows, "case_no")
    return _drill.download(f"department-{key}", COLUMNS[key], frame, state, f"{dept['code']}_{key}",
                          department=dept["code"], matter=state.matter if key == "cases" else None)


set_period, export_panel = _drill.page_callbacks(PAGE, snapshot, grid=True)
