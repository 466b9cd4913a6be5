"""Export slots: how many CSV exports may stream at once, per user and per process, so that a few analysts cannot
hold every worker thread while the walls poll (issue 11 #7).

- The process limit (COCKPIT_EXPORTS_TOTAL) is kept in the process: it protects that process's threads, which
  is what a stalled poll waits for.
- The per-user limit (COCKPIT_EXPORTS_PER_USER) is shared by every worker through Redis when CACHE_REDIS_URL is
  set (a sorted set per user whose members are leases: a worker killed mid-export frees its slots when their
  lease runs out), kept in the process otherwise, and in the process while Redis is unreachable (logged once).

A slot is released when its stream ends, fails or its client goes away (the response iterable is closed in each
case); release is idempotent.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid

log = logging.getLogger(__name__)
LEASE = 300  # seconds a Redis slot lives without a refresh (each chunk refreshes it)
PREFIX = "cockpit:export-slots:"
# KEYS[1] the user's set; ARGV: now, lease expiry, slot id, per-user limit. 1 = taken, 0 = the user is at the limit.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]) - tonumber(ARGV[1])) + 1)
return 1
"""


class Busy(Exception):
    """No slot: `scope` is "user" (this user's exports) or "server" (this process's)."""

    def __init__(self, scope: str):
        super().__init__(scope)
        self.scope = scope


class Slot:
    def __init__(self, slots: "Slots", user: str, token: str | None):
        self._slots, self.user, self._token, self._released = slots, user, token, False
        self._refreshed = time.monotonic()

    def refresh(self) -> None:
        """Extend the Redis lease (at most every few seconds; called for each chunk streamed)."""
        if self._token and time.monotonic() - self._refreshed > 5:
            self._refreshed = time.monotonic()
            self._slots._redis_call(lambda r: r.zadd(self._slots.key(self.user),
                                                     {self._token: time.time() + self._slots.lease}, xx=True))

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        self._slots._release(self)


class Slots:
    def __init__(self, per_user: int, total: int, redis_url: str = "", lease: float = LEASE, namespace: str = ""):
        self.per_user, self.total, self.lease, self.namespace = per_user, total, lease, namespace
        self._lock = threading.Lock()
        self._running = 0
        self._local_users: dict[str, int] = {}
        self._redis = self._script = None
        self._warned = False
        if redis_url:
            import redis
            self._redis = redis.Redis.from_url(redis_url, socket_timeout=1.0, socket_connect_timeout=1.0)
            self._script = self._redis.register_script(_ACQUIRE)

    def key(self, user: str) -> str:
        return f"{PREFIX}{self.namespace}:{user}"

    def _redis_call(self, fn):
        """fn(redis client), or None when Redis is not configured or fails (logged once per process)."""
        if self._redis is None:
            return None
        try:
            return fn(self._redis)
        except Exception as exc:  # redis.RedisError and socket errors: fall back to this process's counts
            if not self._warned:
                self._warned = True
                log.warning("export slots: Redis unreachable (%s); per-user export limits are per process",
                            type(exc).__name__)
            return None

    def acquire(self, user: str) -> Slot:
        """A slot for `user`, or Busy."""
        with self._lock:
            if self._running >= self.total:
                raise Busy("server")
            self._running += 1
        token = uuid.uuid4().hex
        now = time.time()
        taken = self._redis_call(lambda r: self._script(keys=[self.key(user)],
                                                        args=[now, now + self.lease, token, self.per_user]))
        if taken is None:  # no Redis: count in the process
            token = None
            with self._lock:
                taken = self._local_users.get(user, 0) < self.per_user
                if taken:
                    self._local_users[user] = self._local_users.get(user, 0) + 1
        if not taken:
            with self._lock:
                self._running -= 1
            raise Busy("user")
        return Slot(self, user, token)

    def _release(self, slot: Slot) -> None:
        if slot._token:
            self._redis_call(lambda r: r.zrem(self.key(slot.user), slot._token))
        with self._lock:
            self._running -= 1
            if slot._token is None:
                left = self._local_users.get(slot.user, 1) - 1
                if left > 0:
                    self._local_users[slot.user] = left
                else:
                    self._local_users.pop(slot.user, None)

    def running(self) -> int:
        with self._lock:
            return self._running
