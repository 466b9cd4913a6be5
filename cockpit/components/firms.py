"""The firm table of the chain and segment pages: an AG Grid whose firm names link to their segment page."""
from __future__ import annotations

import pandas as pd

from cockpit.components.drill import grid
from cockpit.state import State
from cockpit.i18n import t

FIRM_COLUMNS = ["code", "name_zh", "name_en", "chain_code", "chain_zh", "segment_code", "segment_zh", "listed",
                "listed_year", "high_tech", "rd_spending", "patents_granted", "invention_patents", "period",
                "is_demo", "run_id", "loaded_at"]


def firm_grid(page: str, frame: pd.DataFrame, state: State):
    lang = state.lang
    yes, no = t("yes", lang), t("no", lang)
    rows = pd.DataFrame({
        "code": frame["code"], "firm": frame["name_en" if lang == "en" else "name_zh"],
        "firm_href": [state.href(f"/chains/{c}/{s}", firm=f) for c, s, f in zip(frame["chain_code"],
                                                                                  frame["segment_code"], frame["code"])],
        "segment": frame["segment_en" if lang == "en" else "segment_zh"],
        "segment_href": [state.href(f"/chains/{c}/{s}") for c, s in zip(frame["chain_code"], frame["segment_code"])],
        "listed": [yes if v else no for v in frame["listed"]],
        "listed_year": frame["listed_year"].astype("Int64").astype(str).replace("<NA>", ""),
        "high_tech": [yes if v else no for v in frame["high_tech"]],
        "rd_spending": frame["rd_spending"].round(3), "patents_granted": frame["patents_granted"],
        "invention_patents": frame["invention_patents"]})
    num = {"filter": "agNumberColumnFilter", "type": "rightAligned"}
    cols = [{"field": "code", "headerName": t("code", lang), "minWidth": 120, "maxWidth": 210},  # USCC: 18 characters
            {"field": "firm", "headerName": t("firm", lang), "cellRenderer": "DrillLink",
             "cellRendererParams": {"hrefField": "firm_href"}, "minWidth": 240},
            {"field": "segment", "headerName": t("segment", lang), "cellRenderer": "DrillLink",
             "cellRendererParams": {"hrefField": "segment_href"}},
            {"field": "listed", "headerName": t("listed", lang)},
            {"field": "listed_year", "headerName": t("listed_year", lang)},
            {"field": "high_tech", "headerName": t("high_tech", lang)},
            {"field": "rd_spending", "headerName": t("rd_col", lang),
             "sort": "desc", **num},
            {"field": "patents_granted", "headerName": t("patents", lang), **num},
            {"field": "invention_patents", "headerName": t("invention_col", lang), **num}]
    return grid(page, cols, rows.to_dict("records"), "code")
