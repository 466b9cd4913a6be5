"""Brotli (else gzip) on the wire through Flask-Compress: Dash's static bundles compressed once per worker and
kept, callback JSON and pages per response, the version poll and streamed CSV exports left as they are."""
from __future__ import annotations

from pathlib import Path

import brotli
from dash.fingerprint import check_fingerprint
from flask import Flask, Response, request
from flask_compress import Compress

BUNDLES = "/_dash-component-suites/"
ASSETS = "/assets/"
ASSETS_DIR = (Path(__file__).resolve().parents[2] / "assets").resolve()
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))
BUNDLE_BR_QUALITY = 9  # plotly.js 1.47 MB gzip -> 1.23 MB in 0.4 s; quality 11 gives 1.11 MB but takes 9 s
SETTINGS = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],  # Chromium asks for br even over plain http://127.0.0.1
    "COMPRESS_BR_LEVEL": 4,  # per response (callback JSON): a tenth of quality 9's CPU for about the same size
    "COMPRESS_LEVEL": 6,
    # Below one packet compression saves nothing worth its CPU; this keeps the version poll (~300 B) plain.
    "COMPRESS_MIN_SIZE": 1400,
    # Streamed responses stay as they are: CSV exports reach the client as they are written (text/csv is not
    # in the compressed types either), and the few KB of /assets are not worth a compressor per request.
    "COMPRESS_STREAMS": False,
    "COMPRESS_CACHE_KEY": lambda req: bundle_key(req.path),
}


def bundle_key(path: str) -> str:
    """The cache key of a Dash bundle (its path without Dash's fingerprint, so made-up fingerprints share one
    entry and cannot fill the cache), or "" for every other response, which is never cached."""
    return check_fingerprint(path)[0] if path.startswith(BUNDLES) else ""


class BundleCache:
    """Flask-Compress's response cache, holding Dash bundles only: a bundle's path names fixed content (an
    installed package file), so each is compressed once per worker, not per request (FIELD_NOTES: gzipping
    plotly.js per request costs 140-210 ms of CPU). Flask-Compress compresses at one quality for every
    response; a kept bundle is worth more, so its Brotli body is redone at BUNDLE_BR_QUALITY before keeping."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def set(self, key: str, value: bytes) -> None:
        algorithm, _, path = key.partition(";")
        if not path or key in self.data:  # "" is every response that is not a bundle; a hit is set again too
            return
        if algorithm == "br":
            value = brotli.compress(brotli.decompress(value), quality=BUNDLE_BR_QUALITY, lgwin=22)
        self.data[key] = value


def init_app(server: Flask) -> None:
    for name, value in SETTINGS.items():
        server.config.setdefault(name, value)
    server.config.setdefault("COMPRESS_CACHE_BACKEND", BundleCache)
    server.extensions["compress"] = Compress(server)
    server.after_request(serve_precompressed)  # after Compress: runs first, and Compress leaves an encoded body be


def serve_precompressed(response: Response) -> Response:
    """An asset with a pre-compressed sibling (assets/vendor/plotly-cockpit.min.js.br, .gz, built by .ci/plotly)
    is answered with that file: Brotli at quality 11 once at build time, nothing compressed per request."""
    if not request.path.startswith(ASSETS) or response.status_code != 200 or "Content-Encoding" in response.headers:
        return response
    source = (ASSETS_DIR / request.path[len(ASSETS):]).resolve()
    if ASSETS_DIR not in source.parents:
        return response
    for encoding, suffix in PRECOMPRESSED:
        sibling = source.with_name(source.name + suffix)
        if request.accept_encodings[encoding] > 0 and sibling.is_file():
            out = Response(sibling.read_bytes(), mimetype=response.mimetype)
            out.headers["Content-Encoding"] = encoding
            out.headers["ETag"] = f'"{response.get_etag()[0]}-{encoding}"'
            break
    else:
        if not any(source.with_name(source.name + s).is_file() for _, s in PRECOMPRESSED):
            return response
        out = response
    out.vary.add("Accept-Encoding")
    if request.args.get("m"):  # Dash names the file's version (its mtime) in ?m=: the URL's content never changes
        out.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return out
