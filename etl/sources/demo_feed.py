"""The live demo feed of matter cases: today's and yesterday's cases as they stand now, and the online quick
matters of the last hours, at least one a minute, so the wall moves every minute. Generated, flagged demo, and
seeded per hour (etl.sources.demo holds the history and the generators both share)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterator

import numpy as np
import pandas as pd

from etl import clock
from etl.catalogue import DEFAULT_CATALOGUE, read_catalogue
from etl.sources.base import Batch, with_location
from etl.sources.demo import COUNTY_SERIES, SEED, SOURCE, YEARS, _names, generate_cases, matter_table_with_quality
from etl.sources.demo_revision import revision_batch


def live_cases(start: datetime, now: datetime, matter_table: pd.DataFrame) -> pd.DataFrame:
    """Online quick matters (promised within five days) submitted from `start` to `now`: at least one a minute,
    more by day; seeded per hour, so any run sees the same cases. They complete within 30 hours."""
    quick = matter_table[matter_table["promised_days"] <= 5].reset_index(drop=True)
    hours = pd.date_range(pd.Timestamp(start).floor("h"), pd.Timestamp(now).floor("h"), freq="h")
    frames = []
    for hour in hours:
        rng = np.random.default_rng([SEED, 11, hour.toordinal() * 24 + hour.hour])
        per_minute = 1 + rng.poisson(0.9 if 8 <= hour.hour < 20 else 0.2, 60)
        n = int(per_minute.sum())
        offsets = np.repeat(np.arange(60) * 60, per_minute) + np.sort(rng.integers(0, 60, n))
        submitted = hour + pd.to_timedelta(offsets, unit="s")
        pick = rng.integers(0, len(quick), n)
        accepted = submitted + pd.to_timedelta(rng.exponential(480, n).round(), unit="s")
        completed = accepted + pd.to_timedelta(np.minimum(30 * 3600, rng.lognormal(np.log(9000), 0.8, n)).round(), unit="s")
        frames.append(pd.DataFrame({
            "case_no": [f"XCL{hour:%Y%m%d%H}{i + 1:04d}" for i in range(n)], "matter": quick["code"].to_numpy()[pick],
            "submitted_at": submitted, "accepted_at": accepted, "completed_at": completed,
            "due_at": accepted + pd.to_timedelta(quick["promised_days"].to_numpy()[pick] * 1.4, unit="D"),
            "rejected": rng.random(n) < 0.01}))
    df = pd.concat(frames, ignore_index=True)
    now_ts = pd.Timestamp(now)
    waiting, open_ = df["accepted_at"] > now_ts, ~df["rejected"] & (df["completed_at"] > now_ts)
    df["status"] = np.where(df["rejected"], "rejected", np.where(waiting, "submitted",
                                                                  np.where(open_, "accepted", "completed")))
    df.loc[waiting, "accepted_at"] = pd.NaT
    df.loc[df["rejected"] | open_, "completed_at"] = pd.NaT
    return df[(df["submitted_at"] >= pd.Timestamp(start)) & (df["submitted_at"] <= now_ts)].drop(columns="rejected")


class DemoFeedSource:
    """The live demo feed: today's and yesterday's cases as they stand now, plus the online quick matters of
    the last `live_hours` (at least one a minute), so the wall moves every minute."""
    name = "demo_feed"
    is_demo = True

    def __init__(self, days: int = 2, live_hours: int = 36, now: datetime | None = None, catalogue: str | None = None):
        self.days, self.live_hours, self.now = days, live_hours, now
        self.catalogue = read_catalogue(catalogue or DEFAULT_CATALOGUE)
        self.key = "live"

    def extract(self, state: dict) -> Iterator[Batch]:
        now = self.now or clock.local_now()  # case times are civil times in COCKPIT_TZ
        matter_table = matter_table_with_quality(self.catalogue, _names())
        cases = pd.concat([generate_cases(now.date() - timedelta(days=self.days - 1), now, matter_table),
                           live_cases(now - timedelta(hours=self.live_hours), now, matter_table)], ignore_index=True)
        yield Batch("cases", "demo:feed", with_location(cases.assign(source=SOURCE), "demo:feed"), is_demo=True)
        yield revision_batch(COUNTY_SERIES, YEARS, SOURCE)  # the demo's revised figure, final (demo_revision)
