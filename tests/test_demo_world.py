"""The demo is one simulated world at one rate (issue 12 #7): one indicator overdue at the demo's clock, the live
feed drawing the present at the history's own rate, so a day of feed looks like a day of history and the
year-to-date comparison keeps the history's calibrated growth."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from cockpit.queries import status as status_queries
from cockpit.queries import wall as wall_queries
from etl import clock, load, migrate
from etl.catalogue import read_catalogue
from etl.sources import DemoFeedSource, DemoSource
from etl.sources.demo_overdue import OVERDUE, last_year
from etl.store import make_engine

NOW = datetime(2026, 11, 20, 10, 30)  # the demo's fixed clock (a Friday), civil time in Asia/Shanghai
EVENING = datetime(2026, 11, 20, 18, 0)  # the same office day, done
GROWTH = (1.0, 1.15)  # 2026 over 2025 year to date: the history's adoption, 1.0 / 0.925, about +8%


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('world') / 'store.sqlite'}")
    migrate.prepare(engine, read_catalogue())
    assert load.run(engine, "demo-history", DemoSource(now=NOW)).status == "success"
    yield engine
    engine.dispose()


def _freeze(monkeypatch, civil: datetime):
    monkeypatch.setattr(clock, "utc_now", lambda: clock.local_to_utc(civil))


def _cases(source) -> pd.DataFrame:
    return next(b.records for b in source.extract({}) if b.kind == "cases")


def test_one_indicator_is_overdue_at_the_demo_clock_and_only_that_one(history, monkeypatch):
    _freeze(monkeypatch, NOW)
    got = {i["code"]: i for i in status_queries.indicator_status(history, NOW.date())}
    assert got[OVERDUE]["staleness"] == "overdue" and got[OVERDUE]["period"] == "2024", got[OVERDUE]
    assert [c for c, i in got.items() if i["staleness"] == "overdue"] == [OVERDUE]
    assert wall_queries.kpis(history, NOW.date().isoformat()).set_index("code").loc[OVERDUE, "staleness"] == "overdue"


def test_the_overdue_indicator_stops_where_its_successor_is_overdue():
    assert last_year(date(2026, 11, 20), 45, 30, 2025) == 2024  # 2025's figure was overdue after 2026-03-16
    assert last_year(date(2026, 3, 16), 45, 30, 2025) == 2023  # on 2026-03-16 2025's is only due: one more back
    assert last_year(date(2027, 6, 1), 45, 30, 2025) == 2024  # never the newest year itself


def test_a_day_of_feed_is_a_day_of_history(history):
    """The feed's cases of one office day are within 1.5x of the history's weekday average of the last 8 weeks
    (it was some 35 times: a case a minute and more, against about six an office hour)."""
    hist = _cases(DemoSource(now=NOW))
    recent = hist[hist["submitted_at"] >= pd.Timestamp(NOW.date() - timedelta(weeks=8))]
    recent = recent[recent["submitted_at"] < pd.Timestamp(NOW.date())]
    per_day = recent.groupby(recent["submitted_at"].dt.date).size()
    weekday = per_day[[d.weekday() < 5 for d in per_day.index]].mean()
    feed = _cases(DemoFeedSource(now=EVENING))
    today = (feed["submitted_at"].dt.date == EVENING.date()).sum()
    assert weekday / 1.5 <= today <= weekday * 1.5, (today, weekday)
    office = feed[(feed["submitted_at"].dt.date == EVENING.date()) & feed["submitted_at"].dt.hour.between(9, 16)]
    assert 2 <= len(office) / 8 <= 15, "a case every few minutes in office hours, as in the history"


def test_the_wall_moves_every_minute_or_two_in_office_hours():
    """What the feed changes minute by minute in one office day (a submission, an acceptance or a completion):
    at the history's own rate the wall moves with a median of at most two minutes between changes, and never
    stands still for a quarter of an hour (before office hours and counted calendar time, it was five)."""
    feed = _cases(DemoFeedSource(now=EVENING))
    day = pd.Timestamp(EVENING.date())
    events = pd.concat([feed[c] for c in ("submitted_at", "accepted_at", "completed_at")]).dropna()
    minutes = sorted({int((t - day) / pd.Timedelta(minutes=1)) for t in events
                      if day + pd.Timedelta(hours=8.5) <= t < day + pd.Timedelta(hours=17.5)})
    gaps = pd.Series(minutes).diff().dropna()
    assert len(minutes) > 150 and gaps.median() <= 2 and gaps.max() < 15, (len(minutes), gaps.describe())
    assert not feed["accepted_at"].lt(feed["submitted_at"]).any() and not feed["completed_at"].lt(feed["accepted_at"]).any()
    hours = pd.concat([feed["accepted_at"], feed["completed_at"]]).dropna()
    tod = (hours - hours.dt.normalize()) / pd.Timedelta(hours=1)
    assert tod.between(8.5, 17.5).all(), "acceptances and completions happen in office hours"


def test_the_year_to_date_keeps_the_calibrated_growth_while_the_feed_runs(history, monkeypatch):
    """Two days of feed runs every three hours after the history: this year's completed cases to date over last
    year's to the same day stay in the history's growth band."""
    moment = NOW
    while moment <= NOW + timedelta(days=2):
        assert load.run(history, "demo-live-feed", DemoFeedSource(now=moment)).status == "success"
        moment += timedelta(hours=3)
    last = moment - timedelta(hours=3)
    _freeze(monkeypatch, last)
    ytd = wall_queries.matters_ytd(history, last.date().isoformat())
    assert GROWTH[0] <= ytd["value"] / ytd["compare"] <= GROWTH[1], (ytd["value"], ytd["compare"])
