"""Keeps the source registry honest: every kind of source is tested by its own module against real inputs."""
from __future__ import annotations

from pathlib import Path

from etl.sources import SOURCES

TESTS = Path(__file__).resolve().parent


def test_every_registered_source_has_a_test_module():
    modules = {cls.__module__.rsplit(".", 1)[1] for cls in SOURCES.values()}
    assert modules == {"files", "http", "sql", "demo", "demo_feed", "demo_held"}
    missing = [m for m in modules if not (TESTS / f"test_sources_{m}.py").is_file()]
    assert missing == []


def test_every_source_has_a_name_matching_its_registry_key():
    assert {key: cls.name for key, cls in SOURCES.items()} == {k: k for k in SOURCES}
