"""The SQL query source against a second SQLite database that the test builds: mappings, re-runs, failures."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from etl import load
from etl.sources import SqlQuerySource, make_source
from etl.store import EtlRun, MatterCase, Observation, RejectedRow

MAPPING = {"indicator": "指标名", "period": "年度", "scope": "单位名称", "value": "数值"}
QUERY = 'SELECT "指标名", "年度", "单位名称", "数值", remark AS note FROM stats ORDER BY id'


@pytest.fixture
def stats_db(tmp_path):
    """A statistics bureau's database: Chinese column names, numbers as REAL and as text."""
    path = tmp_path / "stats.sqlite"
    with sqlite3.connect(path) as db:
        db.execute('CREATE TABLE stats (id INTEGER PRIMARY KEY, "指标名" TEXT, "年度" INTEGER, "单位名称" TEXT, '
                   '"数值" TEXT, remark TEXT)')
        db.executemany('INSERT INTO stats ("指标名", "年度", "单位名称", "数值", remark) VALUES (?, ?, ?, ?, ?)', [
            ("地区生产总值", 2019, "新昌县", 458.0, None),
            ("研发投入强度", 2019, "全县", "4.33%", "统计公报"),
            ("高新技术企业", 2019, "轴承", 41, None),
            ("引进人才", 2020, "county", "2,710", None),
        ])
        db.execute("CREATE TABLE cases (no TEXT, matter TEXT, submitted TEXT, done TEXT)")
        db.executemany("INSERT INTO cases VALUES (?, ?, ?, ?)", [
            ("SQL-1", "M001", "2026-11-02 09:00:00", "2026-11-05 16:00:00"),
            ("SQL-2", "M001", "2026-11-03 10:00:00", None),
        ])
    return path


@pytest.fixture
def stats_url(stats_db):
    return f"sqlite:///{stats_db}"


def observations(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(
            Observation.indicator_code, Observation.period, Observation.scope, Observation.value, Observation.note)
            .order_by(Observation.indicator_code, Observation.period))]


EXPECTED = [
    ("gdp", "2019", "county", 458.0, ""),
    ("high_tech_firms", "2019", "bearings", 41.0, ""),
    ("rd_intensity", "2019", "county", 4.33, "统计公报"),
    ("talent_introduced", "2020", "county", 2710.0, ""),
]


def test_mapped_columns_load_as_observations(engine, stats_url):
    result = load.run(engine, "stats", SqlQuerySource(stats_url, QUERY, MAPPING))
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == ("success", 4, 4, 0)
    assert observations(engine) == EXPECTED
    with engine.connect() as conn:
        assert conn.execute(select(Observation.source).distinct()).scalar_one() == f"sql:{stats_url}"


def test_rerun_of_the_same_query_changes_nothing(engine, stats_url):
    first = load.run(engine, "stats", SqlQuerySource(stats_url, QUERY, MAPPING))
    second = load.run(engine, "stats", SqlQuerySource(stats_url, QUERY, MAPPING))
    assert (first.rows_loaded, second.status, second.rows_loaded, second.rows_unchanged) == (4, "success", 0, 4)
    assert observations(engine) == EXPECTED


def test_a_changed_source_row_updates_only_that_observation(engine, stats_url, stats_db):
    load.run(engine, "stats", SqlQuerySource(stats_url, QUERY, MAPPING))
    with sqlite3.connect(stats_db) as db:
        db.execute("""UPDATE stats SET "数值" = '4.35%' WHERE "指标名" = '研发投入强度'""")
    result = load.run(engine, "stats", SqlQuerySource(stats_url, QUERY, MAPPING))
    assert (result.rows_loaded, result.rows_unchanged) == (1, 3)
    assert ("rd_intensity", "2019", "county", 4.35, "统计公报") in observations(engine)


def test_query_parameters_are_bound(engine, stats_url):
    query = 'SELECT "指标名", "年度", "单位名称", "数值" FROM stats WHERE "年度" = :year'
    result = load.run(engine, "stats", SqlQuerySource(stats_url, query, MAPPING, params={"year": 2020}))
    assert (result.status, result.rows_loaded) == ("success", 1)
    assert observations(engine) == [("talent_introduced", "2020", "county", 2710.0, "")]


def test_bad_rows_from_a_query_are_rejected_with_their_row_number(engine, stats_url, stats_db):
    with sqlite3.connect(stats_db) as db:
        db.execute("""INSERT INTO stats ("指标名", "年度", "单位名称", "数值") VALUES ('不存在的指标', 2020, '全县', 1)""")
    result = load.run(engine, "stats", SqlQuerySource(stats_url, QUERY, MAPPING))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 4, 1)
    with engine.connect() as conn:
        assert tuple(conn.execute(select(RejectedRow.location, RejectedRow.row_number, RejectedRow.reason)).one()) \
            == (stats_url, 5, "unknown indicator")


def test_cases_from_a_query(engine, stats_url):
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO matters (code, name_zh, name_en, section, department_code, promised_days, "
                             "is_demo) VALUES ('M001', '科技成果登记', 'S&T registration', 'matters', 'kjj', 5, false)")
    source = SqlQuerySource(stats_url, "SELECT no, matter, submitted, done FROM cases", kind="cases",
                            columns={"case_no": "no", "submitted_at": "submitted", "completed_at": "done"})
    result = load.run(engine, "cases", source)
    assert (result.status, result.rows_loaded) == ("success", 2)
    with engine.connect() as conn:
        rows = conn.execute(select(MatterCase.case_no, MatterCase.status, MatterCase.completed_at)
                            .order_by(MatterCase.case_no)).all()
    assert [(r.case_no, r.status, str(r.completed_at)) for r in rows] == [
        ("SQL-1", "completed", "2026-11-05 16:00:00"), ("SQL-2", "submitted", "None")]


@pytest.fixture
def loaded(engine, stats_url):
    assert load.run(engine, "stats", SqlQuerySource(stats_url, QUERY, MAPPING)).status == "success"
    return engine


def _failed(engine, result, *fragments):
    assert result.status == "failed"
    for fragment in fragments:
        assert fragment in result.error, result.error
    with engine.connect() as conn:
        assert conn.execute(select(EtlRun.status, EtlRun.error).where(EtlRun.id == result.run_id)).one() == \
            ("failed", result.error)
    assert observations(engine) == EXPECTED


def test_a_bad_query_fails_cleanly_and_keeps_the_data(loaded, stats_url):
    result = load.run(loaded, "stats", SqlQuerySource(stats_url, "SELEKT * FROM stats", MAPPING))
    _failed(loaded, result, f"SourceError: query on {stats_url} failed: OperationalError", "syntax error")


def test_a_missing_table_fails_cleanly(loaded, stats_url):
    result = load.run(loaded, "stats", SqlQuerySource(stats_url, "SELECT * FROM nowhere", MAPPING))
    _failed(loaded, result, "SourceError: query on", "no such table: nowhere")


def test_a_statement_that_returns_no_rows_fails_cleanly_and_writes_nothing(loaded, stats_url, stats_db):
    result = load.run(loaded, "stats", SqlQuerySource(stats_url, "UPDATE stats SET remark = 'x'", MAPPING))
    _failed(loaded, result, f"SourceError: query on {stats_url} failed: the statement returns no rows")
    with sqlite3.connect(stats_db) as db:
        assert db.execute("SELECT count(*) FROM stats WHERE remark = 'x'").fetchone() == (0,)


def test_a_mapping_that_misses_a_column_fails_cleanly(loaded, stats_url):
    mapping = {k: v for k, v in MAPPING.items() if k != "value"}
    result = load.run(loaded, "stats", SqlQuerySource(stats_url, QUERY, mapping))
    _failed(loaded, result, f"SourceError: query on {stats_url}: no column value (columns: indicator, period, scope, "
                            "数值, note)")


def test_a_missing_database_file_fails_and_is_not_created(loaded, tmp_path):
    missing = tmp_path / "typo.sqlite"
    result = load.run(loaded, "stats", SqlQuerySource(f"sqlite:///{missing}", QUERY, MAPPING))
    _failed(loaded, result, f"no such database file {missing}")
    assert not missing.exists()


def test_an_unknown_driver_fails_the_run_not_the_constructor(loaded):
    source = SqlQuerySource("nosuchdb://user:secret@host/db", QUERY, MAPPING)
    assert source.key == "nosuchdb://user:***@host/db"
    result = load.run(loaded, "stats", source)
    _failed(loaded, result, "SourceError: query on nosuchdb://user:***@host/db failed: NoSuchModuleError")
    assert "secret" not in result.error


def test_the_key_hides_the_password():
    source = make_source("sql", {"url": "postgresql+psycopg://etl:s3cret@db.example/stats", "query": "SELECT 1"})
    assert (source.name, source.key) == ("sql", "postgresql+psycopg://etl:***@db.example/stats")
