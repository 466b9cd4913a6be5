"""Gzip on the wire without gzipping per request: static bundles compressed once and kept, big JSON on the fly."""
from __future__ import annotations

import gzip

from flask import Flask, request

STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/")
DYNAMIC_TYPES = ("application/json", "text/html")
MIN_BYTES = 1400  # below one packet gzip saves nothing worth its CPU (the version poll stays uncompressed)


def init_app(server: Flask) -> None:
    # plotly.js is 4.8 MB: gzipping it per request costs 140-210 ms of CPU (FIELD_NOTES), once per process is enough.
    compressed: dict[tuple[str, int], bytes] = {}

    @server.after_request
    def gzip_response(response):
        if (response.status_code != 200 or "gzip" not in request.headers.get("Accept-Encoding", "")
                or "Content-Encoding" in response.headers):
            return response
        static = request.path.startswith(STATIC_PREFIXES)
        if not static and response.mimetype not in DYNAMIC_TYPES:
            return response
        response.direct_passthrough = False
        body = response.get_data()
        if len(body) < MIN_BYTES:
            return response
        if static:
            key = (request.path, len(body))
            if key not in compressed:
                compressed[key] = gzip.compress(body, 6)
            data = compressed[key]
        else:
            data = gzip.compress(body, 5)
        response.set_data(data)
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(data))
        response.vary.add("Accept-Encoding")
        return response
