"""SQL query source: any SQLAlchemy URL, one query, and a mapping from its columns to observations or cases."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pandas as pd
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from etl.sources.base import Batch, SourceError, require_columns, with_location


class SqlQuerySource:
    """Runs `query` against `url` and renames columns by `columns` ({target column: query column})."""
    name = "sql"

    def __init__(self, url: str, query: str, columns: dict[str, str] | None = None, kind: str = "observations",
                 params: dict | None = None, is_demo: bool = False):
        self.url, self.query, self.columns, self.kind = url, query, dict(columns or {}), kind
        self.params, self.is_demo = dict(params or {}), is_demo
        try:  # the key shows where data came from, never a password; building it must not need the driver
            self.key = make_url(url).render_as_string(hide_password=True)
        except ArgumentError:
            self.key = url

    def _engine(self):
        try:
            url = make_url(self.url)
            if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
                    and not url.database.startswith("file:") and not Path(url.database).is_file():
                # SQLite would quietly create an empty database here and then fail on "no such table".
                raise SourceError(f"query on {self.key} failed: no such database file {url.database}")
            return create_engine(url)
        except (ArgumentError, SQLAlchemyError, ImportError) as exc:
            raise SourceError(f"query on {self.key} failed: {exc.__class__.__name__}: {exc}") from exc

    def extract(self, state: dict) -> Iterator[Batch]:
        engine = self._engine()
        try:
            # Executed here rather than by pd.read_sql, which wraps driver errors in its own DatabaseError; the
            # connection is never committed, so a statement that writes leaves the source as it was.
            with engine.connect() as conn:
                result = conn.execute(text(self.query), self.params)
                if not result.returns_rows:
                    raise SourceError(f"query on {self.key} failed: the statement returns no rows")
                df = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        except SQLAlchemyError as exc:
            detail = getattr(exc, "orig", None) or exc
            raise SourceError(f"query on {self.key} failed: {exc.__class__.__name__}: {detail}") from exc
        finally:
            engine.dispose()
        if self.columns:
            df = df.rename(columns={src: target for target, src in self.columns.items()})
        require_columns(df, self.kind, f"query on {self.key}")
        df = df.astype(object).where(df.notna(), None)
        yield Batch(self.kind, self.key, with_location(df, self.key), is_demo=self.is_demo)
