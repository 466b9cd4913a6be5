"""Per-app state reached from callbacks: the settings, the store engine and the cache (no module globals)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from flask_caching import Cache

from cockpit.cache import REDIS_OPTIONS, TolerantCache
from etl.store import make_engine


@dataclass
class Context:
    settings: object
    engine: object
    cache: Cache


def init_app(server: Flask, settings) -> Context:
    config = {"CACHE_TYPE": settings.effective_cache_type, "CACHE_DEFAULT_TIMEOUT": 3600}
    if settings.cache_redis_url:
        config["CACHE_REDIS_URL"] = settings.cache_redis_url
        config["CACHE_OPTIONS"] = dict(REDIS_OPTIONS)
    ctx = Context(settings=settings, engine=make_engine(settings.store_url),
                  cache=TolerantCache(Cache(server, config=config)))  # Redis down: serve uncached
    server.extensions["cockpit"] = ctx
    return ctx


def get() -> Context:
    return current_app.extensions["cockpit"]
