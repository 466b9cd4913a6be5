"""Compression on the wire: bundles in Brotli (gzip for clients without it) compressed once per worker, callback
JSON per response, the version poll plain, CSV exports still streamed and untouched."""
from __future__ import annotations

import brotli
import pytest

from cockpit.web import compression

PLOTLY = "/_dash-component-suites/plotly/package_data/plotly.min.js"
CHROMIUM = {"Accept-Encoding": "gzip, deflate, br, zstd"}


@pytest.fixture
def client(store_url, seeded_store, tmp_path):
    from cockpit import create_app
    app = create_app(DATABASE_URL=store_url, COCKPIT_DATA_DIR=tmp_path)
    return app.server.test_client()


def test_a_bundle_is_brotli_compressed_once_at_the_higher_quality(client, monkeypatch):
    first = client.get(PLOTLY, headers=CHROMIUM)
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "br"
    calls = []
    monkeypatch.setattr(compression.brotli, "compress", lambda *a, **k: calls.append(1))
    second = client.get(PLOTLY, headers=CHROMIUM)
    assert calls == []  # served from the worker's cache, not compressed again
    assert brotli.decompress(second.data) == brotli.decompress(first.data)
    assert len(second.data) < 1.3e6 < len(first.data)  # the kept copy is quality 9, the first answer quality 4


def test_made_up_fingerprints_share_one_cache_entry():
    assert compression.bundle_key("/_dash-component-suites/dash/dcc/dash_core_components.v4_4_1m12.js") \
        == compression.bundle_key("/_dash-component-suites/dash/dcc/dash_core_components.v9_9_9m99.js")
    assert compression.bundle_key("/_dash-layout") == compression.bundle_key("/api/wall") == ""


def test_gzip_for_clients_without_brotli(client):
    resp = client.get(PLOTLY, headers={"Accept-Encoding": "gzip"})
    assert resp.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in resp.headers["Vary"]


def test_dynamic_json_is_compressed_per_response_and_never_cached(client):
    client.get(PLOTLY, headers=CHROMIUM)
    zh, en = (client.get(f"/api/wall?lang={lang}&panels=rd,depts", headers=CHROMIUM) for lang in ("zh", "en"))
    assert zh.headers["Content-Encoding"] == en.headers["Content-Encoding"] == "br"
    assert "来源".encode() in brotli.decompress(zh.data) and b"Source" in brotli.decompress(en.data)
    kept = client.application.extensions["compress"].cache.data
    assert list(kept) == ["br;/_dash-component-suites/plotly/package_data/plotly.min.js"]


def test_the_version_poll_stays_plain(client):
    resp = client.get("/api/version", headers=CHROMIUM)
    assert resp.status_code == 200 and "Content-Encoding" not in resp.headers


def test_csv_exports_stay_streamed_and_uncompressed(client):
    resp = client.get("/export/observations.csv?indicator=rd_intensity", headers=CHROMIUM, buffered=False)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.is_streamed and "Content-Encoding" not in resp.headers
    assert resp.get_data().startswith("\ufeff".encode())
