"""/healthz and /readyz: up, ready when migrated, not ready (503, no traceback) when the store is missing."""
from __future__ import annotations

from cockpit import create_app
from etl import load
from etl.sources import FileDropSource


def test_ready_when_migrated_with_load_age(store_url, engine, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("indicator,period,scope,value\ngdp,2021,county,1\n", encoding="utf-8")
    load.run(engine, "upload", FileDropSource(files=[str(path)], move=False))
    client = create_app(DATABASE_URL=store_url, COCKPIT_DATA_DIR=tmp_path).server.test_client()
    assert client.get("/healthz").get_json() == {"ok": True}
    resp = client.get("/readyz")
    body = resp.get_json()
    assert resp.status_code == 200 and body["ready"] and body["migration"] == body["head"]
    assert 0 <= body["last_load_age_s"] < 60


def test_not_ready_on_an_unmigrated_or_unreachable_store(tmp_path):
    client = create_app(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite'}").server.test_client()
    resp = client.get("/readyz")
    assert resp.status_code == 503 and resp.get_json()["ready"] is False
    down = create_app(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none").server.test_client()
    resp = down.get("/readyz")
    assert resp.status_code == 503 and resp.get_json()["database"].startswith("unreachable")
    assert down.get("/healthz").status_code == 200
