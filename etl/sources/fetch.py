"""One GET as government APIs really answer it: the whole answer (connect, headers, body) within a deadline or a
SourceError, retried as urllib3's Retry policy says, waiting as Retry-After tells, never past the run's deadline."""
from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Callable

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import InvalidHeader, MaxRetryError
from urllib3.util.retry import Retry

from etl.sources.base import SourceError

log = logging.getLogger(__name__)
_armed = threading.local()  # the watchdog of the request this thread is making, if any


class _Watchdog:
    """Shuts the request's socket down when its deadline passes. A socket timeout is per read, so a server that
    drips a byte a second never trips it; shutting the socket down wakes the blocked read at once."""

    def __init__(self, seconds: float):
        self.fired, self.sock, self.lock = False, None, threading.Lock()
        self.timer = threading.Timer(seconds, self._fire)
        self.timer.daemon = True

    def watch(self, sock) -> None:
        with self.lock:
            self.sock = sock
            if self.fired:
                self._shut()

    def _fire(self) -> None:
        with self.lock:
            self.fired = True
            self._shut()

    def _shut(self) -> None:
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> "_Watchdog":
        _armed.watchdog = self
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.cancel()
        _armed.watchdog = None


class _Watched:
    """A urllib3 connection that hands its socket to the armed watchdog before it reads the status line and headers."""

    def getresponse(self, *args, **kwargs):
        watchdog = getattr(_armed, "watchdog", None)
        if watchdog is not None and self.sock is not None:
            watchdog.watch(self.sock)
        return super().getresponse(*args, **kwargs)


class _HTTPConnection(_Watched, HTTPConnection):
    pass


class _HTTPSConnection(_Watched, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


class _NoAnswer(Exception):
    """No (complete) answer to one try: worth another try while retries and the run deadline allow."""


class Fetcher:
    """GETs, each complete within `timeout` seconds, all within `run_deadline` seconds of start(); `retry` is the
    policy (which statuses, how many tries, backoff); the waiting is ours, on the injected clock and sleep."""

    def __init__(self, timeout: float, run_deadline: float, retry: Retry, retry_after_max: float | None = None,
                 max_bytes: int = 64 << 20, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.timeout, self.run_deadline, self.retry, self.retry_after_max = timeout, run_deadline, retry, retry_after_max
        self.max_bytes, self.clock, self.sleep = max_bytes, clock, sleep
        self.session = requests.Session()
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, _WatchedAdapter())
        self.ends = clock() + run_deadline

    def start(self) -> None:
        """The run begins: its deadline counts from now."""
        self.ends = self.clock() + self.run_deadline

    def get(self, url: str, params: dict, headers: dict) -> requests.Response:
        """The answer with its body read, or SourceError. A status the policy retries is returned as it is once the
        retries are spent, so that the caller says what the server answered."""
        where = requests.Request("GET", url, params=params).prepare().url
        retry, tries = self.retry, 0
        while True:
            left = self.ends - self.clock()
            if left <= 0:
                raise SourceError(f"GET {where}: the run deadline of {self.run_deadline:g} s passed")
            tries += 1
            try:
                resp = self._once(url, params, headers, min(self.timeout, left), where)
            except _NoAnswer as exc:
                try:
                    retry = retry.increment("GET", where, error=exc)
                except MaxRetryError:
                    raise SourceError(f"{exc}{f' ({tries} tries)' if tries > 1 else ''}") from exc
                wait, why = retry.get_backoff_time(), str(exc)
            else:
                if not retry.is_retry("GET", resp.status_code, "Retry-After" in resp.headers):
                    return resp
                try:
                    retry = retry.increment("GET", where, response=resp.raw)
                except MaxRetryError:
                    return resp
                wait, why = self._wait(retry, resp, where)
            left = self.ends - self.clock()
            if wait >= left:
                raise SourceError(f"{why}: waiting {wait:g} s would pass the run deadline of {self.run_deadline:g} s"
                                  if wait > 0 and left > 0 else f"{why}; the run deadline of {self.run_deadline:g} s "
                                  "has passed")
            log.info("%s; try %d in %g s", why, tries + 1, wait)
            if wait > 0:
                self.sleep(wait)

    def _wait(self, retry: Retry, resp: requests.Response, where: str) -> tuple[float, str]:
        """How long to wait before the next try, and why: what Retry-After says (seconds or an HTTP date) on 429
        and 503, else the policy's backoff."""
        why = f"GET {where} answered HTTP {resp.status_code}"
        told = None
        if resp.status_code in Retry.RETRY_AFTER_STATUS_CODES and retry.respect_retry_after_header:
            try:
                told = retry.get_retry_after(resp)
            except InvalidHeader:
                told = None  # a Retry-After we cannot read: back off as if there were none
        if not told:
            return retry.get_backoff_time(), why
        if self.retry_after_max is not None:
            told = min(told, self.retry_after_max)
        return told, f"{why} with Retry-After: {resp.headers['Retry-After']}"

    def _once(self, url: str, params: dict, headers: dict, seconds: float, where: str) -> requests.Response:
        started, late = time.monotonic(), f"GET {where}: no complete answer within {round(seconds, 1):g} s"
        with _Watchdog(seconds) as watchdog:
            try:
                with self.session.get(url, params=params, headers=headers, stream=True,
                                      timeout=(seconds, seconds)) as resp:
                    content = self._read(resp, where, watchdog)
            except requests.RequestException as exc:
                if watchdog.fired or isinstance(exc, requests.Timeout) or time.monotonic() - started >= seconds:
                    raise _NoAnswer(late) from exc
                raise _NoAnswer(f"GET {where} failed: {exc}") from exc
        if watchdog.fired:  # a body without a length ends where the socket was shut: cut short, not complete
            raise _NoAnswer(late)
        resp._content = content  # requests' own decoding (charset, JSON) then works on the body read here
        return resp

    def _read(self, resp: requests.Response, where: str, watchdog: _Watchdog) -> bytes:
        chunks, size = [], 0
        for chunk in resp.iter_content(64 << 10):
            size += len(chunk)
            if size > self.max_bytes:
                raise SourceError(f"GET {where}: the answer is larger than {self.max_bytes:,} bytes (max_bytes)")
            chunks.append(chunk)
            if watchdog.fired:
                break
        return b"".join(chunks)
