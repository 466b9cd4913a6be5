"""The wall's queries against the seeded demo store, on SQLite and PostgreSQL, and their memo by data version."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from cockpit import create_app
from cockpit.queries import ops as freshness
from cockpit.queries import wall as queries
from cockpit.queries._sql import epoch
from etl import load
from etl.sources import FileDropSource
from etl.store import MatterCase

TODAY = "2026-11-20"  # the seeded store's demo_now


def test_kpis_give_every_tile_its_latest_value_and_comparison(seeded_store):
    kpis = queries.kpis(seeded_store, TODAY).set_index("code")
    assert list(kpis.index) == list(queries.KPI_CODES)
    rd = kpis.loc["rd_intensity"]
    assert (rd["period"], rd["value"], rd["compare"], rd["compare_kind"]) == ("2025", 4.62, 4.57, "last")
    assert rd["target"] == 4.0 and rd["unit"] == "%" and rd["name_zh"] == "研发投入强度"
    assert kpis.loc["departments_connected", "value"] == 33
    assert kpis.loc["matters_handled", "compare_kind"] == "ytd"
    assert kpis["is_demo"].all() and kpis["loaded_at"].notna().all()


def test_department_ranking_lists_all_33_best_first_and_counts_this_years_completions(seeded_store):
    depts = queries.department_matters(seeded_store, TODAY)
    assert len(depts) == 33
    assert list(depts["handled"]) == sorted(depts["handled"], reverse=True)
    assert (depts["on_time"] <= depts["handled"]).all()
    with seeded_store.connect() as conn:
        done = conn.execute(select(func.count()).where(
            MatterCase.status == "completed", MatterCase.completed_at >= datetime(2026, 1, 1))).scalar()
    assert depts["handled"].sum() == done


def test_resources_chains_and_cases(seeded_store):
    res = queries.resources_by_type(seeded_store)
    assert res["n"].sum() == 385 and len(res) == 6
    segs = queries.chain_segments(seeded_store)
    assert len(segs) == 18 and segs["chain_code"].nunique() == 6
    assert (segs["period"] == "2025").all() and (segs["value"] > 0).all()
    cases = queries.latest_cases(seeded_store, 10)
    assert len(cases) == 10
    assert list(cases["submitted_at"]) == sorted(cases["submitted_at"], reverse=True)
    assert cases["dept_zh"].notna().all() and cases["matter_zh"].notna().all()


def test_freshness_reads_each_jobs_last_success(seeded_store):
    last = freshness.job_outcomes(seeded_store)
    assert set(last) == {"demo-history"}
    assert epoch(last["demo-history"][0]) > 0 and last["demo-history"][1] is None


def test_queries_are_memoised_by_data_version(seeded_store, store_url, tmp_path):
    app = create_app(database_url=store_url)
    csv = tmp_path / "rd.csv"
    csv.write_text("indicator,period,scope,value\nrd_intensity,2026,county,5.55\n", encoding="utf-8")
    with app.server.app_context():
        first = queries.county_series(seeded_store, ("rd_intensity",))
        assert len(first) == 10
        load.run(seeded_store, "test", FileDropSource(files=[str(csv)], move=False))
        assert len(queries.county_series(seeded_store, ("rd_intensity",))) == 10  # version reused for VERSION_TTL
        app.server.extensions["cockpit"].cache.delete("q:version")
        fresh = queries.county_series(seeded_store, ("rd_intensity",))
        assert len(fresh) == 11 and fresh.iloc[-1]["value"] == 5.55
