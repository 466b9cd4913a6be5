"""GET /api/status: the status document (cockpit.queries.status) as JSON, for the wall, the ops page and alerts;
kiosk role and up (cockpit.web.auth answers 401/403 JSON on /api/ paths); built once per data version and day."""
from __future__ import annotations

import json

from flask import Response

from cockpit import context
from cockpit.cache import current_version, versioned
from cockpit.queries import status
from etl import clock


def body(engine) -> str:
    """The document's JSON text for the current data version and the county's today (cached under both)."""
    version, today = current_version(engine), clock.today()
    return versioned(f"api:status:{version}:{today.isoformat()}",
                     lambda: json.dumps(status.document(engine, version, today), ensure_ascii=False,
                                        separators=(",", ":")))


def init_app(server) -> None:
    @server.get("/api/status")
    def api_status():
        try:
            text = body(context.get().engine)
        except Exception:  # the store is down: the same answer as the wall's other JSON routes
            server.logger.exception("status document unavailable")
            return Response('{"error":"store unavailable"}', status=503, mimetype="application/json")
        return Response(text, mimetype="application/json", headers={"Cache-Control": "no-store"})
