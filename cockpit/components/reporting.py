"""Reporting completeness on screen (issue 12 #3): the wall's one line ("报送: 事项办件 2026-10 · 31/33 已报送 · 2 逾期:
团县委、县总工会"), the overview table of /departments and /ops, and a department's own record. The rows come from
cockpit/queries/reporting.py (completeness, department_record); nothing here reads the store."""
from __future__ import annotations

from dash import dcc, html

from cockpit import ids
from cockpit.components.drill import link_table
from cockpit.i18n import t

WALL_KEY = "reporting"  # its caption refreshes like a panel's (clientside.js sets every caption it is sent)
STATUS_COLOUR = {"reported": "var(--green)", "late": "var(--red)", "pending": "var(--muted)"}
WALL_STYLE = {"fontSize": "16px", "lineHeight": "20px", "maxHeight": "40px", "overflow": "hidden", "color": "var(--gold)",
              "display": "-webkit-box", "WebkitLineClamp": 2, "WebkitBoxOrient": "vertical", "padding": "0 0 4px 16px"}


def _name(row: dict, lang: str) -> str:
    return row["name_en"] if lang == "en" else row["name_zh"]


def counts(row: dict, lang: str) -> str:
    """`31/33 已报送 · 2 逾期` / `31/33 reported · 2 late`."""
    return t("rep_line", lang).format(reported=row["reported"], expected=row["expected"], late=len(row["late"]))


def late_names(row: dict, lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(_name(d, lang) for d in row["late"])


def line(row: dict, lang: str) -> str:
    """One subject: its name and period, the counts and the late departments named (none late: the count alone;
    nothing ever reported by anyone: that no reports are loaded yet, not every department named late)."""
    if not row.get("connected", True):
        return f"{_name(row, lang)} {row['period']} · " + t("rep_not_connected", lang).format(expected=row["expected"])
    if not row["late"]:
        return f"{_name(row, lang)} {row['period']} · {row['reported']}/{row['expected']}"
    text = f"{_name(row, lang)} {row['period']} · {counts(row, lang)}"
    return text + ("：" if lang == "zh" else ": ") + late_names(row, lang)


def wall_text(rows: list[dict], lang: str) -> str:
    """The subjects with late departments in full, the ones all reported counted in a word (the line must fit
    two lines of the departments panel in either language); '' when nothing must be reported."""
    if not rows:
        return ""
    late = sorted((r for r in rows if r["late"] or not r.get("connected", True)), key=lambda r: -len(r["late"]))
    parts = [line(r, lang) for r in late]
    done = len(rows) - len(late)
    if done:
        parts.append(t("rep_others_in", lang).format(n=done) if late else t("rep_all_in_n", lang).format(n=done))
    return f"{t('rep_wall', lang)}: " + " ｜ ".join(parts)


def wall_line(text: str):
    """The wall's line, under the departments panel's title; its caption id lets a refresh rewrite it."""
    return html.Div(html.Div(text, id=ids.caption(WALL_KEY), title=text, style=WALL_STYLE),
                    id=ids.panel(WALL_KEY), className="reporting-line", style={"flex": "0 0 auto"})


def attach(boxes: list, panel_key: str, text: str) -> None:
    """Put the wall's line into the panel `panel_key` of `boxes`, between its title and its body."""
    for box in boxes:
        if getattr(box, "id", None) == ids.panel(panel_key):
            box.children.insert(1, wall_line(text))


def _href(code: str, lang: str) -> str:
    return f"/departments/{code}" + ("?lang=en" if lang == "en" else "")


def overview(rows: list[dict], lang: str, href=None):
    """The table of /departments and /ops: per subject its period due now, deadline, counts and late departments
    (each a link to its page; `href(code)` makes the link, by default in the page's language)."""
    href = href or (lambda code: _href(code, lang))
    if not rows:
        return html.Div(t("rep_none", lang), className="no-data-need", id="reporting-overview")
    heads = [t("rep_subject", lang), t("period_label", lang), t("rep_due_col", lang), t("rep_title", lang),
             t("rep_late_col", lang)]
    sep = "、" if lang == "zh" else ", "
    body = [[_name(r, lang), r["period"], r["due"], html.Span(counts(r, lang), className="rep-counts"),
             html.Span(_joined([dcc.Link(_name(d, lang), href=href(d["code"]), className="drill-link") for d in r["late"]], sep) or t("rep_all_in", lang),
                       style={"color": "var(--red)" if r["late"] else "var(--green)", "whiteSpace": "normal"})]
            for r in rows]
    return html.Div(link_table(heads, body), id="reporting-overview")


def _joined(parts: list, sep: str) -> list:
    out = []
    for i, part in enumerate(parts):
        out += [sep, part] if i else [part]
    return out


def _cadence(row: dict, lang: str) -> str:
    return t("rep_cadence", lang).format(cadence=t(f"cad_{row['cadence']}", lang), day=row["due_day"])


def _chip(period: dict, lang: str):
    colour = STATUS_COLOUR[period["status"]]
    return html.Span(f"{period['period']} {t('rep_' + period['status'], lang)}", title=t("rep_due", lang).format(
        date=period["due"]), className=f"rep-chip rep-{period['status']}",
        style={"color": colour, "border": f"1px solid {colour}", "borderRadius": "4px", "padding": "1px 6px",
               "marginRight": "6px", "display": "inline-block", "marginBottom": "3px"})


def record(rows: list[dict], lang: str):
    """A department's own reporting record: each duty, its cadence and deadline, its recent periods' status."""
    if not rows:
        return html.Div(t("rep_none", lang), className="no-data-need", id="reporting-record")
    body = [[_name(r, lang), _cadence(r, lang), html.Div([_chip(p, lang) for p in r["periods"]],
                                                          style={"whiteSpace": "normal"})] for r in rows]
    return html.Div(link_table([t("rep_subject", lang), t("rep_rule", lang), t("rep_record", lang)], body), id="reporting-record")
