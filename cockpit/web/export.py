"""The CSV snapshot exports over HTTP: GET /export/observations.csv and /export/cases.csv, parameters checked before
any byte is sent (a 400 or 404 page otherwise), the rows streamed as a snapshot (cockpit.snapshot), each export
audited."""
from __future__ import annotations

import json
from typing import Iterator

from flask import Response, request, stream_with_context

from cockpit import context
from cockpit.queries.export import (CASE_COLUMNS, OBSERVATION_COLUMNS, BadRequest, NotFound, cases_query, chunks,
                                    observations_query)
from cockpit.snapshot import Meta, stream
from cockpit.web import auth
from cockpit.web.errors import error_page

__all__ = ["BadRequest", "NotFound", "export", "init_app"]


def export(engine, kind: str, **params) -> tuple[list[str], Iterator[bytes], Meta]:
    """Validate the parameters (BadRequest/NotFound raised before any byte is sent), then the snapshot stream."""
    with engine.connect() as conn:
        if kind == "observations":
            stmt, filters = observations_query(conn, params.get("indicator"), params.get("scope"),
                                               params.get("from"), params.get("to"))
            columns = OBSERVATION_COLUMNS
        elif kind == "cases":
            stmt, filters = cases_query(conn, params.get("department"), params.get("from"), params.get("to"))
            columns = CASE_COLUMNS
        else:
            raise NotFound(f"unknown export {kind!r}")
    meta = Meta(kind=kind, filters=filters)
    return columns, stream(columns, chunks(engine, stmt), meta), meta


def init_app(server) -> None:
    """GET /export/observations.csv?indicator=&scope=&from=&to= and /export/cases.csv?department=&from=&to=."""

    @server.get("/export/<kind>.csv")
    def export_csv(kind: str):
        params = {k: request.args.get(k, type=str) for k in ("indicator", "scope", "department", "from", "to")}
        try:
            columns, body, meta = export(context.get().engine, kind, **params)
        except BadRequest as exc:
            return error_page(400, str(exc))
        except NotFound as exc:
            return error_page(404, str(exc))
        auth.record("export", request.full_path.rstrip("?"), json.dumps(meta.filters, ensure_ascii=False))
        name = "_".join(str(v) for v in [kind, *meta.filters.values()] if v)
        return Response(stream_with_context(body), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"',
                                 "Cache-Control": "no-store"})
