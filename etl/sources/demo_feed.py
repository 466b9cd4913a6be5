"""The live demo feed of matter cases: the present of the same simulated world as the history (etl.sources.demo),
revealed as time passes. Each run loads the last 30 days' cases as they stand now (so the completions of open
cases show as they happen), drawn by the history's own generator at its own rate (about 105 a weekday, 15 a
weekend day; submissions, acceptances and completions in office hours, some 35 events an hour, so the wall moves
every minute or two: median 2 minutes between changes), so a month of feed looks like a month of history and the
year-to-date comparison keeps the calibrated growth. The late departments
stay quiet here too (demo_late). Generated, flagged demo, seeded per day: a re-run changes only what time did."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterator

import pandas as pd

from etl import clock
from etl.catalogue import DEFAULT_CATALOGUE, read_catalogue
from etl.sources.base import Batch, with_location
from etl.sources.demo import COUNTY_SERIES, SOURCE, YEARS, _names, generate_cases, matter_table_with_quality
from etl.sources.demo_late import leave_unreported
from etl.sources.demo_revision import revision_batch

FEED_DAYS = 30  # long enough that most open cases complete inside it (completions show live)


def feed_cases(now: datetime, matter_table: pd.DataFrame, catalogue: dict, days: int = FEED_DAYS) -> pd.DataFrame:
    """The cases of the last `days` days (today included) as they stand at `now`: the history's own."""
    cases = generate_cases(now.date() - timedelta(days=days - 1), now, matter_table)
    return leave_unreported(cases, matter_table, catalogue, now)


class DemoFeedSource:
    """The live demo feed: the last FEED_DAYS days' cases as they stand now, at the history's rate."""
    name = "demo_feed"
    is_demo = True

    def __init__(self, days: int = FEED_DAYS, now: datetime | None = None, catalogue: str | None = None):
        self.days, self.now = days, now
        self.catalogue = read_catalogue(catalogue or DEFAULT_CATALOGUE)
        self.key = "live"

    def extract(self, state: dict) -> Iterator[Batch]:
        now = self.now or clock.local_now()  # case times are civil times in COCKPIT_TZ
        cases = feed_cases(now, matter_table_with_quality(self.catalogue, _names()), self.catalogue, self.days)
        yield Batch("cases", "demo:feed", with_location(cases.assign(source=SOURCE), "demo:feed"), is_demo=True)
        yield revision_batch(COUNTY_SERIES, YEARS, SOURCE)  # the demo's revised figure, final (demo_revision)
