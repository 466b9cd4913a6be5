"""make_engine(): an engine for a store URL, with SQLite's pragmas and PostgreSQL's driver chosen."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets the app read while the ETL writes; the busy timeout waits out a writer instead of failing.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA temp_store=MEMORY")  # staging tables for bulk upserts live in memory
    cur.execute("PRAGMA cache_size=-65536")  # 64 MB page cache per connection
    cur.close()


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for `url`; SQLite files get WAL mode, a busy timeout and their folder created."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)
