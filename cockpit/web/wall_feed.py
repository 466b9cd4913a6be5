"""What the wall shows for one data version: panel figures, captions, ticker and KPIs, built once per (version,
language, panels) and shared by every wall, as the first render's parts and as the refresh walls fetch."""
from __future__ import annotations

import pandas as pd
from dash import Patch
from plotly.io.json import to_json_plotly

from cockpit import components, context
from cockpit.cache import current_version, held, versioned
from cockpit.figures import wall as figures
from cockpit.figures.annotations import add_markers
from cockpit.figures.townships import tile_map
from cockpit.components import reporting as reporting_ui
from cockpit.queries import reporting
from cockpit.queries import targets
from cockpit.queries import annotations as notes
from cockpit.queries import townships
from cockpit.queries import wall as queries
from cockpit.i18n import missing, name, t
from cockpit.queries.staleness import STATES
from etl import clock

# Panel sets of the playlist (?rotate=SECONDS): (set name, label key, [(panel key, title key)]).
PANEL_SETS = [
    ("overview", "set_overview", [("rd", "rd_trend"), ("map", "township_map_wall"), ("chains", "chains"),
                                  ("depts", "dept_ranking"), ("ontime", "on_time"), ("resources", "resources")]),
    ("trends", "set_trends", [("patents", "patents"), ("enterprises", "enterprises"), ("rank", "index_rank"),
                              ("talent", "talent"), ("digital", "digital")]),
]
MAP_MEASURE = "firms"  # what the wall's township map counts (its page offers the others)
PANELS = [key for _, _, panels in PANEL_SETS for key, _ in panels]
TREND_CODES = {"patents": (["patents_granted", "invention_patents"], "bar"), "enterprises": (["high_tech_firms"], "bar"),
               "talent": (["talent_introduced"], "bar"), "digital": (["base_stations_5g"], "bar")}


def _missing(engine, codes, lang: str) -> str:
    """What an indicator panel without rows says is missing (its first indicator's name) and what loads it."""
    meta = queries.indicator_meta(engine)
    return missing("observations", lang, name(meta.loc[codes[0]], lang) if codes[0] in meta.index else codes[0])


def panel_data(engine, key: str, lang: str, today: str) -> tuple:
    """(figure, the frame it shows) for one panel key: the only place the wall maps panels to queries. A panel
    whose data is not loaded yet says which data and which source would fill it."""
    cases = queries.has_data(engine)["cases"]
    if key == "rd":
        df = queries.county_series(engine, ("rd_intensity",))
        path = targets.path(engine, "rd_intensity")  # the target path from the targets table, not a fixed line
        fig = figures.rd_trend(df, lang, path, missing=_missing(engine, ["rd_intensity"], lang))
        return _marked(engine, fig, df, lang), df
    if key == "rank":
        df = queries.county_series(engine, ("innovation_index_rank",))
        return figures.index_rank(df, lang, missing=_missing(engine, ["innovation_index_rank"], lang)), df
    if key == "chains":
        df = queries.chain_segments(engine)
        return figures.chains_treemap(df, lang, missing=_missing(engine, ["rd_spending"], lang)), df
    if key in ("depts", "ontime"):
        df = queries.department_matters(engine, today)
        if not cases:  # 33 departments at zero would read as a county that handles nothing
            return figures.empty(lang, missing("cases", lang)), df.iloc[0:0]
        if key == "depts":
            return figures.department_ranking(df, lang), df
        done = df["handled"].sum()
        target = targets.applicable(engine, "county", int(today[:4])).get("on_time_rate", {}).get("value")
        target = None if target is None or pd.isna(target) else float(target)  # the targets table's only
        return figures.on_time_gauge(100 * df["on_time"].sum() / done if done else None, target, lang), df
    if key == "map":  # the schematic township map, by firms (a tile click opens /townships/<code>)
        df = townships.townships(engine)
        if not int(df[list(townships.MEASURES)].to_numpy().sum()):
            return figures.empty(lang, missing("townships", lang)), df.iloc[0:0].assign(is_demo=False)
        prov = townships.provenance(engine)
        fig = tile_map(df, MAP_MEASURE, lang, tile_px=70, font_px=16)
        return fig, (prov if len(prov) else df.iloc[0:0].assign(is_demo=False))
    if key == "resources":
        df = queries.resources_by_type(engine)  # every type, at zero before a resource is loaded
        fig = figures.resources_donut(df, lang, missing=missing("resources", lang))
        return fig, df if fig.data else df.iloc[0:0]
    codes, kind = TREND_CODES[key]
    df = queries.county_series(engine, tuple(codes))
    return _marked(engine, figures.county_trend(df, codes, lang, kind, missing=_missing(engine, codes, lang)), df, lang), df


def _marked(engine, fig, df, lang: str):
    """The county's annotations as markers on a yearly series (none on an empty chart)."""
    if not fig.data or df.empty:
        return fig
    years = sorted({str(p)[:4] for p in df["period"]})
    return add_markers(fig, notes.annotations(engine, "county", years[0], years[-1]), lang, years)


def period_state(engine, key: str, df, lang: str, today: str) -> tuple[str | None, str | None]:
    """The data period a panel shows (its indicators' latest; the year to date for the case panels) and its worst
    staleness (current < due < overdue; None for the case panels, whose freshness is their job's)."""
    if df is None or df.empty:
        return None, None
    if key in ("depts", "ontime", "resources", "map"):
        return (f"{today[:4]} {t('ytd', lang)}" if key in ("depts", "ontime") else None), None
    meta, periods, states = queries.indicator_meta(engine), [], []
    for code, rows in (df.groupby("code", sort=False) if "code" in df else [("rd_spending", df)]):
        row = {**(meta.loc[code].to_dict() if code in meta.index else {}), **rows.iloc[-1].to_dict()}
        periods.append(str(row["period"]))
        states.append(queries.judged(row, today)["staleness"])
    worst = max((s for s in states if s), key=STATES.index, default=None)
    return max(periods, default=None), worst


def source_jobs(engine, df) -> dict:
    """source → the jobs whose runs wrote the frame's rows of it (a default source is named by its job)."""
    if df is None or df.empty or "source" not in df:
        return {}
    if "run_job" in df:  # the observation panels carry their run's job
        pairs = df[["source", "run_job"]].dropna().drop_duplicates()
        return {s: set(pairs.loc[pairs["source"] == s, "run_job"]) for s in pairs["source"].unique()}
    if "run_id" not in df:
        return {}
    pairs = df[["source", "run_id"]].dropna().drop_duplicates()
    jobs = queries.run_jobs(engine, tuple(sorted(int(r) for r in pairs["run_id"].unique())))
    out: dict = {}
    for source, run in zip(pairs["source"], pairs["run_id"]):
        if int(run) in jobs:
            out.setdefault(source, set()).add(jobs[int(run)])
    return out


def _caption(engine, key: str, df, lang: str, today: str) -> str:
    return components.caption(df, lang, *period_state(engine, key, df, lang, today), jobs=source_jobs(engine, df))


def _is_demo(frames) -> bool:
    return any(bool(f["is_demo"].any()) for f in frames if f is not None and "is_demo" in f and not f.empty)


def _key(kind: str, keys: list[str], lang: str) -> str:
    version = current_version(context.get().engine)
    return f"wall:{kind}:{version}:{clock.today().isoformat()}:{lang}:{','.join(keys)}"


def build(keys: list[str], lang: str) -> dict:
    """Everything the panels `keys` show: figures as dicts, captions, ticker rows, KPI payload, demo flag, version."""
    return versioned(_key("parts", keys, lang), lambda: _build(keys, lang))


def _build(keys: list[str], lang: str) -> dict:
    engine, today = context.get().engine, clock.today().isoformat()
    version = current_version(engine)
    built = {k: panel_data(engine, k, lang, today) for k in keys}
    kpis, cases = targets.for_tiles(engine, queries.kpis(engine, today)), queries.latest_cases(engine)
    out = {"v": version, "figures": {k: fig.to_plotly_json() for k, (fig, _) in built.items()},
           "captions": {**{k: _caption(engine, k, df, lang, today) for k, (_, df) in built.items()},
                        "ticker": components.caption(cases, lang, jobs=source_jobs(engine, cases))},
           "ticker": components.ticker_items(cases, lang), "kpis": components.kpi_payload(kpis, lang),
           "kpi_rows": kpis.to_dict("records"), "demo": _is_demo([df for _, df in built.values()] + [kpis, cases]),
           "empty": sorted(k for k, (fig, _) in built.items() if not fig.data)}
    # the reporting line (under the departments panel's title) refreshes as a caption
    out["captions"][reporting_ui.WALL_KEY] = reporting_ui.wall_text(reporting.completeness(engine, clock.today()), lang)
    return out


def _patch(fig: dict) -> Patch:
    """Only what a refresh changes: traces, annotations and shapes, the axes' visibility (an empty figure hides
    them) and the data-driven axis ranges; the browser merges it into the figure it has and Plotly redraws in
    place. Annotations and shapes are always sent, so a "no data" note goes once the data arrives."""
    patch = Patch()
    patch["data"] = fig["data"]
    lay = fig["layout"]
    for part in ("annotations", "shapes"):
        patch["layout"][part] = lay.get(part, [])
    for axis in ("xaxis", "yaxis"):
        patch["layout"][axis]["visible"] = lay.get(axis, {}).get("visible", True)
        if "range" in lay.get(axis, {}):
            patch["layout"][axis]["range"] = lay[axis]["range"]
    return patch


def refresh_json(keys: list[str], lang: str) -> str:
    """The refresh a wall fetches when the data version moved, as JSON text (serialised once per version)."""
    def serialise() -> str:
        out = build(keys, lang)
        return to_json_plotly({
            "v": out["v"], "figures": {k: _patch(out["figures"][k]) for k in keys}, "captions": out["captions"],
            "ticker": out["ticker"], "kpis": out["kpis"], "demo": out["demo"], "empty": out["empty"]})
    return held(_key("json", keys, lang), serialise)
