"""The app-wide frame: the page container (the wall drawn into the first layout), the URL, and the two small JSON
routes walls fetch: the cheap data-version poll and, when the version moved, the wall refresh."""
from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import dash
from dash import dcc, html, page_container
from flask import Response, has_request_context, request

from cockpit import context, freshness, ids, queries, wall_feed
from cockpit.i18n import lang_of

JOBS_TTL = 60  # the schedule file changes only on deploy; re-read it once a minute at most
PRERENDERED = {"/"}  # pages drawn into the first layout; the others arrive by Dash's page callback as usual
# Fetched only once a dcc.Graph mounts, one round trip after the layout: start both with the other bundles.
# plotly.js runs as soon as it arrives (dcc.Graph uses window.Plotly when it is there), while the browser is
# still waiting on the network anyway; eager_loading would also pull MathJax and the table.
EARLY = ('<script async src="{prefix}_dash-component-suites/plotly/package_data/plotly.min.js"></script>\n        '
         '<link rel="preload" as="script" href="{prefix}_dash-component-suites/dash/dcc/async-graph.js">')


def layout():
    return html.Div([dcc.Location(id=ids.URL, refresh="callback-nav"), _page_container()], id="app-root")


def _page_container():
    """Dash's page container, with the page already in it when the layout request comes from a PRERENDERED page
    (its Referer is the page's URL): the browser then skips the page callback's round trip. The location props
    are the page's own, so dcc.Location has nothing to report on mount and the page callback never fires."""
    referrer = urlsplit(request.referrer or "") if has_request_context() else None
    if not referrer or referrer.path not in PRERENDERED or referrer.fragment:
        return page_container
    page = next(p for p in dash.page_registry.values() if p["path"] == referrer.path)
    location, content, store, dummy = page_container.children
    search = f"?{referrer.query}" if referrer.query else ""
    return html.Div([
        dcc.Location(id=location.id, refresh=location.refresh, pathname=referrer.path, search=search, hash="",
                     href=request.referrer),
        html.Div(page["layout"](**_query(referrer.query)), id=content.id, disable_n_clicks=True),
        dcc.Store(id=store.id, data={"title": page["title"]}), dummy,
    ])


def _query(qs: str) -> dict:
    """Query parameters as Dash pages pass them to layout(): one value as itself, a repeated one as a list."""
    return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(qs, keep_blank_values=True).items()}


def _jobs(ctx) -> list[list]:
    jobs = ctx.cache.get("api:jobs")
    if jobs is None:
        from etl.jobs import read_jobs
        try:
            jobs = [[j.name, j.interval_seconds()] for j in read_jobs(ctx.settings.schedule_file)]
        except (OSError, ValueError):
            jobs = []
        ctx.cache.set("api:jobs", jobs, timeout=JOBS_TTL)
    return jobs


LOCAL_VERSION_TTL = 1.0  # seconds a process reuses the poll's answer without asking the cache


def version_body(ctx) -> str:
    """The poll's answer (without the server clock): the data version, and per scheduled job its last success,
    interval and whether it failed since (freshness.poll_jobs); `last` is the newest success of any job."""
    outcomes = freshness.job_outcomes(ctx.engine)
    jobs = freshness.poll_jobs(outcomes, _jobs(ctx), queries.epoch)
    newest = max((ok for ok, _ in outcomes.values() if ok is not None), default=None)
    return json.dumps({"v": queries.current_version(ctx.engine), "last": queries.epoch(newest), "jobs": jobs},
                      separators=(",", ":"))


def init_app(app) -> None:
    server = app.server
    app.index_string = app.index_string.replace(
        "{%css%}", "{%css%}\n        " + EARLY.format(prefix=app.config.requests_pathname_prefix))

    @server.get("/api/version")
    def api_version():
        # The body is held in the process for a second on top of the shared cache: most polls then cost no round
        # trip to Redis at all (measured under 200 walls: each hop adds wake-ups that show in the poll's p95).
        held = server.extensions.get("cockpit_version_body")
        if held and held[0] > time.monotonic():
            body = held[1]
        else:
            ctx = context.get()
            body = ctx.cache.get("api:version")
            if body is None:
                try:
                    body = version_body(ctx)
                except Exception:  # the store is down: say so with a status the wall treats as "reconnecting"
                    server.logger.exception("data version unavailable")
                    return Response('{"error":"store unavailable"}', status=503, mimetype="application/json")
                ctx.cache.set("api:version", body, timeout=queries.VERSION_TTL)
            server.extensions["cockpit_version_body"] = (time.monotonic() + LOCAL_VERSION_TTL, body)
        # The server clock is added fresh so walls can correct their own clock for the freshness stamp.
        return Response(f'{{"now":{time.time():.3f},{body[1:]}', mimetype="application/json",
                        headers={"Cache-Control": "no-store"})

    @server.get("/api/wall")
    def api_wall():
        """The refresh of the panels a wall shows (?panels=rd,rank,…&lang=en), built once per data version."""
        keys = [k for k in request.args.get("panels", "").split(",") if k in wall_feed.PANELS]
        try:
            body = wall_feed.refresh_json(keys, lang_of(request.args.get("lang")))
        except Exception:  # the wall keeps what it shows and asks again on the next poll
            server.logger.exception("wall refresh failed")
            return Response('{"error":"store unavailable"}', status=503, mimetype="application/json")
        return Response(body, mimetype="application/json", headers={"Cache-Control": "no-store"})
