"""Alembic migrations run from code: `upgrade(url)` creates or upgrades the store, `is_current(engine)` checks it."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine, revision: str = "head") -> None:
    """Bring the store at `engine` to `revision`, on the engine's own connection (so SQLite pragmas apply)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(conn) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def is_current(engine) -> bool:
    with engine.connect() as conn:
        return current_revision(conn) == head_revision()


def prepare(engine, catalogue: dict) -> None:
    """Migrate to head and upsert the catalogue's reference rows: what every process does before using the store."""
    from etl.load import seed_reference

    upgrade(engine)
    seed_reference(engine, catalogue)
