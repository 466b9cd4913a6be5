"""The store: migrations match the models, SQLite runs in WAL mode, readers are not blocked by a writer."""
from __future__ import annotations

import threading
import time

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from etl import load, migrate
from etl.sources import DemoSource
from etl.store import Base, MatterCase, make_engine


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert migrate.is_current(engine)


def test_upgrade_twice_is_harmless(engine):
    migrate.upgrade(engine)
    assert migrate.is_current(engine)


def test_sqlite_store_is_in_wal_mode_with_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'deep' / 'store.sqlite'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_readers_keep_reading_while_the_etl_writes(tmp_path, demo_now):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    engine = make_engine(url)
    from etl.catalogue import read_catalogue
    migrate.prepare(engine, read_catalogue())
    errors, reads = [], []
    writer = threading.Thread(target=lambda: load.run(make_engine(url), "demo", DemoSource(now=demo_now)))
    writer.start()
    reader = make_engine(url)
    while writer.is_alive():
        try:
            with reader.connect() as conn:
                reads.append(conn.execute(select(func.count()).select_from(MatterCase)).scalar())
        except Exception as exc:  # "database is locked" would land here
            errors.append(exc)
        time.sleep(0.005)  # a reader that never pauses holds the GIL and starves the writer (77 s instead of 5)
    writer.join()
    with reader.connect() as conn:
        final = conn.execute(select(func.count()).select_from(MatterCase)).scalar()
    assert errors == []
    assert len(reads) > 3 and reads[0] == 0
    assert set(reads) <= {0, final}, "a reader saw part of a run"


def test_upgrading_a_loaded_store_keeps_every_observation_and_its_key(engine, demo_now):
    """Revision 0005 rebuilds the observations' unique key: a loaded store taken down to 0004 and up again keeps
    all its rows, and loading the same data again after the upgrade changes nothing (the key still matches). The
    load runs at head: today's code reads columns (indicators.cadence) that 0004 has not."""
    from alembic import command

    from etl.store import Observation

    assert load.run(engine, "demo-history", DemoSource(now=demo_now)).status == "success"
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(Observation)).scalar()
    cfg = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    assert not migrate.is_current(engine)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Observation)).scalar() == before
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Observation)).scalar() == before > 1000
    again = load.run(engine, "demo-history", DemoSource(now=demo_now))
    assert again.status == "success" and again.rows_unchanged > 0
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Observation)).scalar() == before
