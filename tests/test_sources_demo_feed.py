"""The live demo feed (etl/sources/demo_feed.py): re-runs change nothing, a later run adds what was submitted
since, quick matters arrive every minute and complete within a day and a half."""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import func, select

from etl import load
from etl.catalogue import read_catalogue
from etl.sources import DemoFeedSource
from etl.sources.demo import _names, generate_cases, matter_table_with_quality
from etl.sources.demo_feed import live_cases
from etl.store import MatterCase


def test_the_feed_at_a_later_now_adds_the_cases_submitted_since(seeded_store, demo_now):
    later = demo_now + timedelta(hours=1)
    table = matter_table_with_quality(read_catalogue(), _names())
    expected = pd.concat([generate_cases(later.date() - timedelta(days=1), later, table),
                          live_cases(later - timedelta(hours=36), later, table)])
    new = expected[expected["submitted_at"] > pd.Timestamp(demo_now)]
    assert len(new) >= 60  # at least one online case a minute, and more on a weekday late morning
    load.run(seeded_store, "demo-live-feed", DemoFeedSource(now=demo_now))
    with seeded_store.connect() as conn:
        before = conn.execute(select(func.count()).select_from(MatterCase)).scalar_one()
    result = load.run(seeded_store, "demo-live-feed", DemoFeedSource(now=later))
    assert result.status == "success"
    assert result.rows_loaded >= len(new)  # new cases, plus open ones that have since moved on
    with seeded_store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(MatterCase)).scalar_one() == before + len(new)
        assert conn.execute(select(func.max(MatterCase.submitted_at))).scalar_one() == \
            new["submitted_at"].max().to_pydatetime()
        assert set(conn.execute(select(MatterCase.is_demo).where(
            MatterCase.case_no.in_(new["case_no"].tolist()))).scalars()) == {True}


def test_live_cases_come_every_minute_and_complete_within_a_day_and_a_half(demo_now):
    table = matter_table_with_quality(read_catalogue(), _names())
    night = datetime(2026, 11, 22, 3, 0)  # a Sunday night: the quietest hour
    cases = live_cases(night - timedelta(hours=36), night, table)
    minutes = cases["submitted_at"].dt.floor("min")
    assert minutes.nunique() == 36 * 60 + 1 or minutes.nunique() == 36 * 60
    assert cases["case_no"].is_unique
    done = cases[cases["status"] == "completed"]
    assert ((done["completed_at"] - done["submitted_at"]) < pd.Timedelta(hours=31)).all()
    old = cases[cases["submitted_at"] < night - pd.Timedelta(hours=32)]
    assert set(old["status"]) <= {"completed", "rejected"}, "nothing older than the window stays open"
    pd.testing.assert_frame_equal(cases, live_cases(night - timedelta(hours=36), night, table))
