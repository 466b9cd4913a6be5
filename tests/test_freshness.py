"""The wall's freshness stamp never lies: a job that never succeeded is red from its first failure, a partial run
is no success, and the stamp shows the overdue job's time, not another job's newest success."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import insert

from cockpit.queries import ops as freshness
from cockpit.queries._sql import epoch
from etl.store import EtlRun

ROOT_JS = __import__("pathlib").Path(__file__).resolve().parents[1] / "assets" / "clientside.js"


def _run(engine, job, status, ended):
    with engine.begin() as conn:
        conn.execute(insert(EtlRun).values(job=job, source="file_drop", started_at=ended, ended_at=ended, status=status))


def test_poll_jobs_say_which_job_failed_since_its_last_success(engine):
    _run(engine, "drop", "partial", datetime(2026, 12, 1, 9))   # refused some files: no success
    _run(engine, "api", "success", datetime(2026, 12, 1, 8))
    _run(engine, "api", "failed", datetime(2026, 12, 1, 9))
    _run(engine, "sql", "success", datetime(2026, 12, 1, 10))
    schedule = [["drop", 300.0], ["api", 60.0], ["sql", 60.0], ["never-run", 60.0]]
    rows = freshness.poll_jobs(freshness.job_outcomes(engine), schedule, epoch)
    by_name = {r[0]: r for r in rows}
    assert by_name["drop"][1] is None and by_name["drop"][3] is True
    assert by_name["api"][1] == epoch(datetime(2026, 12, 1, 8)) and by_name["api"][3] is True
    assert by_name["sql"][3] is False
    assert by_name["never-run"] == ["never-run", None, 60.0, False]


@pytest.fixture(scope="module")
def page(browser):
    page = browser.new_page()
    page.set_content("<html><body></body></html>")
    page.add_script_tag(path=str(ROOT_JS))
    yield page
    page.close()


def _level(page, jobs, now, lang="zh"):
    return page.evaluate("([p, now, lang]) => window.dash_clientside.cockpit.freshnessLevel(p, now, lang)",
                         [{"jobs": jobs, "last": 1000.0}, now, lang])


@pytest.mark.browser
def test_a_job_that_never_succeeded_is_red_from_its_first_failure(page):
    ok_job = ["feed", 995.0, 60.0, False]
    assert _level(page, [ok_job, ["drop", None, 300.0, False]], 1000.0)["level"] == 0  # never run: left out
    f = _level(page, [ok_job, ["drop", None, 300.0, True]], 1000.0)
    assert f["level"] == 2 and f["worst"][0] == "drop"
    assert "drop: 从未成功" in f["title"]
    assert "drop: never succeeded" in _level(page, [["drop", None, 300.0, True]], 1000.0, "en")["title"]


@pytest.mark.browser
def test_the_stamp_names_the_overdue_job_not_the_newest_success(page):
    jobs = [["feed", 995.0, 60.0, False], ["api", 500.0, 60.0, True], ["sql", 900.0, 60.0, False]]
    f = _level(page, jobs, 1000.0)
    assert f["level"] == 2 and f["worst"][0] == "api"  # 500 s late at a 60 s interval: red, and the oldest
    assert _level(page, [["feed", 995.0, 60.0, True]], 1000.0)["level"] == 0  # one failure after a success: late
    assert _level(page, [["feed", 870.0, 60.0, True]], 1000.0)["level"] == 1  # only by time
