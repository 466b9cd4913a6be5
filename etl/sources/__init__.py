"""Every kind of source, listed explicitly: the schedule file names one of these keys per job."""
from etl.sources.base import Batch, Source, SourceError
from etl.sources.demo import DemoSource
from etl.sources.demo_feed import DemoFeedSource
from etl.sources.demo_held import DemoHeldSource
from etl.sources.files import FileDropSource
from etl.sources.http import HttpJsonSource
from etl.sources.sql import SqlQuerySource

SOURCES = {
    "file_drop": FileDropSource,
    "http_json": HttpJsonSource,
    "sql": SqlQuerySource,
    "demo": DemoSource,
    "demo_feed": DemoFeedSource,
    "demo_held": DemoHeldSource,
}


def make_source(kind: str, options: dict | None = None) -> Source:
    if kind not in SOURCES:
        raise ValueError(f"unknown source {kind!r}; known: {', '.join(SOURCES)}")
    return SOURCES[kind](**(options or {}))


__all__ = ["SOURCES", "Batch", "Source", "SourceError", "make_source"]
