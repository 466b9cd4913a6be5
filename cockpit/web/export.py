"""The CSV snapshot exports over HTTP: GET /export/observations.csv and /export/cases.csv.

The order of one export: an export slot taken (cockpit.web.export_slots: a 429 or 503 "busy, try again" past the
per-user or per-process limit), the parameters checked (a 400 or 404 page, periods normalised), the query
started and its first rows read (the store down: a 503, never a bare 500), then the audit row, then the headers
(an ASCII filename with an RFC 5987 filename* as werkzeug's send_file writes it) and the rest of the rows streamed
as a snapshot (cockpit.snapshot). Nothing is audited for an export that did not start; the slot is released when
the stream ends, fails or the client goes away."""
from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
import time
from typing import Iterator

from flask import Response, jsonify, render_template, request, stream_with_context
from werkzeug.utils import send_file

from cockpit import context
from cockpit.cache import unavailable
from cockpit.queries import annotations as notes
from cockpit.queries.export import (CASE_COLUMNS, OBSERVATION_COLUMNS, BadRequest, NotFound, as_of_moment,
                                    cases_query, chunks, observations_query)
from cockpit.snapshot import Meta, stream
from cockpit.web import auth
from cockpit.web.errors import error_page
from cockpit.web.export_slots import Busy, Slots

__all__ = ["BadRequest", "NotFound", "export", "init_app"]
log = logging.getLogger(__name__)
RETRY_BUSY, RETRY_STORE = 15, 30  # seconds in Retry-After
DUTY = 0.5  # the share of one core a process's exports may use: after each chunk the turn is held idle as long
            # again, so the walls' polls and the pages find the processor free, and exports take twice as long
BUSY = {"user": ("您已有导出正在进行", "You already have exports running",
                 "请等当前导出完成后再试 / Wait for your running export to finish, then try again."),
        "server": ("导出繁忙", "Exports busy",
                   "服务器正在处理其他导出,请稍后再试 / The server is busy with other exports; try again shortly."),
        "store": ("数据存储暂不可用", "Store unavailable",
                  "数据存储暂时无法访问,请稍后再试 / The data store cannot be reached; try again shortly.")}


def export(engine, kind: str, **params) -> tuple[list[str], Iterator[bytes], Meta]:
    """Validate the parameters (BadRequest/NotFound raised before any byte is sent), then the snapshot stream.
    An observations export `as_of` a past time or load run is the snapshot made then, byte for byte (as_of is
    not among its filters: the footer is that moment's)."""
    moment = None
    with engine.connect() as conn:
        if kind == "observations":
            moment = as_of_moment(conn, params.get("as_of"))
            stmt, filters = observations_query(conn, params.get("indicator"), params.get("scope"),
                                               params.get("from"), params.get("to"), moment)
            columns = OBSERVATION_COLUMNS
        elif kind == "cases":
            stmt, filters = cases_query(conn, params.get("department"), params.get("from"), params.get("to"))
            columns = CASE_COLUMNS
        else:
            raise NotFound(f"unknown export {kind!r}")
    scope = params.get("scope") if kind == "observations" else params.get("department")
    meta = Meta(kind=kind, filters=filters, notes=footer_notes(engine, scope, params.get("from"), params.get("to"), moment))
    return columns, stream(columns, chunks(engine, stmt), meta), meta


def footer_notes(engine, scope, start, end, moment=None) -> list[str]:
    """The annotations a snapshot's footer lists: its scope's and the county's, of the period it covers, as
    known at its moment (an as-of snapshot lists what was known then)."""
    df = notes.annotations(engine, scope, start, end, as_of=moment)
    return [f"{r['period']} {r['scope']} {r['kind']}: {r['text_zh']}" + (f" / {r['text_en']}" if r["text_en"] else "")
            for r in df.to_dict("records")]


def filename(meta: Meta) -> str:
    return "_".join(str(v) for v in [meta.kind, *meta.filters.values()] if v) + ".csv"


def disposition(name: str) -> str:
    """`attachment; filename=...` as werkzeug's send_file writes it: ASCII `filename`, and for other characters
    an RFC 5987 `filename*=UTF-8''...` (HTTP headers are Latin-1; gunicorn refuses anything else)."""
    probe = send_file(io.BytesIO(), {"REQUEST_METHOD": "GET"}, mimetype="text/csv", as_attachment=True,
                      download_name=name)
    probe.close()
    return probe.headers["Content-Disposition"]


def refusal(what: str, status: int, retry: int) -> Response:
    """The friendly busy/unavailable answer: JSON for clients that ask for it, the bilingual page otherwise."""
    zh, en, message = BUSY[what]
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        response = jsonify(error="busy" if what != "store" else "store unavailable", scope=what, message=message,
                           retry_after=retry)
        response.status_code = status
    else:
        response = Response(render_template("error.html", code=status, zh=zh, en=en, message=message),
                            status=status, mimetype="text/html")
    response.headers["Retry-After"] = str(retry)
    response.headers["Cache-Control"] = "no-store"
    return response


def _in_turn(body: Iterator[bytes], turn: threading.Lock) -> Iterator[bytes]:
    """The body's parts, each built holding the process's `turn`: exports stream side by side (a slow analyst
    holds only a thread) but turn rows into CSV one at a time, so a poll competes for the GIL with one export
    thread, not with every one streaming."""
    while True:
        with turn:
            started = time.perf_counter()
            part = next(body, None)
            time.sleep((time.perf_counter() - started) * (1 - DUTY) / DUTY)
        if part is None:
            return
        yield part


def _relay(started: list[bytes], body: Iterator[bytes], slot, turn: threading.Lock) -> Iterator[bytes]:
    try:
        yield from started
        for part in _in_turn(body, turn):
            slot.refresh()
            yield part
    except GeneratorExit:  # the client went away: the server closes the iterable
        raise
    except Exception:  # headers are out: the download is cut off (no footer, no #sha256), the log says why
        log.exception("export stream failed after it started")
        raise
    finally:
        slot.release()
        body.close()


def _user_key() -> str:
    """Whose exports these are: the user; with open access (everyone the same user) the client address too."""
    who = auth.who()
    return f"{who}@{request.remote_addr}" if context.get().settings.access_open else who


def init_app(server) -> None:
    """GET /export/observations.csv?indicator=&scope=&from=&to=&as_of= and /export/cases.csv?department=&from=&to=."""
    settings = server.extensions["cockpit"].settings
    store = hashlib.sha256(settings.store_url.encode()).hexdigest()[:12]  # one Redis may serve several stores
    slots = Slots(settings.exports_per_user, settings.exports_total, settings.cache_redis_url, namespace=store)
    server.extensions["cockpit_export_slots"] = slots
    turn = threading.Lock()

    @server.get("/export/<kind>.csv")
    def export_csv(kind: str):
        params = {k: request.args.get(k, type=str) for k in ("indicator", "scope", "department", "from", "to", "as_of")}
        try:  # first, so that a busy answer costs no query (busy analysts' browsers ask again and again)
            slot = slots.acquire(_user_key())
        except Busy as busy:
            return refusal(busy.scope, 429 if busy.scope == "user" else 503, RETRY_BUSY)
        try:
            _, body, meta = export(context.get().engine, kind, **params)
        except BaseException as exc:
            slot.release()
            if isinstance(exc, BadRequest):
                return error_page(400, str(exc))
            if isinstance(exc, NotFound):
                return error_page(404, str(exc))
            if not unavailable(exc):
                raise
            log.warning("export refused: store unavailable (%s)", type(exc).__name__)
            return refusal("store", 503, RETRY_STORE)
        try:
            with turn:
                started = [next(body), next(body)]  # the header, then the first rows: the query runs here
            auth.record("export", request.full_path.rstrip("?"), json.dumps(meta.filters, ensure_ascii=False))
            headers = {"Content-Disposition": disposition(filename(meta)), "Cache-Control": "no-store"}
        except BaseException as exc:
            slot.release()
            body.close()
            if not unavailable(exc):
                raise
            log.warning("export refused: store unavailable (%s)", type(exc).__name__)
            return refusal("store", 503, RETRY_STORE)
        response = Response(stream_with_context(_relay(started, body, slot, turn)), mimetype="text/csv", headers=headers)
        response.call_on_close(slot.release)
        return response
