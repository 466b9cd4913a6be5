"""The rotation that follows the data (issue 13 #2): with ?rotate=…&spotlight=departments|chains a spotlight set
shows one department (or chain) at a time with its key figures, the next one each time the rotation comes round;
with &exceptions=1 an exceptions set gives each off-target, overdue or late item of /api/status its own dwell,
with the reason on screen (skipped when there is none). Built at the wall's layout from the same facts as
/api/status; cockpit/components/spotlight.py draws the cards and assets/clientside.js moves them."""
from __future__ import annotations

from cockpit.i18n import name, t
from cockpit.queries import chains as cq
from cockpit.queries import reporting, status
from cockpit.queries import wall as queries
from etl import clock

KINDS = ("departments", "chains")


def spotlight_items(engine, kind: str, lang: str) -> list[dict]:
    """One card per department (cases handled this year, on-time rate, reporting) or chain (R&D spending,
    firms, high-tech firms): title, figures [(label, value)], the page it opens."""
    today = clock.today()
    if kind == "departments":
        late = {d["code"] for r in reporting.completeness(engine, today) for d in r["late"]}
        rows = queries.department_matters(engine, today.isoformat()).to_dict("records")
        return [{"title": name(r, lang), "href": f"/departments/{r['code']}", "figures": [
            (t("handled_col", lang), f"{int(r['handled']):,}"),
            (t("on_time_rate", lang), f"{100 * r['on_time'] / r['handled']:.1f}%" if r["handled"] else "—"),
            (t("rep_title", lang), t("rep_late", lang) if r["code"] in late else t("rep_all_in", lang))],
            "alert": r["code"] in late} for r in rows]
    table = cq.scope_table(engine, "chain", None, None, None).to_dict("records")
    return [{"title": r["chain_en" if lang == "en" else "chain_zh"], "href": f"/chains/{r['chain_code']}",
             "figures": [(t("spot_rd", lang), "—" if r["rd_spending"] != r["rd_spending"] else f"{r['rd_spending']:,.2f}"),
                         (t("firm_count", lang), f"{int(r['firms']):,}"), (t("spot_high_tech", lang), f"{int(r['high_tech_count']):,}")],
             "alert": False} for r in table]


def exception_items(engine, lang: str) -> list[dict]:
    """One card per exception now: an indicator off target or overdue, a reporting subject with late departments."""
    today = clock.today()
    found = status.exceptions(status.indicator_status(engine, today), status.reporting_status(engine, today))
    return [_card(kind, e, lang) for kind, e in found]


def _card(kind: str, e: dict, lang: str) -> dict:
    if kind == "late_reporters":
        figures = [(e["period"], f"{e['reported']}/{e['expected']}"), (t("rep_late_col", lang), ", ".join(e["late"]))]
        return {"title": name(e, lang), "reason": t("exc_late", lang), "href": "/departments", "alert": True,
                "figures": figures}
    if kind == "off_target":
        goal = (e["target"] or {}).get("value")
        figures = [(e["period"] or "", f"{e['value']:g}"), (t("exc_target", lang), "—" if goal is None else f"{goal:g}")]
    else:  # overdue
        figures = [(t("exc_latest", lang), e["period"] or "—"), (t("exc_due", lang), e["due"] or "—")]
    return {"title": name(e, lang), "reason": t(f"exc_{kind}", lang), "href": "/", "alert": True, "figures": figures}
