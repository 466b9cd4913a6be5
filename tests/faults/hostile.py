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


def raw_requests(host: str) -> list[tuple[str, bytes]]:
    """Whole HTTP requests as bytes, for a real server (gunicorn): what a test client cannot send because it
    builds the request itself. Bad request lines, header names and values, framing, hostile Host, Referer and
    Cookie headers, raw (unencoded) hostile paths and query values. (name, request)"""
    ok = f"Host: {host}\r\nAccept: text/html\r\n"
    get = lambda target, headers=ok, version="HTTP/1.1": f"GET {target} {version}\r\n{headers}\r\n".encode(
        "utf-8", "surrogateescape")
    cases = [
        ("overlong request line", get("/departments/" + "a" * 9000)),
        ("overlong header", get("/", ok + "X-Long: " + "v" * 9000 + "\r\n")),
        ("too many headers", get("/", ok + "".join(f"X-H{i}: {i}\r\n" for i in range(150)))),
        ("header name with a space", get("/", ok + "Bad Header: x\r\n")),
        ("header name with a colon only", get("/", ok + ": x\r\n")),
        ("NUL in a header", get("/", ok + "X-Nul: a\x00b\r\n")),
        ("bare CR in a header", get("/", ok + "X-Cr: a\rb\r\n")),
        ("obsolete line folding", get("/", ok + "X-Fold: a\r\n b\r\n")),
        ("no Host in HTTP/1.1", get("/", "Accept: text/html\r\n")),
        ("two Hosts", get("/", ok + "Host: other.example\r\n")),
        ("hostile Host", get("/", "Host: <script>alert(1)</script>\r\nAccept: text/html\r\n")),
        ("Host with a bad port", get("/", "Host: example:99999\r\n")),
        ("absolute-form target", get("http://evil.example/departments")),
        ("unknown HTTP version", get("/", ok, "HTTP/9.9")),
        ("no HTTP version", b"GET /\r\n\r\n"),
        ("unknown method", f"BREW / HTTP/1.1\r\n{ok}\r\n".encode()),
        ("lower-case method", f"get / HTTP/1.1\r\n{ok}\r\n".encode()),
        ("garbage", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)) + b"\r\n\r\n"),
        ("non-UTF-8 path", b"GET /departments/\xff\xfe HTTP/1.1\r\n" + ok.encode() + b"\r\n"),
        ("Referer that is no URL", get("/_dash-layout", ok + "Referer: http://[::1\r\n")),
        ("Referer with a bad port", get("/_dash-layout", ok + "Referer: http://x:99999/?rotate=1&rotate=2\r\n")),
        ("Referer of the wall, repeated params", get("/_dash-layout", ok + f"Referer: http://{host}/?rotate=1&rotate=x&lang=fr\r\n")),
        ("malformed session cookie", get("/departments", ok + "Cookie: session=.eJx!!garbage; _csrf_token=\"\x7f\r\n")),
        ("huge cookie", get("/", ok + "Cookie: session=" + "a" * 7000 + "\r\n")),
        ("hostile Accept-Language and Accept", get("/", f"Host: {host}\r\nAccept: ;;;q=x\r\nAccept-Language: ,,;q=2\r\n")),
        ("hostile X-Forwarded-For", get("/login", ok + "X-Forwarded-For: ' OR 1=1 --, ::ffff:999.1.1.1\r\n")),
    ]
    post = lambda headers, body=b"": (f"POST /_dash-update-component HTTP/1.1\r\n{ok}Content-Type: application/json\r\n"
                                      f"{headers}\r\n").encode() + body
    cases += [
        ("negative Content-Length", post("Content-Length: -1\r\n", b"{}")),
        ("non-numeric Content-Length", post("Content-Length: ten\r\n", b"{}")),
        ("two Content-Lengths", post("Content-Length: 2\r\nContent-Length: 3\r\n", b"{}")),
        ("Content-Length and chunked", post("Content-Length: 2\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n")),
        ("bad chunk size", post("Transfer-Encoding: chunked\r\n", b"zz\r\n{}\r\n0\r\n\r\n")),
        ("unknown Transfer-Encoding", post("Transfer-Encoding: gzip, identity\r\n", b"{}")),
        ("short body", post("Content-Length: 100\r\n", b"{}")),
        ("deeply nested body", post(f"Content-Length: {200_000}\r\n", b"[" * 100_000 + b"]" * 100_000)),
        ("body over the size limit", post(f"Content-Length: {5 << 20}\r\n", b"{" * (5 << 20))),
    ]
    for suffix in SUFFIXES:  # unencoded, as a browser or a script would send them
        cases.append((f"path {suffix[:40]!r}", get("/departments" + suffix)))
        cases.append((f"chains path {suffix[:40]!r}", get("/chains/bearings" + suffix)))
    for value in VALUES:
        raw = value.replace("\r", "%0D").replace("\n", "%0A").replace(" ", "%20").replace("#", "%23")
        cases.append((f"raw query {value[:30]!r}", get(f"/departments/kjj?from={raw}&lang={raw}")))
    return cases
