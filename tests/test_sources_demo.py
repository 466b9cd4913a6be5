"""The demo sources: calibrated to DOMAIN.md's figures, all flagged demo, deterministic, and a feed that moves."""
from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

from etl import load, migrate
from etl.catalogue import read_catalogue
from etl.sources import DemoFeedSource, DemoSource
from etl.sources.demo import PLATFORM_START, YEARS, _names, generate_cases, matter_table_with_quality
from etl.store import (
    COUNTY, Chain, Department, EtlRun, Firm, Matter, MatterCase, Observation, Resource, make_engine,
)


@pytest.fixture(scope="module")
def history(tmp_path_factory, demo_now):
    """One demo load shared by the read-only calibration checks (SQLite: what is generated does not depend on
    the dialect; the tests that write run on both, through `seeded_store`)."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'store.sqlite'}")
    migrate.prepare(engine, read_catalogue())
    assert load.run(engine, "demo-history", DemoSource(now=demo_now)).status == "success"
    yield engine
    engine.dispose()


def county_series(conn, indicator: str) -> dict[str, float]:
    return dict(conn.execute(select(Observation.period, Observation.value).where(
        Observation.indicator_code == indicator, Observation.scope == COUNTY)).all())


def counts(conn) -> dict[str, int]:
    return {model.__tablename__: conn.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Firm, Matter, Resource, Observation, MatterCase)}


def test_the_store_holds_the_articles_figures(history):
    with history.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Department)).scalar_one() == 33
        assert conn.execute(select(func.count()).select_from(Matter)).scalar_one() == 108
        assert conn.execute(select(func.count()).select_from(Resource)).scalar_one() == 385
        assert conn.execute(select(func.count()).where(Firm.listed)).scalar_one() == 16
        latest = str(YEARS[-1])
        assert {code: county_series(conn, code)[latest] for code in (
            "departments_connected", "innovation_matters", "innovation_resources", "listed_firms")} == {
            "departments_connected": 33, "innovation_matters": 108, "innovation_resources": 385, "listed_firms": 16}
        assert county_series(conn, "innovation_index_rank")["2021"] == 2
        assert county_series(conn, "new_5g_stations")["2021"] == 600


def test_each_of_the_33_departments_owns_matters_and_handles_cases(history):
    with history.connect() as conn:
        owners = conn.execute(select(Matter.department_code).distinct()).scalars().all()
        handling = conn.execute(select(MatterCase.department_code).where(MatterCase.status == "completed")
                                .distinct()).scalars().all()
    assert len(set(owners)) == len(set(handling)) == 33


def test_no_firm_or_segment_has_more_invention_patents_than_patents_granted(history):
    with history.connect() as conn:
        rows = pd.DataFrame(conn.execute(select(Observation.indicator_code, Observation.period, Observation.scope,
                                                Observation.value).where(Observation.indicator_code.in_(
                                                    ["patents_granted", "invention_patents"]))).all())
    wide = rows.pivot_table(index=["period", "scope"], columns="indicator_code", values="value")
    assert len(wide) > 1000 and (wide["invention_patents"] <= wide["patents_granted"]).all()


def test_listed_firms_are_their_segments_biggest_rd_spenders(history):
    with history.connect() as conn:
        firms = pd.DataFrame(conn.execute(select(Firm.code, Firm.segment_code, Firm.listed)).all())
        spend = dict(conn.execute(select(Observation.scope, Observation.value).where(
            Observation.indicator_code == "rd_spending", Observation.period == str(YEARS[-1]))).all())
    firms["rank"] = firms.assign(rd=firms["code"].map(spend)).groupby("segment_code")["rd"].rank(ascending=False)
    listed = firms[firms["listed"]]
    assert len(listed) == 16 and (listed["rank"] <= 2).all()  # two segments have two listed firms


def test_rd_intensity_is_above_four_percent_in_each_of_ten_years(history):
    with history.connect() as conn:
        intensity = county_series(conn, "rd_intensity")
        spending, gdp = county_series(conn, "rd_spending"), county_series(conn, "gdp")
    assert sorted(intensity) == [str(y) for y in range(2016, 2026)]
    assert min(intensity.values()) > 4.0
    for year, pct in intensity.items():  # spending and GDP tell the same story as the intensity
        assert abs(spending[year] / gdp[year] * 100 - pct) < 0.01, year


def test_listings_add_up_by_year_and_by_chain(history):
    with history.connect() as conn:
        listed, new = county_series(conn, "listed_firms"), county_series(conn, "new_listings")
        firm_years = pd.Series(conn.execute(select(Firm.listed_year).where(Firm.listed)).scalars().all())
        by_chain = dict(conn.execute(
            select(Observation.period, func.sum(Observation.value))
            .where(Observation.indicator_code == "listed_firms", Observation.scope.in_(select(Chain.code)))
            .group_by(Observation.period)).all())
    assert len(firm_years) == 16 and firm_years.max() <= YEARS[-1]
    for year in YEARS:
        y = str(year)
        assert new[y] == (firm_years == year).sum(), y
        assert listed[y] == (firm_years <= year).sum() == by_chain[y], y
        if year > YEARS[0]:
            assert listed[y] - listed[str(year - 1)] == new[y], y


def test_everything_the_demo_makes_is_flagged_demo(history):
    with history.connect() as conn:
        for model in (Firm, Matter, Resource, Observation, MatterCase):
            total, demo = conn.execute(select(func.count(), func.count().filter(model.is_demo))).one()
            assert total > 0 and demo == total, model.__tablename__
        assert conn.execute(select(EtlRun.is_demo)).scalars().all() == [True]
        assert conn.execute(select(Observation.source).distinct()).scalars().all() == ["演示数据(生成) / demo data (generated)"]


def test_generated_cases_are_deterministic_and_never_in_the_future(demo_now):
    table = matter_table_with_quality(read_catalogue(), _names())
    start = demo_now.date() - timedelta(days=6)
    first, second = generate_cases(start, demo_now, table), generate_cases(start, demo_now, table)
    pd.testing.assert_frame_equal(first, second)
    assert first["submitted_at"].max() <= pd.Timestamp(demo_now)
    assert first["case_no"].is_unique
    done = first[first["status"] == "completed"]
    assert (done["completed_at"] <= pd.Timestamp(demo_now)).all()
    assert first.loc[first["status"] == "accepted", "completed_at"].isna().all()
    assert PLATFORM_START.year == 2020


def test_rerun_with_the_same_now_changes_nothing(seeded_store, demo_now):
    assert load.run(seeded_store, "demo-live-feed", DemoFeedSource(now=demo_now)).rows_loaded > 0
    with seeded_store.connect() as conn:
        before = counts(conn)
    result = load.run(seeded_store, "demo-history", DemoSource(now=demo_now))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 0, 0)
    assert result.rows_unchanged == result.rows_read > 90_000
    feed = load.run(seeded_store, "demo-live-feed", DemoFeedSource(now=demo_now))
    assert (feed.status, feed.rows_loaded) == ("success", 0)
    assert feed.rows_unchanged == feed.rows_read > 0
    with seeded_store.connect() as conn:
        assert counts(conn) == before
        assert conn.execute(select(func.max(MatterCase.submitted_at))).scalar_one() <= demo_now
