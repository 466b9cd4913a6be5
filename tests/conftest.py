"""Small named fixtures: a store `engine` on SQLite and on PostgreSQL, a `seeded_store`, and settings."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from etl import load, migrate
from etl.catalogue import read_catalogue
from etl.sources import DemoSource
from etl.store import make_engine

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = bool(os.environ.get("CI"))

# The files that start servers or browsers, slowest first: under `-n 2 --dist loadfile` xdist hands out files in
# collection order, so starting these first keeps both workers busy to the end (the rest are short fillers).
SLOW_FIRST = ["test_wall_resilience_browser.py", "test_hostile_gunicorn.py", "test_faults.py",
              "test_export_limits.py", "test_proxy.py", "test_wall_browser.py", "test_drilldown_browser.py",
              "test_reporting.py", "test_targets.py", "test_wall_refresh_browser.py", "test_timezone.py",
              "test_kiosk_browser.py", "test_partial_stores_browser.py", "test_plotly_bundle.py",
              "test_tile_states_browser.py", "test_ops.py", "test_schedule.py"]


def pytest_collection_modifyitems(config, items):
    """Slow files first, each file's tests kept together and in order (every worker must collect the same order)."""
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def _pg_reachable() -> bool:
    try:
        with create_engine(PG_ADMIN_URL).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_database():
    """A throwaway database on the shared PostgreSQL server for this test session; dropped at the end."""
    if not _pg_reachable():
        if IN_CI:
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL} (.ci/run should have started it)")
        pytest.skip("PostgreSQL not reachable")
    name = f"cockpit_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fresh_pg(url: str):
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """The URL of an empty, migrated store; every store test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite'}"
        engine = make_engine(url)
    else:
        url = request.getfixturevalue("pg_database")
        engine = _fresh_pg(url)
    migrate.prepare(engine, read_catalogue())
    engine.dispose()
    return url


@pytest.fixture
def engine(store_url):
    engine = make_engine(store_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_now():
    from datetime import datetime
    return datetime(2026, 11, 20, 10, 30)


@pytest.fixture
def seeded_store(engine, demo_now):
    """A store with the demo history loaded as of a fixed moment."""
    result = load.run(engine, "demo-history", DemoSource(now=demo_now))
    assert result.status == "success", result.error
    return engine


@pytest.fixture
def drop(tmp_path):
    """A drop folder of its own (tmp_path also holds the SQLite store, which a file drop would refuse)."""
    folder = tmp_path / "drop"
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium, one per test module (pages, not browsers, are per test)."""
    from browser.harness import CHROMIUM, CHROMIUM_ARGS
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
