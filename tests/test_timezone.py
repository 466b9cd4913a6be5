"""One time zone (issue 11 #2): instants are stored as naive UTC and shown in COCKPIT_TZ; "today" and year-to-date
are cut in COCKPIT_TZ; nothing reads the process clock's zone. The acceptance test serves one store from two
gunicorn processes started with TZ=UTC and TZ=Asia/Shanghai and compares screens and exports byte for byte."""
from __future__ import annotations

import calendar
import os
import re
import time
from datetime import datetime

import pandas as pd
import pytest
import requests
from sqlalchemy import insert, select, text

from cockpit import create_app
from cockpit.queries import ops as ops_queries
from cockpit.queries import wall as wall_queries
from cockpit.queries._sql import epoch
from cockpit.settings import SettingsError, get_settings
from cockpit.snapshot import read_snapshot
from cockpit.web import health
from etl import clock, load, migrate, schedule, validate
from etl.catalogue import Lookups, read_catalogue
from etl.engine import make_engine
from etl.jobs import read_jobs
from etl.sources.base import Batch, with_location
from etl.store import AuditEvent, EtlRun, JobLock, User
from faults.hostile import page_request
from faults.servers import Gunicorn
from partial_stores import ListSource

SCHEDULE = """[[jobs]]
name = "history"
source = "demo"
trigger = { cron = "5 0 * * *" }

[[jobs]]
name = "feed"
source = "demo_feed"
trigger = { every = "24h" }
"""
MATTERS = [("tz_m1", "时区事项", "Time zone matter", "matters", "kjj", 5)]
CASES = [("TZ-A", "2026-12-31 09:00:00", "2026-12-31 23:30:00"),   # the last half hour of 2026, local time
         ("TZ-B", "2026-12-31 23:50:00", "2027-01-01 00:10:00"),   # the first ten minutes of 2027
         ("TZ-C", "2025-12-31 22:00:00", "2026-01-01 00:10:00")]   # last year's first ten minutes
STAMP = datetime(2026, 12, 2, 5, 0, 0)  # the frozen UTC moment runs are stamped at: 13:00 in Asia/Shanghai




def _batch(kind: str, rows: list, columns: list[str]) -> Batch:
    df = pd.DataFrame(rows, columns=columns)
    return Batch(kind, f"{kind}.csv", with_location(df, f"{kind}.csv", first_row=2))


def small_store(engine, job: str = "history") -> load.RunResult:
    """Matters, three cases about the New Year and a few observations, in one run of `job`."""
    matters = _batch("matters", MATTERS, ["code", "name_zh", "name_en", "section", "department_code",
                                          "promised_days"])
    cases = _batch("cases", [(no, "tz_m1", sub, done) for no, sub, done in CASES],
                   ["case_no", "matter", "submitted_at", "completed_at"])
    obs = _batch("observations", [("rd_intensity", str(y), "county", f"{3 + y / 1000:.3f}") for y in (2021, 2022, 2023)],
                 ["indicator", "period", "scope", "value"])
    result = load.run(engine, job, ListSource(matters, cases, obs), today=datetime(2026, 12, 2).date())
    assert result.status == "success", result.error
    return result


@pytest.fixture(autouse=True)
def _restore_zones():
    """Every test leaves the configured zone and the process clock's zone as it found them."""
    zone, tz = clock._zone, os.environ.get("TZ")
    yield
    clock._zone = zone
    if tz is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = tz
    time.tzset()


def process_tz(name: str) -> None:
    """Set the process clock's zone, as `TZ=... python app.py` would."""
    os.environ["TZ"] = name
    time.tzset()


def frozen(monkeypatch, moment: datetime) -> None:
    """Freeze the one clock at `moment` (naive UTC); every "now" goes through clock.utc_now."""
    monkeypatch.setattr(clock, "utc_now", lambda: moment)


@pytest.fixture
def sqlite_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    engine = make_engine(url)
    migrate.prepare(engine, read_catalogue())
    yield url, engine
    engine.dispose()


def _app(url, tmp_path, **extra):
    sched = tmp_path / "schedule.toml"
    sched.write_text(SCHEDULE, encoding="utf-8")
    app = create_app(DATABASE_URL=url, COCKPIT_DATA_DIR=tmp_path, COCKPIT_SCHEDULE=sched, COCKPIT_SEED_DEMO="false",
                     COCKPIT_RUN_SCHEDULER="false", **extra)
    app.server.config["TESTING"] = True
    client = app.server.test_client()
    client.get("/")
    return client, {"X-CSRFToken": client.get_cookie("_csrf_token").value}


def _shown_times(client, headers) -> dict:
    """What the screens and an export say about the run: ops page, wall caption, CSV cell and footer."""
    ops = client.post("/_dash-update-component", json=page_request("/ops", "?lang=en"),
                      headers=headers).get_data(as_text=True)
    wall = client.get("/api/wall?panels=rd&lang=en").get_json()
    frame, meta = read_snapshot(client.get("/export/observations.csv?indicator=rd_intensity").data)
    return {"ops": re.findall(r'"children":"([^"]*)"', ops), "caption": wall["captions"]["rd"], "cell": set(frame["loaded_at"]), "as_of": meta["as_of"]}


# --- settings -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["Mars/Olympus_Mons", "Asia/Shanghia", "../../etc/passwd", "", " UTC"])
def test_a_bad_cockpit_tz_is_refused_with_a_settings_error_that_names_it(bad):
    with pytest.raises(SettingsError, match="COCKPIT_TZ") as caught:
        get_settings(COCKPIT_TZ=bad)
    assert "IANA" in str(caught.value)
    assert get_settings(COCKPIT_TZ="UTC").cockpit_tz == "UTC" and clock.zone().key == "UTC"  # the process's zone now
    process_tz("UTC")  # the process clock's zone is no setting of the cockpit's
    assert get_settings().cockpit_tz == os.environ.get("COCKPIT_TZ", "Asia/Shanghai")


# --- stamps in UTC, shown in COCKPIT_TZ ----------------------------------------------------------------------------

def test_a_run_stamped_in_utc_is_shown_in_cockpit_tz(sqlite_store, tmp_path, monkeypatch):
    url, engine = sqlite_store
    frozen(monkeypatch, STAMP)
    process_tz("America/New_York")  # neither UTC nor the configured zone: nothing may follow it
    run = small_store(engine)
    with engine.connect() as conn:
        stored = conn.execute(select(EtlRun.started_at, EtlRun.ended_at).where(EtlRun.id == run.run_id)).one()
    assert tuple(stored) == (STAMP, STAMP)  # the store keeps naive UTC
    shown = _shown_times(*_app(url, tmp_path))
    assert shown["ops"].count("2026-12-02 13:00:00") == 2  # its last run and its last success
    assert "2026-12-03 00:05:00" in shown["ops"]  # and the next run, 00:05 on the county's clock
    assert shown["caption"].endswith("loaded 2026-12-02 13:00")
    assert shown["cell"] == {"2026-12-02 13:00:00"} and shown["as_of"] == "2026-12-02 13:00:00"


def test_cockpit_tz_utc_changes_what_is_shown(sqlite_store, tmp_path, monkeypatch):
    url, engine = sqlite_store
    frozen(monkeypatch, STAMP)
    small_store(engine)
    shown = _shown_times(*_app(url, tmp_path, COCKPIT_TZ="UTC"))
    assert shown["ops"].count("2026-12-02 05:00:00") == 2 and "2026-12-02 13:00:00" not in shown["ops"]
    assert shown["caption"].endswith("loaded 2026-12-02 05:00")
    assert shown["cell"] == {"2026-12-02 05:00:00"} and shown["as_of"] == "2026-12-02 05:00:00"
    nightly = ops_queries.job_status(engine, read_jobs(tmp_path / "schedule.toml")).set_index("job")
    assert nightly.loc["history", "next_run"] == datetime(2026, 12, 3, 0, 5)  # 00:05 UTC now, as stored


def test_users_audit_rows_locks_and_requests_are_stamped_in_utc(sqlite_store, monkeypatch):
    from etl.accounts import add_user, write_audit
    from etl.requests import request_run, take_requests
    _, engine = sqlite_store
    frozen(monkeypatch, STAMP)
    process_tz("Asia/Shanghai")
    add_user(engine, "tz-admin", "correct horse battery", "admin")
    write_audit(engine, "login", "tz", "", "tz-admin", "admin")
    assert schedule.claim(engine, "history", "2026-12-01T16:05:00")
    request_run(engine, "history")
    assert take_requests(engine) == ["history"]
    with engine.connect() as conn:
        assert conn.execute(select(User.created_at)).scalar() == STAMP
        assert conn.execute(select(AuditEvent.at)).scalar() == STAMP
        assert conn.execute(select(JobLock.locked_until)).scalar() == STAMP + schedule.LOCK_TTL
        assert conn.execute(text("SELECT requested_at, taken_at FROM run_requests")).one() == (
            str(STAMP) + ".000000", str(STAMP) + ".000000")


# --- periods cut in COCKPIT_TZ -------------------------------------------------------------------------------------

@pytest.mark.parametrize("process", ["UTC", "Asia/Shanghai", "America/Los_Angeles"])
def test_year_to_date_is_cut_at_the_local_new_year_whatever_the_process_zone(sqlite_store, tmp_path, monkeypatch,
                                                                             process):
    url, engine = sqlite_store
    small_store(engine)
    process_tz(process)
    client, _ = _app(url, tmp_path)
    frozen(monkeypatch, datetime(2026, 12, 31, 15, 45))  # 2026-12-31 23:45 in Asia/Shanghai
    assert clock.today().isoformat() == "2026-12-31"
    tile = client.get("/api/wall?panels=&lang=en").get_json()["kpis"]["matters_handled"]
    assert tile["v"] == 2  # TZ-A (23:30 local) and TZ-C count in 2026; TZ-B is still to come
    frozen(monkeypatch, datetime(2026, 12, 31, 16, 30))  # 2027-01-01 00:30 local: a new day key, a new year
    tile = client.get("/api/wall?panels=&lang=en").get_json()["kpis"]["matters_handled"]
    assert tile["v"] == 1  # TZ-B only
    row = wall_queries.matters_ytd(engine, clock.today().isoformat())
    assert row["period"] == "2027" and row["compare"] == 1  # last year to the same moment: TZ-C


def test_offsets_are_converted_into_cockpit_tz_and_naive_times_kept():
    raw = pd.DataFrame({"case_no": ["1", "2", "3"], "matter": ["m", "m", "m"],
                        "submitted_at": ["2026-12-31T23:30:00+08:00", "2026-12-31T15:30:00Z", "2026-12-31 23:30"],
                        "_location": "x", "_row": [1, 2, 3]})
    lookups = Lookups(matters={"m": "m"}, matter_departments={"m": "kjj"}, departments={"kjj": "kjj"})
    clock.use("Asia/Shanghai")
    shanghai = validate.cases(raw, lookups)[0]["submitted_at"].tolist()
    assert shanghai == [pd.Timestamp("2026-12-31 23:30")] * 3
    clock.use("UTC")
    utc = validate.cases(raw, lookups)[0]["submitted_at"].tolist()
    assert utc == [pd.Timestamp("2026-12-31 15:30"), pd.Timestamp("2026-12-31 15:30"), pd.Timestamp("2026-12-31 23:30")]


# --- ages, epochs and the scheduler ignore the process clock --------------------------------------------------------

@pytest.mark.parametrize("process", ["UTC", "Asia/Shanghai"])
def test_epochs_ages_and_freshness_do_not_follow_the_process_zone(sqlite_store, tmp_path, monkeypatch, process):
    _, engine = sqlite_store
    frozen(monkeypatch, STAMP)
    small_store(engine)
    process_tz(process)
    assert epoch(STAMP) == calendar.timegm(STAMP.timetuple())  # a stored instant is UTC
    frozen(monkeypatch, datetime(2026, 12, 2, 20, 0))  # 04:00 the next day in Asia/Shanghai
    body, _ = health.readiness(engine, migrate.head_revision())
    assert body["last_load_age_s"] == 15 * 3600.0
    (tmp_path / "schedule.toml").write_text(SCHEDULE, encoding="utf-8")
    status = ops_queries.job_status(engine, read_jobs(tmp_path / "schedule.toml")).set_index("job")
    assert status.loc["history", "freshness"] == "ok" and status.loc["history", "last_success"] == STAMP
    assert status.loc["history", "next_run"] == datetime(2026, 12, 3, 16, 5)  # 12-04 00:05 in Asia/Shanghai, as UTC
    assert status.loc["feed", "next_run"] == datetime(2026, 12, 3, 16, 0)  # the 24h grid starts at local midnight


@pytest.mark.parametrize("process", ["UTC", "Asia/Shanghai"])
def test_the_scheduler_and_its_ticks_run_in_cockpit_tz(tmp_path, monkeypatch, process):
    process_tz(process)
    clock.use("Asia/Shanghai")
    (tmp_path / "schedule.toml").write_text(SCHEDULE, encoding="utf-8")
    jobs = read_jobs(tmp_path / "schedule.toml")
    scheduler = schedule.build_scheduler(None, jobs)
    assert str(scheduler.timezone) == "Asia/Shanghai"
    assert all(str(j.make_trigger().timezone) == "Asia/Shanghai" for j in jobs)
    frozen(monkeypatch, datetime(2026, 12, 2, 16, 5, 30))  # 30 s after the nightly fire time, 00:05 local
    assert schedule._scheduled_tick(jobs[0], jobs[0].make_trigger()) == "2026-12-02T16:05:00"  # its fire time, UTC


# --- migration 0011 ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_migration_0011_moves_stored_local_instants_to_utc_and_back(dialect, tmp_path, request):
    from alembic import command
    if dialect == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite'}"
        engine = make_engine(url)
    else:
        from conftest import _fresh_pg
        url = request.getfixturevalue("pg_database")
        engine = _fresh_pg(url)
    try:
        migrate.upgrade(engine, "0010")
        local = datetime(2026, 1, 1, 7, 30, 0)  # written by a process on Asia/Shanghai's clock
        with engine.begin() as conn:
            conn.execute(insert(EtlRun).values(job="j", source="s", location="l", started_at=local, ended_at=None,
                                               status="running", is_demo=False))
            conn.execute(insert(AuditEvent).values(at=local, action="login", target="", detail="", username="u",
                                                   role="admin", address=""))
            conn.execute(insert(JobLock).values(job="j", last_tick="2026-01-01T00:05:00", locked_until=local))
            conn.execute(insert(JobLock).values(job="k", last_tick="", locked_until=None))
        migrate.upgrade(engine, "0011")
        with engine.connect() as conn:
            assert conn.execute(select(EtlRun.started_at, EtlRun.ended_at)).one() == (datetime(2025, 12, 31, 23, 30),
                                                                                      None)
            assert conn.execute(select(AuditEvent.at)).scalar() == datetime(2025, 12, 31, 23, 30)
            locks = dict(conn.execute(select(JobLock.job, JobLock.last_tick)).all())
            assert locks == {"j": "2025-12-31T16:05:00", "k": ""}
        cfg = migrate.alembic_config(url)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0010")
        with engine.connect() as conn:
            assert conn.execute(select(AuditEvent.at)).scalar() == local
            assert conn.execute(select(JobLock.last_tick).where(JobLock.job == "j")).scalar() == "2026-01-01T00:05:00"
    finally:
        engine.dispose()


# --- the acceptance test: two processes, two process zones, one store ---------------------------------------------

def _screens(base: str) -> dict:
    s = requests.Session()
    s.get(base + "/", timeout=30)
    headers = {"X-CSRFToken": s.cookies["_csrf_token"]}
    version = s.get(base + "/api/version", timeout=30).json()
    version.pop("now")  # the server clock, fresh on every poll
    ready = s.get(base + "/readyz", timeout=30).json()
    age = ready.pop("last_load_age_s")
    return {
        "cases.csv": s.get(base + "/export/cases.csv", timeout=60).content,
        "observations.csv": s.get(base + "/export/observations.csv?indicator=rd_intensity", timeout=60).content,
        "wall": s.get(base + "/api/wall?panels=rd,depts,ontime&lang=en", timeout=60).json(),
        "version": version,
        "ops": s.post(base + "/_dash-update-component", json=page_request("/ops", "?lang=en"), headers=headers,
                      timeout=60).json(),
        "healthz": s.get(base + "/healthz", timeout=30).json(), "readyz": ready, "age": age,
    }


def test_the_same_store_served_under_tz_utc_and_asia_shanghai_gives_the_same_screens_and_bytes(tmp_path):
    url = f"sqlite:///{tmp_path / 'cockpit.sqlite'}"
    engine = make_engine(url)
    migrate.prepare(engine, read_catalogue())
    small_store(engine)
    engine.dispose()
    (tmp_path / "schedule.toml").write_text(SCHEDULE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("TZ", "COCKPIT_TZ")}
    env.update(COCKPIT_DATA_DIR=str(tmp_path), DATABASE_URL="", COCKPIT_SCHEDULE=str(tmp_path / "schedule.toml"),
               COCKPIT_SEED_DEMO="0", COCKPIT_RUN_SCHEDULER="0", COCKPIT_ENV="development")
    servers = []
    try:
        for tz in ("UTC", "Asia/Shanghai"):  # one after the other: each migrates and seeds the catalogue at start
            servers.append(Gunicorn(dict(env, TZ=tz), tmp_path / f"gunicorn-{tz.replace('/', '-')}.log",
                                    workers=1).start())
        utc, shanghai = (_screens(s.url) for s in servers)
    finally:
        for server in servers:
            server.stop()
    for part in ("cases.csv", "observations.csv", "wall", "version", "ops", "healthz", "readyz"):
        assert utc[part] == shanghai[part], part
    assert abs(utc["age"] - shanghai["age"]) < 60  # the same age, give or take the time between the requests
    assert b"TZ-A" in utc["cases.csv"] and b"2026-12-31 23:30:00" in utc["cases.csv"]  # civil times as given
    with make_engine(url).connect() as conn:
        last = conn.execute(select(EtlRun.ended_at).where(EtlRun.status == "success")).scalar()
    assert utc["version"]["last"] == calendar.timegm(last.timetuple())  # the stored UTC instant, as epoch seconds
