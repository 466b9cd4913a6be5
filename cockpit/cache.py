"""The cache and the data version, in one place: every screen's frames, views and JSON bodies are cached under
the data version they were built from, so new data shows as soon as the version moves; a cache that fails
(Redis down) turns into misses, so screens serve uncached instead of failing."""
from __future__ import annotations

import logging
import time
from functools import wraps

from flask import current_app, g, has_app_context, has_request_context

from etl.store import data_version

log = logging.getLogger(__name__)
UNAVAILABLE = ("sqlalchemy.exc.SQLAlchemyError", "redis.exceptions.RedisError")  # the server's fault: 503
REDIS_OPTIONS = {"socket_timeout": 1.0, "socket_connect_timeout": 1.0}  # a vanished Redis host costs 1 s, not a hang
VERSION_TTL = 2  # seconds a process reuses the data version: N walls polling cost one query per TTL
TTL = 3600  # seconds anything built for one data version is kept


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` is the store's or the cache's failure (a 503, never a 500), matched by class name so that
    neither driver has to be imported."""
    return any(f"{k.__module__}.{k.__qualname__}" in UNAVAILABLE for k in type(exc).__mro__)


class TolerantCache:
    """A flask-caching Cache whose backend failures (Redis down) are cache misses and skipped writes, so screens
    serve uncached instead of failing; after a failure the backend is left alone for `retry_after` seconds."""

    def __init__(self, cache, retry_after: float = 5.0):
        self._cache, self._retry_after, self._down_until = cache, retry_after, 0.0

    def _call(self, name: str, *args, default=None, **kwargs):
        if time.monotonic() < self._down_until:
            return default
        try:
            return getattr(self._cache, name)(*args, **kwargs)
        except Exception as exc:
            if not unavailable(exc):
                raise
            self._down_until = time.monotonic() + self._retry_after
            log.warning("cache unavailable (%s); serving uncached for %.0f s", type(exc).__name__, self._retry_after)
            return default

    def get(self, key):
        return self._call("get", key)

    def set(self, key, value, timeout=None):
        return self._call("set", key, value, timeout=timeout, default=False)

    def delete(self, key):
        return self._call("delete", key, default=False)

    def clear(self):
        return self._call("clear", default=False)

    def __getattr__(self, name):
        return getattr(self._cache, name)


def app_cache():
    """This app's cache, or None outside an app context (scripts and tests call queries without one)."""
    if not has_app_context():
        return None
    ctx = current_app.extensions.get("cockpit")
    return ctx.cache if ctx else None


def current_version(engine) -> int:
    """The data version, read at most once per VERSION_TTL per process (cheap enough for every poll) and once per
    request: every part of one answer is built from one version, and a page's dozen memoised queries cost one read
    of it (with caching off, or Redis, each read was a round trip)."""
    if has_request_context() and "cockpit_version" in g:
        return g.cockpit_version
    version = _version(engine)
    if has_request_context():
        g.cockpit_version = version
    return version


def _version(engine) -> int:
    cache = app_cache()
    hit = cache.get("q:version") if cache else None
    if hit is not None:
        return hit
    with engine.connect() as conn:
        version = data_version(conn)
    if cache:
        cache.set("q:version", version, timeout=VERSION_TTL)
    return version


def memo(fn):
    """Memoise a query by (data version, arguments): every wall showing one version shares one SQL run."""
    name = f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"

    @wraps(fn)
    def wrapper(engine, *args):
        if app_cache() is None:  # no app: no cache, and no data-version query either
            return fn(engine, *args)
        return versioned(f"q:{name}:{current_version(engine)}:{args!r}", lambda: fn(engine, *args))
    return wrapper


def versioned(key: str, build, timeout: int = TTL):
    """The value cached under `key` (which names the data version it belongs to), built and stored on a miss."""
    cache = app_cache()
    hit = cache.get(key) if cache is not None else None
    if hit is None:
        hit = build()
        if cache is not None:
            cache.set(key, hit, timeout=timeout)
    return hit


HELD_MAX = 16  # bodies a process holds in front of the shared cache: the live panel sets in both languages


def held(key: str, build):
    """`versioned`, with this process's own copy in front of the shared cache: a body asked for again costs no
    round trip to Redis and no unpickling. The key names the data version, so a copy is never stale. With caching
    off (NullCache) nothing is held: every request builds its answer."""
    ctx = current_app.extensions.get("cockpit") if has_app_context() else None
    if ctx is None or ctx.settings.effective_cache_type == "NullCache":
        return versioned(key, build)
    bodies = current_app.extensions.setdefault("cockpit_held", {})
    hit = bodies.get(key)
    if hit is None:
        hit = versioned(key, build)
        if len(bodies) >= HELD_MAX:
            bodies.clear()
        bodies[key] = hit
    return hit
