"""The operations page on SQLite and PostgreSQL: jobs with schedule, last run, counts, next run and freshness; run
now (audited, in the background, under the job's lock); rejected rows and their CSV; refused files; admin only."""
from __future__ import annotations

import base64
import json
import re
import time
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

from cockpit import create_app
from cockpit.queries import ops as ops_queries
from etl.accounts import add_user
from cockpit.snapshot import read_snapshot
from etl import clock, schedule
from etl.jobs import GRID_START, read_jobs
from etl.store import AuditEvent, EtlRun
from faults.hostile import page_request

PASSWORD = "correct horse battery"
SCHEDULE = """[[jobs]]
name = "file-drop"
source = "file_drop"
options = { folder = "drop", settle_seconds = 0 }
trigger = { every = "5m" }

[[jobs]]
name = "nightly"
source = "demo"
trigger = { cron = "5 0 * * *" }
"""


@pytest.fixture
def ops_store(engine, tmp_path):
    """A store where the file-drop job ran once: one good row, two rejected rows, one refused file."""
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "mixed.csv").write_text("indicator,period,scope,value\nrd_intensity,2020,county,abc\n"
                                    "no_such_indicator,2020,county,1\nrd_intensity,2021,county,4.4\n", encoding="utf-8")
    (drop / "broken.csv").write_bytes(b"\x00\x01 not text")
    sched = tmp_path / "schedule.toml"
    sched.write_text(SCHEDULE, encoding="utf-8")
    result = schedule.run_job(engine, read_jobs(sched)[0])
    assert result.status == "partial" and result.rows_rejected == 2
    return sched


def _app(store_url, tmp_path, sched, **extra):
    app = create_app(DATABASE_URL=store_url, COCKPIT_DATA_DIR=tmp_path, COCKPIT_SCHEDULE=sched, **extra)
    app.server.config["TESTING"] = True
    return app


def _client(app):
    client = app.server.test_client()
    client.get("/")
    return client, {"X-CSRFToken": client.get_cookie("_csrf_token").value}


def _click(output: str, kind: str, job: str, lang: str | None = None) -> dict:
    """The body dash-renderer posts when one button of a pattern-matching (ALL) group is clicked."""
    body = {"output": output, "outputs": {"id": output.split(".")[0], "property": output.split(".")[1]},
            "inputs": [[{"id": {"type": kind, "job": job}, "property": "n_clicks", "value": 1}]],
            "changedPropIds": [json.dumps({"job": job, "type": kind}, separators=(",", ":")) + ".n_clicks"],
            "state": [{"id": "ops-lang", "property": "data", "value": lang}] if lang else []}
    return body


def _texts(resp) -> list[str]:
    return re.findall(r'"children":"([^"]*)"', resp.get_data(as_text=True).replace("\\u002f", "/"))


def _runs(engine, job: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(EtlRun).where(EtlRun.job == job)).scalar_one()


def test_each_job_shows_schedule_last_run_counts_next_run_and_freshness(store_url, engine, ops_store, tmp_path):
    client, headers = _client(_app(store_url, tmp_path, ops_store))
    resp = client.post("/_dash-update-component", json=page_request("/ops", "?lang=en"), headers=headers)
    assert resp.status_code == 200
    texts = _texts(resp)
    row = texts[texts.index("file-drop"):texts.index("nightly")]
    assert row[:2] == ["file-drop", "file_drop"] and row[2] == "every 5m"
    assert "partial" in row and "1" in row and "2" in row and "never" in row  # a refused file: no success yet
    nightly = texts[texts.index("nightly"):]
    assert nightly[2] == "cron 5 0 * * *" and "never" in nightly
    assert re.search(r"\d{4}-\d\d-\d\d 00:05:00", " ".join(nightly[:12]))  # its next run
    assert "Run now" in texts and not [t for t in texts[:40] if re.search(r"[\u4e00-\u9fff]", t) and t != "中文"]
    zh = _texts(client.post("/_dash-update-component", json=page_request("/ops"), headers=headers))
    assert "运维管理" in zh and "立即运行" in zh


def test_next_run_follows_the_trigger_and_freshness_counts_missed_intervals(engine, ops_store):
    drop_job, nightly = read_jobs(ops_store)
    now = clock.utc_now()  # the store's time: naive UTC
    status = ops_queries.job_status(engine, [drop_job, nightly], now).set_index("job")
    nxt = status.loc["file-drop", "next_run"]
    assert now <= nxt <= now + timedelta(minutes=5)  # at a grid instant exactly, the next run is now
    assert (clock.shown(nxt) - GRID_START).total_seconds() % 300 == 0  # on the grid every process shares
    assert clock.shown(status.loc["nightly", "next_run"]).strftime("%H:%M") == "00:05"  # 00:05 in COCKPIT_TZ
    assert pd.isna(status.loc["file-drop", "last_success"])  # its only run refused a file: partial, no success
    last = now - timedelta(hours=1)
    levels = [ops_queries.freshness(last, 300, last + timedelta(seconds=s)) for s in (60, 700, 1300)]
    assert levels == ["ok", "amber", "red"] and ops_queries.freshness(None, 300, now) == "never"


def test_run_now_runs_the_job_in_the_background_and_is_audited(store_url, engine, ops_store, tmp_path):
    client, headers = _client(_app(store_url, tmp_path, ops_store))
    (tmp_path / "drop" / "more.csv").write_text("indicator,period,scope,value\nrd_intensity,2022,county,4.5\n",
                                                encoding="utf-8")
    resp = client.post("/_dash-update-component", json=_click("ops-message.children", "ops-run", "file-drop", "en"),
                       headers=headers)
    assert resp.status_code == 200 and "Started: file-drop" in resp.get_data(as_text=True)
    deadline = time.time() + 20
    while _runs(engine, "file-drop") < 2 and time.time() < deadline:
        time.sleep(0.1)
    with engine.connect() as conn:
        run = conn.execute(select(EtlRun).order_by(EtlRun.id.desc()).limit(1)).one()
        audit = conn.execute(select(AuditEvent).where(AuditEvent.action == "etl_trigger")).one()
    while run.status == "running" and time.time() < deadline:
        time.sleep(0.1)
        with engine.connect() as conn:
            run = conn.execute(select(EtlRun).where(EtlRun.id == run.id)).one()
    assert run.job == "file-drop" and run.status == "success" and run.rows_loaded == 1
    assert audit.target == "file-drop" and audit.username == "open-access" and audit.role == "admin"


def test_run_now_honours_the_job_lock_so_a_second_click_does_not_run_twice(store_url, engine, ops_store, tmp_path):
    client, headers = _client(_app(store_url, tmp_path, ops_store))
    assert schedule.claim(engine, "file-drop", None, owner="scheduler-elsewhere")  # a run is in progress
    try:
        from cockpit.pages import ops
        thread = None
        with client.application.app_context():
            job = read_jobs(ops_store)[0]
            thread = ops.start_run(client.application.extensions["cockpit"].engine, job)
        thread.join(20)
        assert _runs(engine, "file-drop") == 1
    finally:
        schedule.release(engine, "file-drop", owner="scheduler-elsewhere")


def test_rejected_rows_download_as_a_snapshot_with_reasons_and_are_audited(store_url, engine, ops_store, tmp_path):
    client, headers = _client(_app(store_url, tmp_path, ops_store))
    resp = client.post("/_dash-update-component",
                       json=_click("ops-download.data", "ops-download-rejected", "file-drop"), headers=headers)
    assert resp.status_code == 200
    data = resp.json["response"]["ops-download"]["data"]
    assert data["filename"] == "rejected_rows_file-drop.csv" and data["base64"]
    frame, meta = read_snapshot(base64.b64decode(data["content"]))
    assert list(frame["row_number"]) == ["2", "3"]
    assert frame["reason"].str.len().gt(0).all() and frame["location"].str.endswith("mixed.csv").all()
    assert meta["rows"] == "2" and meta["filters"] == "job=file-drop"
    with engine.connect() as conn:
        target = conn.execute(select(AuditEvent.target).where(AuditEvent.action == "export")).scalar_one()
    assert target == "rejected_rows:file-drop"


def test_refused_files_are_listed_with_the_text_of_their_error(engine, ops_store, tmp_path):
    files = ops_queries.failed_files(read_jobs(ops_store))
    assert list(files["file"]) == ["broken.csv"]
    assert "binary file" in files.loc[0, "error"] and files.loc[0, "job"] == "file-drop"


def test_operations_are_admin_only_in_the_page_its_callbacks_and_its_path(store_url, engine, ops_store, tmp_path):
    app = _app(store_url, tmp_path, ops_store, COCKPIT_ENV="production", COCKPIT_SECRET_KEY="test-secret-of-at-least-32-characters")
    for name, role in (("ana", "analyst"), ("adm", "admin")):
        add_user(engine, name, PASSWORD, role)

    def login(username):
        client = app.server.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
        assert client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token}).status_code == 302
        client.get("/login")
        return client, {"X-CSRFToken": client.get_cookie("_csrf_token").value}

    analyst, headers = login("ana")
    assert analyst.get("/ops", headers={"Accept": "text/html"}).status_code == 403
    page = analyst.post("/_dash-update-component", json=page_request("/ops"), headers=headers)
    assert "error-403" in page.get_data(as_text=True) and "file-drop" not in page.get_data(as_text=True)
    click = analyst.post("/_dash-update-component", json=_click("ops-message.children", "ops-run", "file-drop", "en"),
                         headers=headers)
    assert "admin role" in click.get_data(as_text=True)
    download = analyst.post("/_dash-update-component",
                            json=_click("ops-download.data", "ops-download-rejected", "file-drop"), headers=headers)
    assert download.status_code == 204 or "content" not in download.get_data(as_text=True)
    time.sleep(0.5)
    assert _runs(engine, "file-drop") == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AuditEvent)
                            .where(AuditEvent.action.in_(["etl_trigger", "export"]))).scalar_one() == 0

    admin, headers = login("adm")
    assert admin.get("/ops", headers={"Accept": "text/html"}).status_code == 200
    assert "file-drop" in admin.post("/_dash-update-component", json=page_request("/ops"),
                                     headers=headers).get_data(as_text=True)


def test_run_now_without_a_scheduler_in_the_process_becomes_a_request_the_scheduler_takes_once(
        store_url, engine, ops_store, tmp_path):
    from etl.jobs import read_jobs
    from etl.requests import take_requests
    from etl.schedule import run_requested
    from etl.store import RunRequest

    app = _app(store_url, tmp_path, ops_store, COCKPIT_RUN_SCHEDULER="false")  # a gunicorn worker
    client, headers = _client(app)
    (tmp_path / "drop" / "more.csv").write_text("indicator,period,scope,value\nrd_intensity,2022,county,4.5\n",
                                                encoding="utf-8")
    before = _runs(engine, "file-drop")
    resp = client.post("/_dash-update-component", json=_click("ops-message.children", "ops-run", "file-drop", "en"),
                       headers=headers)
    assert resp.status_code == 200 and "Asked the scheduler to run: file-drop" in resp.get_data(as_text=True)
    assert _runs(engine, "file-drop") == before, "the web worker runs nothing itself"
    with engine.connect() as conn:
        request = conn.execute(select(RunRequest)).one()
    assert request.job == "file-drop" and request.taken_at is None and request.requested_by == "open-access"
    assert run_requested(engine, read_jobs(ops_store)) == ["file-drop"]  # the scheduler process's poll
    assert _runs(engine, "file-drop") == before + 1
    assert run_requested(engine, read_jobs(ops_store)) == [] and take_requests(engine) == []  # taken once
