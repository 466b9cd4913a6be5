"""Hostile inputs for every route: odd paths and query values, and malformed Dash callback requests."""
from __future__ import annotations

import json

PAGE_CALLBACK = ".._pages_content.children..._pages_store.data.."

VALUES = [
    "../../../../etc/passwd", "..%2f..%2f..%2fetc%2fpasswd", "%00", "a\x00b", "x" * 5000, "新昌县\u202e\U0001f600",
    "' OR 1=1 --", "1; DROP TABLE observations; --", "<script>alert(1)</script>", "${jndi:ldap://x}", "%s%s%n",
    "-1", "99999999999999999999", "NaN", "[]", "{}", "\r\nSet-Cookie: x=1", "\\\\server\\share", " ", "",
]
SUFFIXES = ["", "/", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%00", "/%ff%fe", "/" + "a" * 3000,
            "/新昌", "/'%20OR%201=1--", "/<svg onload=x>", "/..;/", "//evil.example"]
QUERY_KEYS = ["lang", "from", "to", "indicator", "sort", "matter", "firm", "scope", "department", "kind",
              "kiosk", "next", "rotate", "page", "job", "run"]


def page_request(pathname: str, search: str = "") -> dict:
    """The body dash-renderer posts to render a page of the multi-page app (the page container callback)."""
    return {"output": PAGE_CALLBACK,
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}


def callback_bodies(callback_map: dict) -> list:
    """Malformed callback bodies: not JSON objects, unknown outputs, known outputs with missing or hostile parts."""
    bodies: list = [b"not json", b"", b"[]", b"null", b'"x"', b"{", b'{"output": 1}', json.dumps({}).encode(),
                    json.dumps({"output": "nope.children"}).encode(),
                    json.dumps({"output": "nope.children", "outputs": {"id": "nope", "property": "children"},
                                "inputs": [], "changedPropIds": []}).encode(),
                    json.dumps({"output": "x" * 100_000}).encode()]
    for output, spec in callback_map.items():
        inputs = [{"id": i["id"], "property": i["property"]} for i in spec["inputs"]]
        state = [{"id": s["id"], "property": s["property"]} for s in spec.get("state", [])]
        bodies.append({"output": output})
        bodies.append({"output": output, "inputs": "x", "state": 5, "outputs": None, "changedPropIds": "x"})
        bodies.append({"output": output, "inputs": [], "state": [], "outputs": [], "changedPropIds": []})
        bodies.append({"output": output, "inputs": [1, 2, 3], "state": [None], "outputs": [{}], "changedPropIds": [7]})
        for value in (None, "' OR 1=1 --", "x" * 5000, {"a": [1, {"b": None}]}, [None, "新昌"], -1, 1e308, True,
                      {"points": [{"customdata": ["../../etc/passwd"], "x": None}]}):
            bodies.append({"output": output, "outputs": [], "changedPropIds": [f"{i['id']}.{i['property']}"
                                                                                  for i in inputs[:1]
                                                                                  if isinstance(i["id"], str)],
                           "inputs": [dict(i, value=value) for i in inputs],
                           "state": [dict(s, value=value) for s in state]})
    return bodies
