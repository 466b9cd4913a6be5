"""The live demo feed (etl/sources/demo_feed.py): re-runs change nothing, a later run adds what was submitted
since, and what it loads is the history's own world (the same cases, the late departments quiet)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import func, select

from etl import load
from etl.catalogue import read_catalogue
from etl.sources import DemoFeedSource
from etl.sources.demo import _names, generate_cases, matter_table_with_quality
from etl.sources.demo_feed import FEED_DAYS, feed_cases
from etl.sources.demo_late import LATE_DEPARTMENTS
from etl.store import MatterCase


def test_the_feed_at_a_later_now_adds_the_cases_submitted_since(seeded_store, demo_now):
    later = demo_now + timedelta(hours=1)
    table = matter_table_with_quality(read_catalogue(), _names())
    expected = feed_cases(later, table, read_catalogue())
    new = expected[expected["submitted_at"] > pd.Timestamp(demo_now)]
    assert 1 <= len(new) <= 30  # a weekday late morning at the history's rate: about a dozen cases an office hour
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


def test_the_feed_loads_the_history_s_own_cases_as_they_stand_now(demo_now):
    table = matter_table_with_quality(read_catalogue(), _names())
    later = demo_now + timedelta(days=3, hours=6)  # the Monday after: the feed of a history loaded on Friday
    feed = feed_cases(later, table, read_catalogue())
    history = generate_cases(later.date() - timedelta(days=FEED_DAYS - 1), later, table)
    assert feed["case_no"].is_unique and set(feed["case_no"]) <= set(history["case_no"])
    pd.testing.assert_frame_equal(feed, history[history["case_no"].isin(feed["case_no"])].reset_index(drop=True))
    departments = feed["matter"].map(table.set_index("code")["department_code"])
    assert not departments.isin(LATE_DEPARTMENTS).any(), "the late departments stay quiet in the feed too"
    assert (feed["submitted_at"] <= pd.Timestamp(later)).all()
    pd.testing.assert_frame_equal(feed, feed_cases(later, table, read_catalogue()))
