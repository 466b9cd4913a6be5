"""The HTTP JSON source against a real local server that pages, fails, hangs, sends garbage and answers 304."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from etl import load
from etl.sources import HttpJsonSource, make_source
from etl.sources.http import pick
from etl.store import MatterCase, Observation, RejectedRow
from faults.json_api import FAST, FIELDS, api, assert_failed_run, loaded, observations, pages, rec  # noqa: F401

def test_pages_are_followed_until_an_empty_page(engine, api):
    api.routes["/obs"] = pages([rec("gdp", "2019", "county", 458), rec("gdp", "2020", "全县", "471")],
                               [rec("研发投入强度", "2020年", "新昌县", "4.41%")])
    result = load.run(engine, "api", HttpJsonSource(api.url("/obs"), FIELDS, **FAST))
    assert (result.status, result.rows_read, result.rows_loaded) == ("success", 3, 3)
    assert observations(engine) == [("gdp", "2019", "county", 458.0), ("gdp", "2020", "county", 471.0),
                                    ("rd_intensity", "2020", "county", 4.41)]
    assert [q["page"] for q in api.paths("/obs")] == ["1", "2", "3"]


def test_rejected_rows_name_the_page_url_and_row(engine, api):
    api.routes["/obs"] = pages([rec("gdp", "2019", "county", 458)],
                               [rec("gdp", "2020", "county", 471), rec("gdp", "never", "county", 1)])
    result = load.run(engine, "api", HttpJsonSource(api.url("/obs"), FIELDS, **FAST))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 2, 1)
    with engine.connect() as conn:
        row = conn.execute(select(RejectedRow.location, RejectedRow.row_number, RejectedRow.reason)).one()
    assert tuple(row) == (api.url("/obs?page=2"), 2, "unparseable period")


def test_nested_records_and_field_paths(engine, api):
    body = {"data": {"items": [{"meta": {"code": "gdp", "year": 2021}, "where": ["county"], "stats": {"v": 522}}]}}
    api.routes["/nested"] = lambda q, h: (200, {}, body)
    source = HttpJsonSource(api.url("/nested"), {"indicator": "meta.code", "period": "$.meta.year",
                                                 "scope": "where[0]", "value": "stats.v"},
                            records="$.data.items", page_param=None, **FAST)
    result = load.run(engine, "api", source)
    assert (result.status, result.rows_loaded) == ("success", 1)
    assert observations(engine) == [("gdp", "2021", "county", 522.0)]
    assert len(api.hits) == 1  # no paging asked for: one request


def test_a_relative_next_link_is_followed(engine, api):
    api.routes["/feed"] = lambda q, h: (200, {}, {"items": [rec("gdp", "2019", "county", 458)],
                                                  "next": "/feed2?cursor=abc"})
    api.routes["/feed2"] = lambda q, h: (200, {}, {"items": [rec("gdp", "2020", "county", 471)], "next": None})
    source = HttpJsonSource(api.url("/feed"), FIELDS, records="items", next_path="next", **FAST)
    result = load.run(engine, "api", source)
    assert (result.status, result.rows_loaded) == ("success", 2)
    assert api.paths("/feed2") == [{"cursor": "abc"}]


def test_a_server_error_is_retried_then_succeeds(engine, api):
    calls = []

    def flaky(query, headers):
        calls.append(1)
        return (500, {}, {"error": "busy"}) if len(calls) <= 2 else (200, {}, [rec("gdp", "2020", "county", 471)])

    api.routes["/flaky"] = flaky
    result = load.run(engine, "api", HttpJsonSource(api.url("/flaky"), FIELDS, page_param=None, **FAST))
    assert (result.status, result.rows_loaded) == ("success", 1)
    assert len(calls) == 3
    assert observations(engine) == [("gdp", "2020", "county", 471.0)]


def test_a_long_retry_after_is_capped(engine, api):
    calls = []

    def busy(query, headers):
        calls.append(1)
        return (503, {"Retry-After": "3600"}, {"error": "busy"}) if len(calls) == 1 else \
            (200, {}, [rec("gdp", "2020", "county", 471)])

    api.routes["/busy"] = busy
    started = time.monotonic()
    source = HttpJsonSource(api.url("/busy"), FIELDS, page_param=None, retry_after_max=0.2, **FAST)
    result = load.run(engine, "api", source)
    assert (result.status, result.rows_loaded, len(calls)) == ("success", 1, 2)
    assert time.monotonic() - started < 3


def test_a_server_that_keeps_failing_fails_the_run_and_keeps_the_data(loaded, api):
    calls = []
    api.routes["/down"] = lambda q, h: (calls.append(1), (503, {}, {"error": "down"}))[1]
    result = load.run(loaded, "api", HttpJsonSource(api.url("/down"), FIELDS, **FAST))
    assert_failed_run(loaded, result, f"SourceError: GET {api.url('/down?page=1')} answered HTTP 503")
    assert len(calls) == 3  # the first try and two retries


def test_a_failure_on_a_later_page_loads_nothing_of_the_run(loaded, api):
    def route(query, headers):
        n = int(query["page"])
        return (200, {}, [rec("gdp", "2020", "county", 999)]) if n == 1 else (500, {}, {"error": "boom"})

    api.routes["/half"] = route
    result = load.run(loaded, "api", HttpJsonSource(api.url("/half"), FIELDS, **FAST))
    assert_failed_run(loaded, result, "SourceError: GET")
    assert "answered HTTP 500" in result.error


def test_a_hanging_server_times_out_and_the_run_fails(loaded, api):
    def hang(query, headers):
        api.stop.wait(5)
        return 200, {}, []

    api.routes["/hang"] = hang
    started = time.monotonic()
    result = load.run(loaded, "api", HttpJsonSource(api.url("/hang"), FIELDS, timeout=0.5, retries=1, backoff=0.01))
    elapsed = time.monotonic() - started
    assert_failed_run(loaded, result, f"SourceError: GET {api.url('/hang?page=1')}: no complete answer within 0.5 s")
    assert result.error.endswith("(2 tries)")
    assert 0.9 < elapsed < 3.0  # two attempts of 0.5 s, not the server's 5 s
    assert len(api.paths("/hang")) == 2


@pytest.mark.parametrize("body", [b"<html><body>502 Bad Gateway</body></html>", b"\x00\xff\xfe garbage",
                                  b'{"items": [1, 2'])
def test_a_body_that_is_not_json_fails_the_run(loaded, api, body):
    api.routes["/garbage"] = lambda q, h: (200, {"Content-Type": "text/html"}, body)
    result = load.run(loaded, "api", HttpJsonSource(api.url("/garbage"), FIELDS, **FAST))
    assert_failed_run(loaded, result, f"SourceError: GET {api.url('/garbage?page=1')} did not return JSON")


def test_json_without_a_record_list_fails_the_run(loaded, api):
    api.routes["/shape"] = lambda q, h: (200, {}, {"data": {"message": "maintenance"}})
    result = load.run(loaded, "api", HttpJsonSource(api.url("/shape"), FIELDS, records="data.items", **FAST))
    assert_failed_run(loaded, result, f"SourceError: GET {api.url('/shape?page=1')}: no record list at 'data.items'")


def test_records_of_the_wrong_shape_are_rejected_not_fatal(engine, api):
    api.routes["/odd"] = pages([rec("gdp", "2020", "county", 471), "just a string", 42,
                                rec("gdp", "2021", {"nested": "scope"}, [1, 2]), rec(["gdp"], "2022", "county", 1)])
    result = load.run(engine, "api", HttpJsonSource(api.url("/odd"), FIELDS, **FAST))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 1, 4)
    with engine.connect() as conn:
        reasons = conn.execute(select(RejectedRow.row_number, RejectedRow.reason).order_by(RejectedRow.id)).all()
    assert [tuple(r) for r in reasons] == [
        (2, "unknown indicator; unknown scope; unparseable period; unparseable value"),
        (3, "unknown indicator; unknown scope; unparseable period; unparseable value"),
        (4, "unknown scope; unparseable value"),
        (5, "unknown indicator"),
    ]


def test_etag_makes_an_unchanged_api_cost_one_request_and_no_rows(engine, api):
    version = {"etag": '"v1"', "value": 471}

    def route(query, headers):
        if headers.get("If-None-Match") == version["etag"]:
            return 304, {"ETag": version["etag"]}, b""
        return 200, {"ETag": version["etag"]}, [rec("gdp", "2020", "county", version["value"])]

    api.routes["/etag"] = route
    source = lambda: HttpJsonSource(api.url("/etag"), FIELDS, page_param=None, **FAST)
    first = load.run(engine, "api", source())
    second = load.run(engine, "api", source())
    assert (first.status, first.rows_loaded) == ("success", 1)
    assert (second.status, second.rows_read, second.rows_loaded) == ("success", 0, 0)
    assert api.hits[1][2].get("If-None-Match") == '"v1"'
    version.update(etag='"v2"', value=472)
    third = load.run(engine, "api", source())
    assert (third.status, third.rows_loaded) == ("success", 1)
    assert observations(engine) == [("gdp", "2020", "county", 472.0)]


def test_last_modified_is_sent_back_as_if_modified_since(engine, api):
    stamp = "Wed, 21 Oct 2026 07:28:00 GMT"

    def route(query, headers):
        if headers.get("If-Modified-Since") == stamp:
            return 304, {}, b""
        return 200, {"Last-Modified": stamp}, [rec("gdp", "2020", "county", 471)]

    api.routes["/lm"] = route
    load.run(engine, "api", HttpJsonSource(api.url("/lm"), FIELDS, page_param=None, **FAST))
    second = load.run(engine, "api", HttpJsonSource(api.url("/lm"), FIELDS, page_param=None, **FAST))
    assert (second.status, second.rows_read) == ("success", 0)
    assert api.hits[1][2].get("If-Modified-Since") == stamp


def test_a_failed_run_does_not_remember_the_new_etag(engine, api):
    state = {"etag": '"v1"', "fail_page_2": False}

    def route(query, headers):
        if headers.get("If-None-Match") == state["etag"]:
            return 304, {}, b""
        if query.get("page") == "2" and state["fail_page_2"]:
            return 500, {}, {"error": "boom"}
        n = int(query["page"])
        return 200, {"ETag": state["etag"]}, [rec("gdp", "2020", "county", 471)] if n == 1 else []

    api.routes["/e"] = route
    source = lambda: HttpJsonSource(api.url("/e"), FIELDS, **FAST)
    assert load.run(engine, "api", source()).status == "success"
    state.update(etag='"v2"', fail_page_2=True)
    assert load.run(engine, "api", source()).status == "failed"
    state["fail_page_2"] = False
    api.hits.clear()
    third = load.run(engine, "api", source())
    assert third.status == "success"
    assert api.hits[0][2].get("If-None-Match") == '"v1"'  # v2 was never loaded, so it is not claimed


@pytest.fixture
def matter(engine):
    """One innovation matter owned by the S&T bureau, so that cases have something to refer to."""
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO matters (code, name_zh, name_en, section, department_code, promised_days, "
                             "is_demo) VALUES ('M001', '高新技术企业认定申报', 'High-tech application', 'matters', "
                             "'kjj', 20, false)")
    return engine


def test_matter_cases_from_an_api_with_time_zones(matter, api):
    seeded_store = matter
    api.routes["/cases"] = pages([
        {"no": "API-1", "item": {"code": "M001"}, "at": "2026-11-20T09:00:00+08:00", "state": "已受理",
         "accepted": "2026-11-20T02:00:00Z"},
        {"no": "API-2", "item": {"code": "高新技术企业认定申报"}, "at": "2026-11-21 08:00", "state": "已办结",
         "accepted": None},
        {"no": "API-3", "item": {"code": "M999"}, "at": "2026-11-20T09:00:00+08:00", "state": None, "accepted": None},
    ])
    source = HttpJsonSource(api.url("/cases"), {"case_no": "no", "matter": "item.code", "submitted_at": "at",
                                                "status": "state", "accepted_at": "accepted"}, kind="cases", **FAST)
    result = load.run(seeded_store, "cases", source)
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 2, 1)
    with seeded_store.connect() as conn:
        case = conn.execute(select(MatterCase.matter_code, MatterCase.department_code, MatterCase.status,
                                   MatterCase.submitted_at, MatterCase.accepted_at, MatterCase.is_demo)
                            .where(MatterCase.case_no == "API-1")).one()
    assert (case.matter_code, case.status, str(case.submitted_at), str(case.accepted_at), case.is_demo) == \
        ("M001", "accepted", "2026-11-20 09:00:00", "2026-11-20 10:00:00", False)
    assert case.department_code == "kjj"
    with seeded_store.connect() as conn:
        assert conn.execute(select(MatterCase.status).where(MatterCase.case_no == "API-2")).scalar_one() == "completed"
        reason = conn.execute(select(RejectedRow.location, RejectedRow.row_number, RejectedRow.reason)).one()
    assert tuple(reason) == (api.url("/cases?page=1"), 3, "unknown matter")


def test_rerun_of_an_unchanged_api_without_validators_changes_nothing(engine, api):
    api.routes["/obs"] = pages([rec("gdp", "2019", "county", 458), rec("gdp", "2020", "county", 471)])
    first = load.run(engine, "api", HttpJsonSource(api.url("/obs"), FIELDS, **FAST))
    second = load.run(engine, "api", HttpJsonSource(api.url("/obs"), FIELDS, **FAST))
    assert (first.rows_loaded, first.rows_unchanged) == (2, 0)
    assert (second.status, second.rows_read, second.rows_loaded, second.rows_unchanged) == ("success", 2, 0, 2)
    with engine.connect() as conn:
        assert conn.execute(select(Observation.run_id).distinct()).scalars().all() == [first.run_id]


def test_the_registry_builds_the_http_source_from_options(api):
    source = make_source("http_json", {"url": api.url("/x"), "fields": FIELDS, "timeout": 0.5})
    assert (source.name, source.key, source.timeout) == ("http_json", api.url("/x"), 0.5)


def test_pick_walks_dicts_and_lists_and_gives_none_when_missing():
    doc = {"a": {"b": [{"c": 1}, {"c": 2}]}}
    assert [pick(doc, "$.a.b[1].c"), pick(doc, "a.b[0].c"), pick(doc, "a.x"), pick(doc, "a.b[5].c")] == [2, 1, None, None]
