"""Staleness per indicator at fixed dates: current while the next period is not yet due (its end + lag), due from
that day until the grace runs out, overdue after; per cadence, on both sides of each boundary."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from cockpit.queries.staleness import due_date, judge, lag_and_grace, next_period_end, period_end
from etl.catalogue import read_catalogue, reference_rows
from etl.config import ConfigError

D = date.fromisoformat

# (period, cadence, lag, grace, loaded_on, due date, last day it is only due)
CASES = [
    ("2024", "annual", 270, 30, None, "2026-09-27", "2026-10-27"),  # 2025 ends 2025-12-31, + 270 days
    ("2025", "annual", None, None, None, "2027-09-27", "2027-10-27"),  # annual defaults: 270 / 30
    ("2025", "annual", 60, 30, None, "2027-03-01", "2027-03-31"),  # GDP-like: 2026-12-31 + 60
    ("2025Q3", "quarterly", None, None, None, "2026-02-14", "2026-03-01"),  # Q4 ends 12-31, + 45, + 15
    ("2025Q4", "quarterly", 45, 15, None, "2026-05-15", "2026-05-30"),  # 2026Q1 ends 03-31
    ("2025-12", "monthly", None, None, None, "2026-02-15", "2026-02-22"),  # January ends 01-31, + 15, + 7
    ("2026-01", "monthly", 10, 0, None, "2026-03-10", "2026-03-10"),  # February ends 02-28
    ("2026-03-15", "daily", None, None, None, "2026-03-17", "2026-03-18"),  # next day ends 03-16, + 1, + 1
    ("2026", "live", None, None, date(2026, 3, 15), "2026-03-16", "2026-03-18"),  # load day + 1, + 2
]


@pytest.mark.parametrize("period,cadence,lag,grace,loaded,due,last", CASES, ids=[f"{c[1]}-{c[0]}" for c in CASES])
def test_each_boundary_on_both_sides(period, cadence, lag, grace, loaded, due, last):
    def state(day):
        return judge(period, cadence, day, lag, grace, loaded_on=loaded)

    due, last = D(due), D(last)
    assert state(due - timedelta(days=1)) == {"staleness": "current", "due": due, "overdue_after": last}
    assert state(due)["staleness"] == "due"
    assert state(last)["staleness"] == "due"
    assert state(last + timedelta(days=1))["staleness"] == "overdue"
    assert state(last + timedelta(days=400))["staleness"] == "overdue"


def test_an_annual_rd_figure_through_the_year_after():
    """R&D intensity for 2024 stays current through the summer of 2026, is due from late September, red in November."""
    assert judge("2024", "annual", D("2026-09-01"), 270, 30)["staleness"] == "current"
    assert judge("2024", "annual", D("2026-10-15"), 270, 30)["staleness"] == "due"
    assert judge("2024", "annual", D("2026-11-15"), 270, 30)["staleness"] == "overdue"
    assert judge("2025", "annual", D("2026-11-15"), 270, 30)["staleness"] == "current"  # 2025 is in: next is 2026


def test_nothing_to_judge_is_none_not_a_state():
    none = {"staleness": None, "due": None, "overdue_after": None}
    assert judge(None, "annual", D("2026-01-01")) == none  # nothing loaded
    assert judge("2025-03", "annual", D("2026-01-01")) == none  # a period of another granularity
    assert judge("2026", "live", D("2026-01-01")) == none  # a live figure never loaded
    assert judge("garbage", "monthly", D("2026-01-01")) == none


def test_a_live_figure_counts_from_its_load_day_in_the_county_zone():
    loaded = datetime(2026, 3, 15, 23, 50)  # the caller passes the load time as a civil time in COCKPIT_TZ
    assert judge("2026", "live", D("2026-03-15"), loaded_on=loaded)["staleness"] == "current"
    assert judge("2026", "live", D("2026-03-16"), loaded_on=loaded)["staleness"] == "due"
    assert judge("2026", "live", D("2026-03-19"), loaded_on=loaded)["staleness"] == "overdue"


def test_period_ends_and_next_period_ends():
    assert period_end("2024") == D("2024-12-31")
    assert period_end("2024Q1") == D("2024-03-31")
    assert period_end("2024-02") == D("2024-02-29")  # a leap year
    assert period_end("2024-02-10") == D("2024-02-10")
    assert next_period_end("2025Q4") == D("2026-03-31")
    assert next_period_end("2025-11") == D("2025-12-31")
    assert next_period_end("2025-12") == D("2026-01-31")
    assert next_period_end("2025-12-31") == D("2026-01-01")
    assert due_date("2025", "annual", 0) == D("2026-12-31")


def test_defaults_per_cadence_and_the_catalogue_s_own():
    assert lag_and_grace("annual") == (270, 30)
    assert lag_and_grace("monthly") == (15, 7)
    assert lag_and_grace("daily") == (1, 1)
    assert lag_and_grace("quarterly", 30, float("nan")) == (30, 15)  # NaN (a frame's None) is "not set"
    assert lag_and_grace("monthly", 0, 0) == (0, 0)  # zero is a value, not "not set"


def test_the_catalogue_carries_lag_and_grace_into_the_indicator_rows():
    rows = {r["code"]: r for r in reference_rows(read_catalogue())["indicators"]}
    assert (rows["rd_intensity"]["lag_days"], rows["rd_intensity"]["grace_days"]) == (270, 30)
    assert (rows["gdp"]["lag_days"], rows["gdp"]["grace_days"]) == (60, 30)
    assert rows["on_time_rate"]["lag_days"] is None  # left out: the cadence's default applies when judged


def test_a_negative_or_non_integer_lag_is_a_config_error(tmp_path):
    from etl.config import IndicatorSpec
    from pydantic import ValidationError

    base = dict(code="x", name_zh="x", name_en="x", unit="%", category="c")
    assert IndicatorSpec(**base, lag_days=90).lag_days == 90
    for bad in ({"lag_days": -1}, {"grace_days": -5}, {"lag_days": "soon"}, {"lag_minutes": 5}):
        with pytest.raises(ValidationError):
            IndicatorSpec(**base, **bad)
    text = (read_catalogue.__globals__["DEFAULT_CATALOGUE"]).read_text(encoding="utf-8")
    path = tmp_path / "catalogue.toml"
    path.write_text(text.replace("lag_days = 270", "lag_days = -270", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"indicators\[0\] \(code 'rd_intensity'\): lag_days"):
        read_catalogue(path)
