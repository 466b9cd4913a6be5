"""The demo's case process (etl.sources.demo.generate_cases draws from it): its rate, and its office hours.

The rate has no published figure (the articles give 108 matters, not a yearly count): about 105 cases a weekday
and 15 a weekend day, some 27,000 a year. Submissions, acceptances and completions happen while the offices are
open (08:30-17:30): a delay is counted in working hours, a day of processing is one office day. That makes some 35
events an office hour, so the live wall moves every minute or two at the history's own rate."""
from __future__ import annotations

from datetime import date

import numpy as np

OFFICE_OPENS, OFFICE_HOURS = 8.5, 9.0
WEEKDAY_CASES, WEEKEND_CASES = 105, 15
SEED = 20201211  # the day the first article appeared (every demo draw is seeded from it)


def _day_draws(day: date, weights: np.ndarray) -> tuple:
    """The random draws for the cases submitted on `day` (seeded by the day, so any run sees the same)."""
    rng = np.random.default_rng([SEED, day.toordinal()])
    adoption = min(1.0, 0.55 + 0.075 * (day.year - 2020))
    n = rng.poisson((WEEKDAY_CASES if day.weekday() < 5 else WEEKEND_CASES) * adoption)
    pick = rng.choice(len(weights), size=n, p=weights)
    hours = np.sort(np.clip(rng.normal(13, 2.4, n), OFFICE_OPENS, OFFICE_OPENS + OFFICE_HOURS - 1e-3))
    return pick, hours, rng.exponential(1.5, n), rng.lognormal(0.0, 0.45, n), rng.random(n) < 0.02


def _working(day0: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Instants as working hours since the epoch (OFFICE_HOURS a day; outside them clamps to the day's edges)."""
    days = (day0 - np.datetime64("1970-01-01")) // np.timedelta64(1, "D")
    tod = (t - day0) / np.timedelta64(1, "h")
    return days * OFFICE_HOURS + np.clip(tod - OFFICE_OPENS, 0, OFFICE_HOURS)


def _instant(w: np.ndarray) -> np.ndarray:
    """Working hours since the epoch back to civil instants (whole seconds) inside the office window."""
    days, rest = np.divmod(w, OFFICE_HOURS)
    secs = np.round((OFFICE_OPENS + rest) * 3600).astype("int64")
    return (np.datetime64("1970-01-01", "ns") + days.astype("int64").astype("timedelta64[D]")
            + secs.astype("timedelta64[s]"))
