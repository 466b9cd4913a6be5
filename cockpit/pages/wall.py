"""The wall (驾驶舱): the full-screen, always-live big screen; drawn complete by layout(), then refreshed in the
browser (assets/clientside.js) from /api/wall only when the data version changes."""
from __future__ import annotations

import logging

import dash
from dash import Input, Output, clientside_callback, dcc, html

from cockpit import components, context, ids
from cockpit.cache import unavailable
from cockpit.components import reporting as reporting_ui
from cockpit.components import spotlight as spotlight_ui
from cockpit.web import spotlight as spotlight_feed
from cockpit.web import wall_feed
from cockpit.i18n import lang_of, t

dash.register_page(__name__, path="/", redirect_from=["/wall"], order=0, title=t("title", "zh"))
log = logging.getLogger(__name__)


def layout(lang=None, rotate=None, spotlight=None, exceptions=None, **_):
    lang = lang_of(lang)
    try:
        rotate_s = max(5.0, float(rotate)) if rotate else 0.0  # a repeated ?rotate= arrives as a list
    except (TypeError, ValueError, OverflowError):
        rotate_s = 0.0
    if rotate_s != rotate_s or rotate_s == float("inf"):  # ?rotate=nan, ?rotate=inf: the default, not a stuck wall
        rotate_s = 0.0
    spot = spotlight if isinstance(spotlight, str) and spotlight in spotlight_feed.KINDS else None
    extra = (spot, exceptions == "1") if rotate_s else (None, False)  # both ride on the rotation
    try:
        return _wall(lang, rotate_s, *extra)
    except Exception as exc:  # e.g. the store is down at first load: a frame that says so and reloads, backing off
        log.exception("wall layout failed")
        return _failed(lang, "store" if unavailable(exc) or isinstance(exc, OSError) else "render")


def _failed(lang: str, reason: str):
    """The wall when its first layout failed: the header, why (a category, not a traceback), and the texts
    clientside.js needs to say how many reloads it tried; it backs off and gives up after a few (boot)."""
    texts = {"retrying": t("wall_retrying", lang), "gave_up": t("wall_gave_up", lang),
             "reason": t(f"reason_{reason}", lang)}
    config = {"poll": context.get().settings.poll_seconds, "rotate": 0, "v": None, "lang": lang, "panels": [],
              "reload": True, "failed": texts, "tz": context.get().settings.cockpit_tz}
    message = html.Div([html.Div(t("wall_failed", lang), className="wall-failed-title"),
                        html.Div(texts["reason"], id="wall-failed-detail", className="wall-failed-detail")],
                       id="wall-failed", className="wall-failed", role="status", **{"data-reason": reason})
    return html.Div([dcc.Store(id=ids.CONFIG, data=config), dcc.Store(id=ids.BOOT), html.Div(
        [components.header(lang, False), message, components.kiosk_refused(lang)], id=ids.CANVAS, className="canvas")],
        id=ids.WALL, className=f"wall offline lang-{lang}")


def _wall(lang: str, rotate_s: float, spot: str | None = None, exceptions: bool = False):
    # Extra sets cost first-render time, so only a rotating wall gets them; everything comes from the shared cache.
    shown = [(i, name, panels) for i, (name, _, panels) in enumerate(wall_feed.PANEL_SETS) if not i or rotate_s]
    keys = [key for _, _, panels in shown for key, _ in panels]
    out = wall_feed.build(keys, lang)
    sets = []
    for i, set_name, panels in shown:
        boxes = [components.graph_panel(key, t(title, lang), out["figures"][key], out["captions"][key], f"p-{key}",
                                        out["figures"][key]["layout"].get("height"))
                 for key, title in panels]
        if set_name == "overview":
            reporting_ui.attach(boxes, "depts", out["captions"].get(reporting_ui.WALL_KEY, ""))
            boxes.append(components.panel("ticker", t("ticker", lang), html.Div(out["ticker"], id=ids.TICKER, className="ticker"),
                                          out["captions"]["ticker"], "p-ticker"))
        sets.append(html.Div(boxes, id=ids.panel_set(set_name), className=f"panel-set set-{set_name}" + (" active" if not i else "")))
    engine = context.get().engine
    for kind, items in (("spotlight", spotlight_feed.spotlight_items(engine, spot, lang) if spot else None),
                        ("exceptions", spotlight_feed.exception_items(engine, lang) if exceptions else None)):
        if items is not None:
            title = t(f"spot_{spot}", lang) if kind == "spotlight" else t("exc_title", lang)
            body = spotlight_ui.cards(items, lang, kind)
            sets.append(html.Div([components.panel(kind, title, body, "", f"p-{kind}")], id=ids.panel_set(kind),
                                 className=f"panel-set set-{kind}", **{"data-count": str(len(items))}))
    settings = context.get().settings
    config = {"poll": settings.poll_seconds, "rotate": rotate_s, "v": out["v"], "lang": lang, "panels": keys,
              "empty": out["empty"], "tz": settings.cockpit_tz, "idle": settings.idle_seconds,
              "reload_at": settings.wall_reload_minute}
    return html.Div([
        dcc.Store(id=ids.CONFIG, data=config), dcc.Store(id=ids.BOOT),
        html.Div([
            components.header(lang, out["demo"]),
            html.Div([components.kpi_card(r, lang) for r in out["kpi_rows"]], className="kpi-row"),
            html.Div(sets, className="panel-sets"),
            components.kiosk_refused(lang),
        ], id=ids.CANVAS, className="canvas"),
    ], id=ids.WALL, className=f"wall lang-{lang}")


# Everything per tick, and the refresh itself, runs in assets/clientside.js. A refresh writes only props no callback
# listens to (figures, captions, ticker), so Dash records nothing in its undo history however long the wall runs;
# a store written per version, as before, added a history entry every time. BOOT is a sink.
clientside_callback(dash.ClientsideFunction("cockpit", "boot"), Output(ids.BOOT, "data"), Input(ids.CONFIG, "data"))
clientside_callback(dash.ClientsideFunction("cockpit", "drillDown"), Output(ids.URL, "href"),
                    Input(ids.graph("depts"), "clickData"), Input(ids.graph("chains"), "clickData"),
                    Input(ids.graph("map"), "clickData"),
                    prevent_initial_call=True)
