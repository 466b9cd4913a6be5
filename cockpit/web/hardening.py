"""Malformed and hostile requests answer 4xx, never 500: a Dash callback body is checked against the app's callback
map before Dash reads it, a callback that cannot use the values it was sent answers 400, and an unknown
component-suite package is a 404 (Dash raises on all three)."""
from __future__ import annotations

import logging
from functools import wraps

from flask import jsonify, request

from cockpit.cache import unavailable

log = logging.getLogger(__name__)


def _is_pattern(component_id) -> bool:
    return isinstance(component_id, str) and component_id.startswith("{")


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
    for out in outputs:
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
        why = callback_problem(request.get_json(silent=True), app.callback_map)
        if why:
            return jsonify(error="bad callback request", reason=why), 400
        try:
            return dispatch()
        except (PreventUpdate, HTTPException):
            raise
        except Exception as exc:  # logged with its traceback here; the client gets a status and no traceback
            log.exception("callback %s failed", request.get_json(silent=True).get("output"))
            if unavailable(exc):
                return jsonify(error="store or cache unavailable"), 503
            return jsonify(error="the callback cannot use these inputs"), 400

    server.view_functions[endpoint] = guarded_dispatch

    @server.errorhandler(DependencyException)
    def _unknown_package(exc):
        return error_page(404, "no such component package")
