"""GET /api/status: the status document (cockpit.queries.status) as JSON, for the wall, the ops page and alerts;
kiosk role and up (cockpit.web.auth answers 401/403 JSON on /api/ paths); built once per data version and day."""
from __future__ import annotations

import json

from flask import Response

from cockpit import context
from cockpit.cache import current_version, versioned
from cockpit.queries import annotations, status
from etl.periods import normalise_period
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

    @server.get("/api/annotations")
    def api_annotations():
        """GET /api/annotations?scope=&from=&to=: the annotations (stored ones and revisions) as JSON."""
        from flask import request
        args = {k: request.args.get(k) or None for k in ("scope", "from", "to")}
        bad = [k for k in ("from", "to") if args[k] and not normalise_period(args[k])]
        if bad or (args["scope"] and len(args["scope"]) > 64):
            name = bad[0] if bad else "scope"
            return Response(json.dumps({"error": f"bad {name}: {args[name]!r}"}, ensure_ascii=False), status=400,
                            mimetype="application/json")
        try:
            df = annotations.annotations(context.get().engine, args["scope"], args["from"], args["to"])
        except Exception:
            server.logger.exception("annotations unavailable")
            return Response('{"error":"store unavailable"}', status=503, mimetype="application/json")
        rows = [{"id": str(r["id"]), "period": r["period"], "scope": r["scope"], "kind": r["kind"],
                 "text_zh": r["text_zh"], "text_en": r["text_en"], "source": r["source"],
                 "updated_at": status.iso(r["at"])}
                for r in df.to_dict("records")]
        return Response(json.dumps({"annotations": rows}, ensure_ascii=False, default=str),
                        mimetype="application/json", headers={"Cache-Control": "no-store"})
