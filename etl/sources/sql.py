"""SQL query source: any SQLAlchemy URL, one query, and a mapping from its columns to observations or cases."""
from __future__ import annotations

from typing import Iterator

import pandas as pd
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from etl.sources.base import Batch, SourceError, with_location


class SqlQuerySource:
    """Runs `query` against `url` and renames columns by `columns` ({target column: query column})."""
    name = "sql"

    def __init__(self, url: str, query: str, columns: dict[str, str] | None = None, kind: str = "observations",
                 params: dict | None = None, is_demo: bool = False):
        self.url, self.query, self.columns, self.kind = url, query, dict(columns or {}), kind
        self.params, self.is_demo = dict(params or {}), is_demo
        self.key = create_engine(url).url.render_as_string(hide_password=True) if "://" in url else url

    def extract(self, state: dict) -> Iterator[Batch]:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                df = pd.read_sql(text(self.query), conn, params=self.params)
        except SQLAlchemyError as exc:
            raise SourceError(f"query on {self.key} failed: {exc.__class__.__name__}: {exc.orig or exc}") from exc
        finally:
            engine.dispose()
        if self.columns:
            df = df.rename(columns={src: target for target, src in self.columns.items()})
        df = df.astype(object).where(df.notna(), None)
        yield Batch(self.kind, self.key, with_location(df, self.key), is_demo=self.is_demo)
