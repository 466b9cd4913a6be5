"""KPI tiles: a label, a big fixed-width number, its unit, and the change against last period or target."""
from __future__ import annotations

import math

import pandas as pd
from dash import html

from cockpit import ids
from cockpit.i18n import missing, name, t, unit
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
        target = row.get("target")
        if target is not None and not (isinstance(target, float) and math.isnan(target)):
            return f"{t('vs_target', lang)} {fmt(target, decimals(row['unit']))}{row['unit'] if row['unit'] == '%' else ''}", "flat"
        return "", "flat"
    diff = value - other
    if row["unit"] == "%":
        text = f"{diff:+.2f}pt"
    else:
        text = f"{100 * diff / other:+.1f}%" if other else f"{diff:+,.0f}"
    better = diff > 0 if row.get("higher_is_better", True) else diff < 0
    arrow = "▲" if diff > 0 else "▼" if diff < 0 else "■"
    label = t("vs_last_ytd" if row.get("compare_kind") == "ytd" else "vs_last", lang)
    target = row.get("target")
    if target is not None and not (isinstance(target, float) and math.isnan(target)) and row["unit"] == "%":
        label = f"{t('vs_target', lang)}{target:g}% |"  # a target outranks the period label on a narrow tile
    return f"{label} {arrow} {text}", "flat" if diff == 0 else "good" if better else "bad"


def kpi_payload(kpis, lang: str) -> dict:
    """What clientside.js needs to animate the tiles to new values: number, decimals, change text and class."""
    out = {}
    for row in kpis.to_dict("records"):
        text, cls = delta(row, lang)
        value = None if _absent(row["value"]) else row["value"]
        out[row["code"]] = {"v": value, "d": decimals(row["unit"]), "delta": text, "cls": cls}
    return out


def kpi_card(row: dict, lang: str):
    text, cls = delta(row, lang)
    period = str(row["period"] or "")
    loaded = row.get("loaded_at")
    if _absent(row["value"]):  # say what is missing and which source would fill it
        tip = missing("cases" if row["code"] == "matters_handled" else "observations", lang, name(row, lang))
    elif loaded is not None and pd.notna(loaded):  # NaT is truthy: test notna, not truth
        tip = f"{row['source']} · {t('loaded', lang)} {clock.shown(pd.Timestamp(loaded)):%Y-%m-%d %H:%M}"
    else:
        tip = row["source"]
    return html.Div([
        html.Div([html.Span(name(row, lang), className="kpi-label"), html.Span(period, className="kpi-period")],
                 className="kpi-head"),
        html.Div([html.Span(fmt(row["value"], decimals(row["unit"])), id=ids.kpi_value(row["code"]), className="kpi-value",
                            **{"data-value": "" if _absent(row["value"]) else row["value"]}),
                  html.Span(unit(row["unit"], lang), className="kpi-unit")], className="kpi-number"),
        html.Div(text, id=ids.kpi_delta(row["code"]), className=f"kpi-delta {cls}"),
    ], className="kpi none" if _absent(row["value"]) else "kpi", title=tip)
