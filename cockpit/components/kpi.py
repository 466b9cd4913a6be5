"""KPI tiles: a label, a big fixed-width number, its unit, and the change against last period or target."""
from __future__ import annotations

import math

from dash import html

from cockpit import ids
from cockpit.i18n import name, t, unit


def decimals(unit_zh: str) -> int:
    return 2 if unit_zh in ("%", "亿元") else 0


def fmt(value: float, places: int) -> str:
    return f"{value:,.{places}f}"


def delta(row: dict, lang: str) -> tuple[str, str]:
    """The change text and its CSS class (good / bad / flat, flipped when lower is better)."""
    value, other = row.get("value"), row.get("compare")
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
        out[row["code"]] = {"v": row["value"], "d": decimals(row["unit"]), "delta": text, "cls": cls}
    return out


def kpi_card(row: dict, lang: str):
    text, cls = delta(row, lang)
    period = str(row["period"])
    tip = f"{row['source']} · {t('loaded', lang)} {row['loaded_at']:%Y-%m-%d %H:%M}" if row.get("loaded_at") else row["source"]
    return html.Div([
        html.Div([html.Span(name(row, lang), className="kpi-label"), html.Span(period, className="kpi-period")],
                 className="kpi-head"),
        html.Div([html.Span(fmt(row["value"], decimals(row["unit"])), id=ids.kpi_value(row["code"]), className="kpi-value",
                            **{"data-value": row["value"]}),
                  html.Span(unit(row["unit"], lang), className="kpi-unit")], className="kpi-number"),
        html.Div(text, id=ids.kpi_delta(row["code"]), className=f"kpi-delta {cls}"),
    ], className="kpi", title=tip)
