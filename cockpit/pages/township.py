"""One township (/townships/<code>): its firms (a grid, each linking to its segment page), its innovation
resources, tiles of its counts, and where it lies on the tile map; cases are not recorded by township (a case
names its matter and department, not the applicant's township), and the page says so."""
from __future__ import annotations

import dash
import pandas as pd
from dash import html

from cockpit import context, state as url
from cockpit.components import drill as ui
from cockpit.components.firms import FIRM_COLUMNS, firm_grid
from cockpit.components.info import info_mark
from cockpit.figures.townships import tile_map
from cockpit.i18n import missing, t
from cockpit.pages import _drill
from cockpit.queries import chains as cq
from cockpit.queries import townships as tq
from cockpit.queries.wall import has_data

PAGE = "township"
RESOURCE_COLUMNS = ["code", "name_zh", "name_en", "type_code", "type_zh", "provider", "department_code",
                    "department_zh", "chain_code", "chain_zh", "source", "is_demo", "run_id", "loaded_at"]
COLUMNS = {"firms": FIRM_COLUMNS, "resources": RESOURCE_COLUMNS}
dash.register_page(__name__, path_template="/townships/<code>", order=31, title="乡镇 · 新昌县创新服务云平台驾驶舱")


def township(engine, code) -> dict | None:
    df = tq.townships(engine)
    row = df[df["code"] == code]
    return None if row.empty else row.iloc[0].to_dict()


def frames(engine, code: str, state: url.State) -> dict[str, pd.DataFrame]:
    return {"firms": tq.firms_in(engine, code, state.start, state.end), "resources": tq.resources_in(engine, code)}


def known(engine, state: url.State, code):
    if township(engine, code) is None:
        raise url.Missing(f"township {code!r}")


ROUTE = _drill.route("/townships/<code>", cq.observation_years, known)


def layout(code=None, **query):
    return _drill.page(f"/townships/{code}", query, lambda state: render(state, code))


def render(state: url.State, code):
    engine = context.get().engine
    row, lang = township(engine, code), state.lang
    f = frames(engine, code, state)
    title = row["name_en" if lang == "en" else "name_zh"]
    crumbs = [(t("nav_cockpit", lang), state.href("/")), (t("nav_townships", lang), state.href("/townships")),
              (title, None)]
    firms, res = f["firms"], f["resources"]
    have = has_data(engine)
    tile = lambda key, value, frame, **kw: ui.kpi_tile(t(key, lang), f"{value:,}", t(f"unit_{key}", lang),
                                                        info_mark(frame, lang, **kw))
    tiles = html.Div([
        tile("measure_firms", len(firms), firms, definition=t("def_firms", lang)),
        tile("measure_high_tech_firms", int(firms["high_tech"].sum()) if len(firms) else 0, firms),
        tile("measure_listed_firms", int(firms["listed"].sum()) if len(firms) else 0, firms),
        tile("measure_resources", len(res), res, definition=t("def_resources", lang)),
    ], className="dkpi-row")
    res_rows = [[r.code, r.name_en if lang == "en" else r.name_zh, r.type_en if lang == "en" else r.type_zh,
                 r.provider, ui.link(state, f"/departments/{r.department_code}", r.department_en if lang == "en"
                                     else r.department_zh) if isinstance(r.department_code, str) else "—"]
                for r in res.itertuples(index=False)]
    res_body = ui.link_table(["", t("resource", lang), t("type", lang), t("provider", lang), t("department", lang)],
                             res_rows) if res_rows else ui.no_data(lang, "" if have["resources"] else missing("resources", lang))
    panel = lambda key, name, body, info, **kw: ui.drill_panel(PAGE, key, name, body, info, lang, **kw)
    where = tq.townships(engine).assign(firms=lambda d: (d["code"] == code).astype(int))  # this one lit
    body = html.Div([
        panel("firms", t("firms", lang), firm_grid(PAGE, firms, state) if len(firms) else ui.no_data(
            lang, "" if have["firms"] else missing("firms", lang)), info_mark(firms, lang, definition=t("def_firms", lang)),
              wide=True),
        panel("resources", t("township_resources", lang), res_body,
              info_mark(res, lang, definition=t("def_resources", lang))),
        panel("where", t("township_where", lang), [ui.graph(PAGE, "where", tile_map(where, "firms", lang, tile_px=56,
                                                                                   values=False), height=340),
                                                    html.Div(t("township_no_cases", lang), className="dkpi-note")],
              info_mark(None, lang, definition=t("def_townships", lang)), export=False),
    ], className="drill-grid-2")
    return ui.page_frame(PAGE, state, title, crumbs, [tiles, body], list(cq.observation_years(engine)),
                         demo=bool(firms["is_demo"].any() or res["is_demo"].any()))


def snapshot(key: str, data: dict, grid_rows: list | None = None) -> dict | None:
    state = url.from_dict(data)
    code = state.path.rsplit("/", 1)[-1]
    if key not in COLUMNS or township(context.get().engine, code) is None:
        return None
    frame = frames(context.get().engine, code, state)[key]
    if key == "firms":
        frame = _drill.as_shown(frame, grid_rows)
    return _drill.download(f"township-{key}", COLUMNS[key], frame, state, f"{code}_{key}", township=code)


set_period, export_panel = _drill.page_callbacks(PAGE, snapshot, grid=True)
