"""Malformed and hostile requests answer 4xx, never 500: a Dash callback body is checked against the app's callback
map before Dash reads it (JSON nested too deeply is refused before anything recurses over it), a callback that
cannot use the values it was sent (it raises cockpit.state.BadInput) answers 400, and an unknown component-suite
package is a 404 (Dash raises on all of these). The server's own bugs stay visible: any other exception in a
callback is logged as an error and answered 500, without a traceback."""
from __future__ import annotations

import logging
from functools import wraps

from flask import jsonify, request

from cockpit.cache import unavailable
from cockpit.state import BadInput

log = logging.getLogger(__name__)
MAX_DEPTH = 64  # nesting of a callback body: dash-renderer's deepest (grid rows, click data) is under 10


def depth_problem(body, limit: int = MAX_DEPTH) -> str | None:
    """Whether `body` nests lists and objects deeper than `limit` (walked without recursion)."""
    stack = [(body, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (list, dict)):
            if depth > limit:
                return f"the body nests deeper than {limit} levels"
            stack.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict) else value))
    return None


def _json_body():
    """The parsed body, or None when it is not JSON (json raises RecursionError, not ValueError, on deep nesting)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def _is_pattern(component_id) -> bool:
    return isinstance(component_id, str) and component_id.startswith("{")


def _many(component_id) -> bool:
    """An ALL/ALLSMALLER pattern: its inputs and outputs come as lists of entries."""
    return _is_pattern(component_id) and ('["ALL"]' in component_id or '["ALLSMALLER"]' in component_id)


def _dependency_problem(given, declared: list[dict], what: str) -> str | None:
    """Each input or state must name the declared component and property, in the declared order; a pattern
    (ALL/MATCH) dependency may come as a list of such entries."""
    if not isinstance(given, list) or len(given) != len(declared):
        return f"{what}: expected a list of {len(declared)}"
    for item, spec in zip(given, declared):
        entries = item if _is_pattern(spec["id"]) and isinstance(item, list) else [item]
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("property"), str):
                return f"{what}: each entry needs an id and a property"
            if entry["property"] != spec["property"]:
                return f"{what}: {entry['property']!r} is not the declared property {spec['property']!r}"
            if _is_pattern(spec["id"]):
                if not isinstance(entry.get("id"), dict):
                    return f"{what}: a pattern dependency's id must be an object"
            elif entry.get("id") != spec["id"]:
                return f"{what}: {entry.get('id')!r} is not the declared component {spec['id']!r}"
    return None


def callback_problem(body, callback_map: dict) -> str | None:
    """Why `body` is not a callback request this app can run (None when it is one)."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return "unknown callback output"
    spec = callback_map[output]
    if "callback" not in spec:
        return "that callback runs in the browser"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(p, str) for p in changed):
        return "changedPropIds must be a list of strings"
    for key, what in (("inputs", "inputs"), ("state", "state")):
        why = _dependency_problem(body.get(key, []), spec.get(key, []), what)
        if why:
            return why
    outputs, declared = body.get("outputs"), spec.get("output")
    if spec.get("no_output"):
        return None
    if isinstance(declared, (list, tuple)):
        if not isinstance(outputs, list) or len(outputs) != len(declared):
            return f"outputs: expected a list of {len(declared)}"
    else:
        outputs = [outputs]
    names = output.strip(".").split("...") if output.startswith("..") else [output]  # Dash's output key
    for out, name in zip(outputs, names):
        if isinstance(out, list) and not _many(name.split("@")[0].rsplit(".", 1)[0]):
            return "outputs: a list where the callback declares one output"  # Dash would take it for ALL
        entries = out if isinstance(out, list) else [out]
        if not all(isinstance(e, dict) and "id" in e and isinstance(e.get("property"), str) for e in entries):
            return "outputs: each entry needs an id and a property"
    return None


def init_app(app) -> None:
    from dash.exceptions import DependencyException, PreventUpdate
    from werkzeug.exceptions import HTTPException

    from cockpit.web.errors import error_page

    server = app.server
    endpoint = app.config.routes_pathname_prefix + "_dash-update-component"
    dispatch = server.view_functions[endpoint]

    @wraps(dispatch)
    def guarded_dispatch():
        body = _json_body()
        why = depth_problem(body) or callback_problem(body, app.callback_map)
        if why:
            return jsonify(error="bad callback request", reason=why), 400
        output = body["output"]
        try:
            return dispatch()
        except (PreventUpdate, HTTPException):
            raise
        except BadInput as exc:  # the client's values: a warning, not the server's error
            log.warning("callback %s refused its inputs: %s", output, exc)
            return jsonify(error="the callback cannot use these inputs"), 400
        except Exception as exc:  # logged with its traceback here; the client gets a status and no traceback
            log.exception("callback %s failed", output)
            if unavailable(exc):
                return jsonify(error="store or cache unavailable"), 503
            return jsonify(error="internal error"), 500

    server.view_functions[endpoint] = guarded_dispatch

    @server.errorhandler(DependencyException)
    def _unknown_package(exc):
        return error_page(404, "no such component package")
