"""The app-wide frame: the page container, the URL, and the cheap data-version poll route screens fetch."""
from __future__ import annotations

import json
import time

from dash import dcc, html, page_container
from flask import Response

from cockpit import context, ids, queries

JOBS_TTL = 60  # the schedule file changes only on deploy; re-read it once a minute at most


def layout():
    return html.Div([dcc.Location(id=ids.URL, refresh="callback-nav"), page_container], id="app-root")


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


def version_body(ctx) -> str:
    """The poll's answer (without the server clock): the data version, each job's last success and interval."""
    last = queries.last_success_by_job(ctx.engine)
    jobs = [[name, queries.epoch(last.get(name)), interval] for name, interval in _jobs(ctx)]
    newest = max((v for v in last.values() if v is not None), default=None)
    return json.dumps({"v": queries.current_version(ctx.engine), "last": queries.epoch(newest), "jobs": jobs},
                      separators=(",", ":"))


PLOTLY_JS = "_dash-component-suites/plotly/package_data/plotly.min.js"


def init_app(app) -> None:
    server = app.server
    # dcc.Graph fetches plotly.js only once the page layout has arrived; a preload starts it with the other
    # bundles and cuts first render by the download (eager_loading would also pull MathJax and the table).
    preload = f'<link rel="preload" as="script" href="{app.config.requests_pathname_prefix}{PLOTLY_JS}">'
    app.index_string = app.index_string.replace("{%css%}", "{%css%}\n        " + preload)

    @server.get("/api/version")
    def api_version():
        ctx = context.get()
        body = ctx.cache.get("api:version")
        if body is None:
            try:
                body = version_body(ctx)
            except Exception:  # the store is down: say so with a status the wall treats as "reconnecting"
                server.logger.exception("data version unavailable")
                return Response('{"error":"store unavailable"}', status=503, mimetype="application/json")
            ctx.cache.set("api:version", body, timeout=queries.VERSION_TTL)
        # The server clock is added fresh so walls can correct their own clock for the freshness stamp.
        return Response(f'{{"now":{time.time():.3f},{body[1:]}', mimetype="application/json",
                        headers={"Cache-Control": "no-store"})
