"""The two small JSON routes walls fetch: the cheap data-version poll (with each scheduled job's freshness) and,
when the version moved, the refresh of the panels a wall shows (cockpit.web.wall_feed)."""
from __future__ import annotations

import json
import time

from flask import Response, request

from cockpit import context
from cockpit.cache import VERSION_TTL, current_version
from cockpit.i18n import lang_of
from cockpit.queries._sql import epoch
from cockpit.queries.ops import job_outcomes, poll_jobs
from cockpit.web import wall_feed
from etl.jobs import read_jobs

JOBS_TTL = 60  # the schedule file changes only on deploy; re-read it once a minute at most
LOCAL_VERSION_TTL = 1.0  # seconds a process reuses the poll's answer without asking the cache


def _jobs(ctx) -> list[list]:
    jobs = ctx.cache.get("api:jobs")
    if jobs is None:
        try:
            jobs = [[j.name, j.interval_seconds()] for j in read_jobs(ctx.settings.schedule_file)]
        except (OSError, ValueError):
            jobs = []
        ctx.cache.set("api:jobs", jobs, timeout=JOBS_TTL)
    return jobs


def version_body(ctx) -> str:
    """The poll's answer (without the server clock): the data version, and per scheduled job its last success,
    interval and whether it failed since (freshness.poll_jobs); `last` is the newest success of any job."""
    outcomes = job_outcomes(ctx.engine)
    jobs = poll_jobs(outcomes, _jobs(ctx), epoch)
    newest = max((ok for ok, _ in outcomes.values() if ok is not None), default=None)
    return json.dumps({"v": current_version(ctx.engine), "last": epoch(newest), "jobs": jobs},
                      separators=(",", ":"))


def init_app(app) -> None:
    server = app.server

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
                ctx.cache.set("api:version", body, timeout=VERSION_TTL)
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
