"""KPI tiles: a label, a big fixed-width number, its unit, the change against last period, and progress against
the plan targets that apply (cockpit.queries.targets.for_tiles), off-target said in words, not colour only."""
from __future__ import annotations

import math

import pandas as pd
from dash import html

from cockpit import ids
from cockpit.i18n import missing, name, t, tile_name, unit
from cockpit.components.info import revision, revision_badge
from etl import clock

DASH = "—"  # what a tile shows while the store has no value for it


def decimals(unit_zh: str) -> int:
    return 2 if unit_zh in ("%", "亿元") else 0


def fmt(value: float | None, places: int) -> str:
    return DASH if _absent(value) else f"{value:,.{places}f}"


def _absent(value) -> bool:
    return value is None or bool(pd.isna(value))


def delta(row: dict, lang: str) -> tuple[str, str]:
    """The change text and its CSS class (good / bad / flat, flipped when lower is better)."""
    value, other = row.get("value"), row.get("compare")
    if _absent(value):
        return t("no_data", lang), "none"
    if other is None or (isinstance(other, float) and math.isnan(other)):
        return "", "flat"  # targets are said by target_text, from the targets table only
    diff = value - other
    if row["unit"] == "%":
        text = f"{diff:+.2f}pt"
    else:
        text = f"{100 * diff / other:+.1f}%" if other else f"{diff:+,.0f}"
    better = diff > 0 if row.get("higher_is_better", True) else diff < 0
    arrow = "▲" if diff > 0 else "▼" if diff < 0 else "■"
    label = t("vs_last_ytd" if row.get("compare_kind") == "ytd" else "vs_last", lang)
    return f"{label} {arrow} {text}", "flat" if diff == 0 else "good" if better else "bad"


def target_text(row: dict, lang: str, short: bool = False) -> tuple[str, str]:
    """The tile's target lines and their class: '年度目标 4.70% · 完成 98%' and the plan's end-year target
    ('十四五目标 4.60% · 完成 100%'); short of a target reads 未达 / behind instead of 完成 / done (class bad).
    `short` (the wall's tiles, 16 px text in a 186 px tile): '年度 4.7% · 完成 98%', '十四五 4.6% · 完成 100%'."""
    lines, off = [], False
    places = 0 if row.get("unit") != "亿元" else 1
    suffix = "%" if row.get("unit") == "%" else ""
    for key in ("annual", "plan"):
        target, share = row.get(f"{key}_target"), row.get(f"{key}_progress")
        if _absent(target):
            continue
        label = t(("tile_" if short else "target_") + ("annual" if key == "annual" else str(row.get("plan"))), lang)
        behind = row.get(f"{key}_off") is True
        off |= behind
        done = "" if _absent(share) else t("target_behind" if behind else "target_done", lang).format(
            pct=f"{100 * share:.0f}%")
        shown = f"{target:g}" if suffix else fmt(target, places)  # 4.7%, not 4.70%: the line is narrow
        lines.append(f"{label} {shown}{suffix}" + (f"{'·' if short else ' · '}{done}" if done else ""))
    return "\n".join(lines), ("bad" if off else "good") if lines else "none"


def kpi_payload(kpis, lang: str) -> dict:
    """What clientside.js (and assets/wall-tiles.js) need to bring a tile up to date without a reload: number,
    decimals, change text and class, the target lines, the period, the staleness word, the revised badge's text
    (p, s, sw, rv; '' / None when absent) and the tile's tooltip."""
    out = {}
    for row in kpis.to_dict("records"):
        text, cls = delta(row, lang)
        value = None if _absent(row["value"]) else row["value"]
        period, state, tip, revised = _when(row, lang)
        out[row["code"]] = {"v": value, "d": decimals(row["unit"]), "delta": text, "cls": cls, "p": period,
                            "s": state if state in ("due", "overdue") else None,
                            "sw": t(f"stale_{state}", lang) if state in ("due", "overdue") else "",
                            "rv": revised, "rw": t("revised", lang), "tip": tip}
        goal, goal_cls = target_text(row, lang, short=True)  # sent always: a target set or dropped since shows too
        out[row["code"]]["tg"], out[row["code"]]["tcls"] = goal, goal_cls
    return out


def _when(row: dict, lang: str) -> tuple[str, str | None, str, str]:
    """(period text, staleness state, tooltip, revision text) of a tile, shared by its first render and its refresh."""
    period = f"{t('data_period', lang)} {row['period']}" if row.get("period") and not _absent(row["period"]) else ""
    state = row.get("staleness") if isinstance(row.get("staleness"), str) else None
    loaded = row.get("loaded_at")
    if _absent(row["value"]):  # say what is missing and which source would fill it
        tip = missing("cases" if row["code"] == "matters_handled" else "observations", lang, name(row, lang))
    elif loaded is not None and pd.notna(loaded):  # NaT is truthy: test notna, not truth
        tip = f"{row.get('source', '')} · {t('loaded', lang)} {clock.shown(pd.Timestamp(loaded)):%Y-%m-%d %H:%M}"
    else:
        tip = row.get("source", "")
    if state and isinstance(row.get("due"), str):
        tip = f"{tip} · {t('due_on', lang).format(date=row['due'])}"
    revised = "" if _absent(row["value"]) or _absent(row.get("revised_at")) else revision(pd.DataFrame([row]), lang)
    return period, state, tip, revised


def kpi_card(row: dict, lang: str):
    text, cls = delta(row, lang)
    goal, goal_cls = target_text(row, lang, short=True)
    period, state, tip, revised = _when(row, lang)
    badge = [html.Span(t(f"stale_{state}", lang), className=f"kpi-stale {state}")] if state in ("due", "overdue") else []
    badge += [revision_badge(revised, lang)] if revised else []  # 已修订 on the tile, the previous value in its pop
    return html.Div([
        html.Div([html.Span(tile_name(row, lang), className="kpi-label", title=name(row, lang)),
                  html.Span([html.Span(period, className="kpi-period"), *badge], className="kpi-when")],
                 className="kpi-head"),
        html.Div([html.Span(fmt(row["value"], decimals(row["unit"])), id=ids.kpi_value(row["code"]), className="kpi-value",
                            **{"data-value": "" if _absent(row["value"]) else row["value"]}),
                  html.Span(unit(row["unit"], lang, row["code"]), className="kpi-unit")], className="kpi-number"),
        html.Div(text, id=ids.kpi_delta(row["code"]), className=f"kpi-delta {cls}"),
        html.Div(goal, className=f"kpi-targets {goal_cls}"),
    ], className=("kpi none" if _absent(row["value"]) else "kpi") + (" with-targets" if goal else "")
       + (f" stale-{state}" if state in ("due", "overdue") else ""), title=tip)
