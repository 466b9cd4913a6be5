"""Checks before anything shows (issue 12 #5): the catalogue's plausibility checks run on a load's rows; a blocking
failure holds the whole run as 待核实 (nothing of it in the fact tables, exports and the data version unchanged),
warnings publish and are recorded; `cockpit etl publish` / `discard` apply or drop a held run, audited (SQLite and
PostgreSQL)."""
from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from cockpit.cli import main
from cockpit.web import export
from etl import checks, clock, load, publish
from etl.catalogue import read_catalogue
from etl.config import ConfigError
from etl.sources.base import Batch, with_location
from etl.store import AuditEvent, EtlRun, Indicator, Observation, data_version
from etl.store_trust import HeldRow
from partial_stores import ListSource

T0 = datetime(2026, 3, 2, 1, 0)
GOOD = [("matters_handled", "2025", "county", 100), ("matters_handled", "2025", "kjj", 60),
        ("matters_handled", "2025", "fgj", 40), ("on_time_rate", "2025", "county", 97.5)]


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "utc_now", lambda: T0)


def source(rows):
    df = pd.DataFrame(rows, columns=["indicator", "period", "scope", "value"])
    return ListSource(Batch("observations", "mem.csv", with_location(df, "mem.csv", first_row=2)))


def shown(engine):
    with engine.connect() as conn:
        rows = conn.execute(select(Observation.indicator_code, Observation.scope, Observation.period,
                                   Observation.value)).all()
        return sorted(tuple(r) for r in rows), data_version(conn)


def csv(engine, indicator):
    return b"".join(export.export(engine, "observations", indicator=indicator)[1])


def run_record(engine, run_id):
    with engine.connect() as conn:
        return conn.execute(select(*EtlRun.__table__.c).where(EtlRun.id == run_id)).one()


def held_count(engine, run_id):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(HeldRow).where(HeldRow.run_id == run_id)).scalar()


def test_the_catalogue_declares_checks_and_a_wrong_one_is_a_config_error(engine, tmp_path):
    with engine.connect() as conn:
        stored = dict(conn.execute(select(Indicator.code, Indicator.checks)).all())
    assert "share_max_100" in stored["on_time_rate"].split(",")
    assert "sum:departments:0.01" in stored["matters_handled"].split(",")
    assert all(checks.rules_from(stored).values())
    text = open("data/catalogue.toml", encoding="utf-8").read()
    bad = tmp_path / "catalogue.toml"
    bad.write_text(text.replace('checks = ["non_negative", "share_max_100", "warn:jump:4"]',
                                'checks = ["non_negative", "share_max_200"]', 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"indicators\[0\] \(code 'rd_intensity'\): checks: .*share_max_200"):
        read_catalogue(bad)


def test_a_blocking_failure_holds_the_whole_run_and_nothing_of_it_shows(engine):
    assert load.run(engine, "job", source(GOOD)).status == "success"
    before, version = shown(engine)
    exported = csv(engine, "on_time_rate"), csv(engine, "rd_intensity")
    result = load.run(engine, "job", source([("on_time_rate", "2026", "county", 120.0),
                                             ("rd_intensity", "2025", "county", 4.2)]))
    assert result.status == "held"
    assert shown(engine) == (before, version)  # the good row of the same run is held too
    assert (csv(engine, "on_time_rate"), csv(engine, "rd_intensity")) == exported
    [finding] = result.checks
    assert (finding["check"], finding["level"], finding["indicator"], finding["count"]) == \
        ("share_max_100", "block", "on_time_rate", 1)
    assert finding["rows"][0]["period"] == "2026" and finding["rows"][0]["value"] == 120.0
    record = run_record(engine, result.run_id)
    assert record.status == "held" and record.checks == result.checks
    assert "share_max_100 on on_time_rate (1 rows, blocking)" in record.error
    assert held_count(engine, result.run_id) == 1
    assert [r["id"] for r in publish.held_runs(engine)] == [result.run_id]


def test_departments_that_do_not_add_up_to_the_county_hold_the_run(engine):
    rows = [("matters_handled", "2025", "county", 100), ("matters_handled", "2025", "kjj", 60),
            ("matters_handled", "2025", "fgj", 50)]
    result = load.run(engine, "job", source(rows))
    assert result.status == "held"
    [finding] = result.checks
    assert finding["check"] == "sum:departments:0.01"
    assert finding["rows"][0]["scope"] == "county" and "sum 110 vs county 100" in finding["rows"][0]["detail"]
    assert shown(engine)[0] == []
    within = [("matters_handled", "2025", "county", 100), ("matters_handled", "2025", "kjj", 60),
              ("matters_handled", "2025", "fgj", 40.5)]
    assert load.run(engine, "job", source(within)).status == "success"


def test_a_partial_run_is_summed_against_what_the_store_already_holds(engine):
    assert load.run(engine, "county", source([("matters_handled", "2025", "county", 100)])).status == "success"
    # the departments' file arrives later, alone: its 60 + 50 is checked against the county's 100 loaded before
    late = load.run(engine, "depts", source([("matters_handled", "2025", "kjj", 60),
                                             ("matters_handled", "2025", "fgj", 50)]))
    assert late.status == "held" and "sum 110 vs county 100" in late.checks[0]["rows"][0]["detail"]
    fits = [("matters_handled", "2025", "kjj", 60), ("matters_handled", "2025", "fgj", 40)]
    assert load.run(engine, "depts", source(fits)).status == "success"
    # and a revised county total is checked against the departments already loaded (60 + 40 = 100)
    revised = load.run(engine, "county", source([("matters_handled", "2025", "county", 80)]))
    assert revised.status == "held" and "sum 100 vs county 80" in revised.checks[0]["rows"][0]["detail"]
    # a department's own replaced value counts, not its stored one: kjj 60 -> 40 gives 80 vs 100 (blocking)
    assert load.run(engine, "depts", source([("matters_handled", "2025", "kjj", 40)])).status == "held"
    assert load.run(engine, "depts", source([("matters_handled", "2025", "kjj", 59.5)])).status == "success"


def test_a_negative_count_holds_the_run(engine):
    result = load.run(engine, "job", source([("patents_granted", "2025", "county", -3)]))
    assert result.status == "held" and result.checks[0]["check"] == "non_negative"


def test_warnings_publish_and_are_recorded_on_the_run(engine):
    history = [("rd_intensity", str(y), "county", v) for y, v in zip(range(2019, 2025), (3.0, 3.1, 3.25, 3.3, 3.4, 3.5))]
    first = load.run(engine, "job", source(history))
    assert first.status == "success" and first.checks == []
    _, version = shown(engine)
    result = load.run(engine, "job", source([("rd_intensity", "2025", "county", 7.9)]))
    assert result.status == "success"
    [finding] = result.checks
    assert (finding["check"], finding["level"]) == ("jump:4", "warn")
    assert ("rd_intensity", "county", "2025", 7.9) in shown(engine)[0] and shown(engine)[1] != version
    assert run_record(engine, result.run_id).checks == result.checks


def test_publish_makes_a_held_run_visible_and_moves_the_version(engine):
    assert load.run(engine, "job", source(GOOD)).status == "success"
    held = load.run(engine, "job", source([("on_time_rate", "2025", "county", 101.0),
                                           ("matters_handled", "2026", "county", 7)]))
    assert held.status == "held"
    before, version = shown(engine)
    assert publish.publish(engine, held.run_id, "alice") == 2
    after, moved = shown(engine)
    assert moved != version
    assert ("on_time_rate", "county", "2025", 101.0) in after and ("matters_handled", "county", "2026", 7.0) in after
    assert b"101" in csv(engine, "on_time_rate")
    record = run_record(engine, held.run_id)
    assert (record.status, record.rows_loaded) == ("success", 2)
    assert held_count(engine, held.run_id) == 0
    with engine.connect() as conn:
        audit = conn.execute(select(AuditEvent.action, AuditEvent.target, AuditEvent.username)).all()
    assert ("etl_publish", f"run:{held.run_id}", "alice") in audit
    with pytest.raises(LookupError, match="not held"):
        publish.publish(engine, held.run_id, "alice")


def test_discard_leaves_nothing_of_a_held_run(engine):
    assert load.run(engine, "job", source(GOOD)).status == "success"
    before = shown(engine), csv(engine, "on_time_rate")
    held = load.run(engine, "job", source([("on_time_rate", "2025", "county", 130.0)]))
    assert publish.discard(engine, held.run_id, "bob") == 1
    assert (shown(engine), csv(engine, "on_time_rate")) == before
    assert run_record(engine, held.run_id).status == "discarded" and held_count(engine, held.run_id) == 0
    with engine.connect() as conn:
        assert ("etl_discard", f"run:{held.run_id}") in conn.execute(select(AuditEvent.action, AuditEvent.target)).all()
    with pytest.raises(LookupError):
        publish.publish(engine, held.run_id, "bob")


def test_run_file_json_says_held_and_the_cli_publishes(store_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", store_url)
    path = tmp_path / "shares.csv"
    path.write_text("indicator,period,scope,value\non_time_rate,2025,county,150\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["etl", "run-file", str(path), "--json"])
    data = json.loads(out.output.strip().splitlines()[-1])
    assert data["status"] == "held" and out.exit_code == 1
    assert data["checks"][0]["check"] == "share_max_100" and data["checks"][0]["rows"][0]["value"] == 150.0
    done = CliRunner().invoke(main, ["etl", "publish", str(data["run_id"])])
    assert done.exit_code == 0 and f"run {data['run_id']} published; 1 rows changed" in done.output
    again = CliRunner().invoke(main, ["etl", "discard", str(data["run_id"])])
    assert again.exit_code == 1 and "is not held (it is success)" in again.output


def _ops_client(store_url, tmp_path):
    from cockpit import create_app
    app = create_app(DATABASE_URL=store_url, COCKPIT_DATA_DIR=tmp_path)
    app.server.config["TESTING"] = True
    client = app.server.test_client()
    client.get("/")
    return client, {"X-CSRFToken": client.get_cookie("_csrf_token").value}


def _press(kind: str, run_id: int) -> dict:
    """The body dash-renderer posts when an admin presses Publish or Discard on a held run."""
    out = "..ops-held-message.children...ops-held.children.."
    inputs = [[{"id": {"type": t, "run": run_id}, "property": "n_clicks", "value": int(t == kind)}]
              for t in ("ops-publish", "ops-discard")]
    return {"output": out, "outputs": [{"id": "ops-held-message", "property": "children"},
                                       {"id": "ops-held", "property": "children"}],
            "inputs": inputs, "state": [{"id": "ops-lang", "property": "data", "value": "en"}],
            "changedPropIds": [json.dumps({"run": run_id, "type": kind}, separators=(",", ":")) + ".n_clicks"]}


def test_ops_lists_held_runs_with_their_checks_and_an_admin_publishes_one(store_url, engine, tmp_path):
    from faults.hostile import page_request
    held = load.run(engine, "job", source([("on_time_rate", "2025", "county", 140.0)]))
    other = load.run(engine, "job", source([("patents_granted", "2025", "county", -1)]))
    client, headers = _ops_client(store_url, tmp_path)
    page = client.post("/_dash-update-component", json=page_request("/ops", "?lang=en"), headers=headers)
    text = page.get_data(as_text=True)
    assert "Held runs (checks failed)" in text and "share_max_100" in text and "county 2025 = 140" in text
    assert '"ops-publish"' in text and "non_negative" in text
    done = client.post("/_dash-update-component", json=_press("ops-publish", held.run_id), headers=headers)
    assert f"Published run {held.run_id}" in done.get_data(as_text=True)
    assert ("on_time_rate", "county", "2025", 140.0) in shown(engine)[0]
    gone = client.post("/_dash-update-component", json=_press("ops-discard", other.run_id), headers=headers)
    assert f"Discarded run {other.run_id}" in gone.get_data(as_text=True)
    assert run_record(engine, other.run_id).status == "discarded" and publish.held_runs(engine) == []
    with engine.connect() as conn:
        audit = conn.execute(select(AuditEvent.action, AuditEvent.username, AuditEvent.role)).all()
    assert ("etl_publish", "open-access", "admin") in audit and ("etl_discard", "open-access", "admin") in audit


def test_a_held_runs_cases_wait_too_and_publish_with_their_times(engine):
    from etl.store import Matter, MatterCase
    with engine.begin() as conn:
        conn.execute(Matter.__table__.insert(), [{"code": "M001", "name_zh": "事项一", "name_en": "Matter one",
                                                  "department_code": "kjj", "section": "matters", "promised_days": 5}])
    cases = pd.DataFrame({"case_no": ["C1"], "matter": ["M001"], "submitted_at": ["2025-01-02 09:00:00.25"],
                          "completed_at": ["2025-01-03 17:30"]})
    bad = source([("on_time_rate", "2025", "county", 111.0)]).batches[0]
    held = load.run(engine, "job", ListSource(bad, Batch("cases", "mem", with_location(cases, "mem"))))
    assert held.status == "held" and held.rows_loaded == 0

    def stored():
        with engine.connect() as conn:
            return conn.execute(select(MatterCase.case_no, MatterCase.submitted_at, MatterCase.completed_at)).all()
    assert stored() == []
    assert publish.publish(engine, held.run_id, "alice") == 2
    assert [tuple(r) for r in stored()] == [("C1", datetime(2025, 1, 2, 9, 0, 0, 250000), datetime(2025, 1, 3, 17, 30))]
