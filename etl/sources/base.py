"""The source contract: a small object with a name, a key and extract() yielding batches of raw records."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Protocol

import pandas as pd

KINDS = ("firms", "matters", "resources", "observations", "targets", "cases", "annotations")  # load order: dimensions first
# The raw columns without which a batch of a kind cannot even be checked row by row.
REQUIRED = {"observations": ("indicator", "period", "scope", "value"), "cases": ("case_no", "matter", "submitted_at"),
            "targets": ("plan", "indicator", "scope", "period", "target")}


class SourceError(Exception):
    """A source could not be read at all (network down, bad credentials): the run fails, data stays."""


@dataclass
class Batch:
    """Raw records of one kind from one place. `records` has the raw columns plus `_location` and `_row`;
    `refused` says why a whole unit (a file, a response) was refused, in which case records is empty."""
    kind: str
    location: str
    records: pd.DataFrame = field(default_factory=pd.DataFrame)
    refused: str | None = None
    is_demo: bool = False


class Source(Protocol):
    name: str   # the kind of source, a key of SOURCES
    key: str    # what it reads: a folder, a URL, a database
    is_demo: bool

    def extract(self, state: dict) -> Iterator[Batch]:
        """Yield batches; may read and update `state` (ETags, cursors), which is saved only on success."""

    def finish(self, batches: list[Batch], committed: bool) -> None:
        """Called after the run: a file drop moves its files here. Default: nothing."""


def require_columns(df: pd.DataFrame, kind: str, where: str) -> None:
    """Raise SourceError when a mapping leaves out a column the kind needs: a configuration error, not bad rows."""
    missing = [c for c in REQUIRED.get(kind, ()) if c not in df.columns]
    if missing:
        raise SourceError(f"{where}: no column {', '.join(missing)} (columns: {', '.join(map(str, df.columns))})")


def with_location(df: pd.DataFrame, location: str, first_row: int = 1) -> pd.DataFrame:
    """Stamp where each raw record came from (for rejected rows)."""
    df = df.copy()
    df["_location"] = location
    df["_row"] = range(first_row, first_row + len(df))
    return df
