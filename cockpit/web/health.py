"""/healthz (the process answers) and /readyz (store reachable, migrations current, age of the last load)."""
from __future__ import annotations

from flask import jsonify

from cockpit import context
from cockpit.queries.ops import last_success_at
from etl import clock, migrate


def readiness(engine, head: str) -> tuple[dict, int]:
    try:
        with engine.connect() as conn:
            current = migrate.current_revision(conn)
        last = last_success_at(engine)
    except Exception as exc:  # any store failure means "not ready", said plainly
        return {"ready": False, "database": f"unreachable: {type(exc).__name__}"}, 503
    age = (clock.utc_now() - last).total_seconds() if last else None  # both naive UTC
    body = {"ready": current == head, "database": "ok", "migration": current, "head": head,
            "last_load_age_s": round(age, 1) if age is not None else None}
    return body, 200 if current == head else 503


def init_app(server) -> None:
    head = migrate.head_revision()

    @server.get("/healthz")
    def healthz():
        return jsonify(ok=True)

    @server.get("/readyz")
    def readyz():
        body, status = readiness(context.get().engine, head)
        return jsonify(body), status
