"""The HTTP source's deadlines against real local servers: a GET is complete within `timeout` s however the server
drips (headers or body) or however long it keeps sending; Retry-After is obeyed on an injected clock, never past
the run's deadline."""
from __future__ import annotations

import json
import time
from email.utils import formatdate

import pytest

from etl import load
from etl.sources import HttpJsonSource, SourceError
from faults.json_api import FAST, FIELDS, api, assert_failed_run, drip, endless, loaded, rec  # noqa: F401

BODY = json.dumps([rec("gdp", "2020", "county", 999)]).encode()
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY)


class FakeTime:
    """A monotonic clock that only moves when the source sleeps: the tests see every wait without waiting."""

    def __init__(self):
        self.now, self.sleeps = 1000.0, []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake():
    return FakeTime()


def _timed(fn):
    started = time.monotonic()
    outcome = fn()
    return outcome, time.monotonic() - started


def test_a_body_dripped_a_byte_a_second_fails_the_run_within_the_deadline(loaded, api):
    api.routes["/drip"] = lambda q, h: drip(HEAD, BODY, every=1.0)
    source = HttpJsonSource(api.url("/drip"), FIELDS, page_param=None, timeout=1.5, retries=0)
    result, elapsed = _timed(lambda: load.run(loaded, "api", source))
    assert_failed_run(loaded, result, f"SourceError: GET {api.url('/drip')}: no complete answer within 1.5 s")
    assert 1.4 < elapsed < 2.5


def test_headers_dripped_a_byte_at_a_time_fail_within_the_deadline(api):
    api.routes["/slow-head"] = lambda q, h: drip(b"", HEAD + BODY, every=0.1)  # no read waits more than 0.1 s
    source = HttpJsonSource(api.url("/slow-head"), FIELDS, page_param=None, timeout=1.0, retries=0)
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"/slow-head: no complete answer within 1 s$"):
        list(source.extract({}))
    assert time.monotonic() - started < 2.0  # the whole answer would take 0.1 s × ~130 bytes ≈ 13 s
    assert len(api.hits) == 1


def test_a_server_that_never_stops_sending_fails_the_run_within_the_deadline(loaded, api):
    api.routes["/endless"] = lambda q, h: endless
    source = HttpJsonSource(api.url("/endless"), FIELDS, timeout=1.5, retries=0)
    result, elapsed = _timed(lambda: load.run(loaded, "api", source))
    assert_failed_run(loaded, result, f"SourceError: GET {api.url('/endless?page=1')}: no complete answer within 1.5 s")
    assert 1.4 < elapsed < 2.5


def test_a_request_gets_no_more_than_what_is_left_of_the_run(api):
    api.routes["/drip"] = lambda q, h: drip(HEAD, BODY, every=1.0)
    source = HttpJsonSource(api.url("/drip"), FIELDS, page_param=None, timeout=30, run_deadline=1.0, retries=5)
    started = time.monotonic()
    with pytest.raises(SourceError, match="no complete answer within 1 s; the run deadline of 1 s has passed"):
        list(source.extract({}))
    assert time.monotonic() - started < 2.0


def _busy_then_ok(api, path: str, retry_after, status: int = 429, busy_times: int = 1):
    def route(query, headers):
        if len(api.paths(path)) <= busy_times:
            value = retry_after() if callable(retry_after) else retry_after
            return status, {"Retry-After": value}, {"error": "slow down"}
        return 200, {}, [rec("gdp", "2020", "county", 471)]
    api.routes[path] = route


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_in_seconds_is_waited_as_told(engine, api, fake, status):
    _busy_then_ok(api, "/busy", "7", status)
    source = HttpJsonSource(api.url("/busy"), FIELDS, page_param=None, clock=fake.clock, sleep=fake.sleep, **FAST)
    result = load.run(engine, "api", source)
    assert (result.status, result.rows_loaded) == ("success", 1)
    assert fake.sleeps == [7]
    assert len(api.paths("/busy")) == 2


def test_retry_after_as_an_http_date_is_waited_until_then(api, fake):
    _busy_then_ok(api, "/date", lambda: formatdate(time.time() + 20, usegmt=True), 503)
    source = HttpJsonSource(api.url("/date"), FIELDS, page_param=None, clock=fake.clock, sleep=fake.sleep, **FAST)
    assert len(list(source.extract({}))) == 1
    assert len(fake.sleeps) == 1 and 18 < fake.sleeps[0] <= 20  # the date has whole seconds


def test_a_retry_after_past_the_run_deadline_fails_the_run_at_once(loaded, api, fake):
    _busy_then_ok(api, "/later", "600", busy_times=5)
    source = HttpJsonSource(api.url("/later"), FIELDS, page_param=None, run_deadline=300, clock=fake.clock,
                            sleep=fake.sleep, **FAST)
    result, elapsed = _timed(lambda: load.run(loaded, "api", source))
    assert_failed_run(loaded, result, f"SourceError: GET {api.url('/later')} answered HTTP 429 with Retry-After: 600: "
                                      "waiting 600 s would pass the run deadline of 300 s")
    assert (fake.sleeps, len(api.paths("/later"))) == ([], 1)
    assert elapsed < 1.0


def test_retries_stop_at_the_run_deadline_however_many_are_allowed(api, fake):
    _busy_then_ok(api, "/always", "100", status=503, busy_times=99)
    source = HttpJsonSource(api.url("/always"), FIELDS, page_param=None, retries=10, run_deadline=300,
                            clock=fake.clock, sleep=fake.sleep)
    with pytest.raises(SourceError, match="waiting 100 s would pass the run deadline of 300 s"):
        list(source.extract({}))
    assert fake.sleeps == [100, 100]
    assert len(api.paths("/always")) == 3


def test_backoff_without_retry_after_uses_the_injected_sleep(api, fake):
    calls = []

    def flaky(query, headers):
        calls.append(1)
        return (500, {}, {"error": "busy"}) if len(calls) <= 3 else (200, {}, [rec("gdp", "2020", "county", 471)])

    api.routes["/flaky"] = flaky
    source = HttpJsonSource(api.url("/flaky"), FIELDS, page_param=None, retries=3, backoff=1.0, clock=fake.clock,
                            sleep=fake.sleep)
    assert len(list(source.extract({}))) == 1
    assert fake.sleeps == [2.0, 4.0]  # urllib3's policy: the first retry at once, then backoff × 2^(n-1)
