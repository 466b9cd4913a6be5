"""Envelopes: most government APIs answer HTTP 200 with their own code; `ok` says which codes mean success, and any
other fails the run with the API's own message (系统繁忙), loading nothing and keeping the previous data."""
from __future__ import annotations

import pytest

from etl import load
from etl.jobs import read_jobs
from etl.sources import HttpJsonSource, SourceError
from faults.json_api import FAST, FIELDS, api, assert_failed_run, loaded, observations, rec  # noqa: F401

OK = {"path": "code", "values": [0, 200]}


def envelope(code, records=(), **extra):
    return {"code": code, "data": {"list": list(records)}, **extra}


def enveloped(*pages_of_records, busy_on: int | None = None):
    """Pages inside an envelope with code 0, an empty list after the last; page `busy_on` says 系统繁忙 instead."""
    def route(query, headers):
        n = int(query["page"])
        if n == busy_on:
            return 200, {}, envelope(500, msg="系统繁忙")
        return 200, {}, envelope(0, pages_of_records[n - 1] if n <= len(pages_of_records) else [])
    return route


def source(api, path: str, ok=OK, **options):
    return HttpJsonSource(api.url(path), FIELDS, records="data.list", ok=ok, **{**FAST, **options})


def test_code_0_is_success_and_the_records_load(engine, api):
    api.routes["/env"] = enveloped([rec("gdp", "2020", "county", 471)], [rec("gdp", "2021", "county", 522)])
    result = load.run(engine, "api", source(api, "/env"))
    assert (result.status, result.rows_loaded) == ("success", 2)
    assert observations(engine) == [("gdp", "2020", "county", 471.0), ("gdp", "2021", "county", 522.0)]


def test_a_code_given_as_text_matches_its_number(engine, api):
    api.routes["/text"] = lambda q, h: (200, {}, envelope("200", [rec("gdp", "2020", "county", 471)]))
    result = load.run(engine, "api", source(api, "/text", page_param=None))
    assert (result.status, result.rows_loaded) == ("success", 1)


def test_code_500_fails_the_run_with_the_apis_message_and_keeps_the_data(loaded, api):
    api.routes["/busy"] = lambda q, h: (200, {}, envelope(500, msg="系统繁忙", data=None))
    result = load.run(loaded, "api", source(api, "/busy"))
    assert_failed_run(loaded, result, f"SourceError: GET {api.url('/busy?page=1')}: the API answered code 500: 系统繁忙")
    assert result.error.endswith("系统繁忙")


def test_a_bad_code_on_a_later_page_loads_nothing_of_the_run(loaded, api):
    api.routes["/half"] = enveloped([rec("gdp", "2020", "county", 999)], [rec("gdp", "2021", "county", 1)], busy_on=2)
    result = load.run(loaded, "api", source(api, "/half"))
    assert_failed_run(loaded, result, f"SourceError: GET {api.url('/half?page=2')}: the API answered code 500: 系统繁忙")


@pytest.mark.parametrize("body, ok, said", [
    ({"code": 1, "errmsg": "token 已过期"}, OK, "the API answered code 1: token 已过期"),
    ({"code": 1, "message": "参数错误"}, OK, "the API answered code 1: 参数错误"),
    ({"code": 1, "data": {"reason": "维护中"}}, {**OK, "message": "data.reason"}, "the API answered code 1: 维护中"),
    ({"code": 1}, OK, "the API answered code 1"),
    ({"success": False, "msg": "无权限"}, {"path": "success", "values": [True]}, "the API answered code false: 无权限"),
    ({"data": {"list": []}}, OK, "the answer has no code at 'code'"),
])
def test_the_apis_own_message_is_found_where_it_puts_it(api, body, ok, said):
    api.routes["/msg"] = lambda q, h: (200, {}, body)
    with pytest.raises(SourceError) as caught:
        list(source(api, "/msg", ok=ok, page_param=None).extract({}))
    assert str(caught.value) == f"GET {api.url('/msg')}: {said}"


@pytest.mark.parametrize("ok", [{"path": "code"}, {"path": "code", "values": []}, {"path": "", "values": [0]},
                                {"path": "code", "value": [0]}, "code"])
def test_a_malformed_ok_option_fails_the_run_saying_how_to_write_it(api, ok):
    api.routes["/x"] = lambda q, h: (200, {}, envelope(0))
    with pytest.raises(SourceError, match=r'option ok .*e\.g\. ok = \{ path = "code", values = \[0, 200\] \}'):
        list(source(api, "/x", ok=ok).extract({}))  # a SourceError from extract: a failed run, not a crashed job
    assert api.hits == []


def test_the_envelope_option_as_written_in_schedule_toml(engine, api, tmp_path):
    api.routes["/gov"] = enveloped([rec("gdp", "2020", "county", 471)])
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(f'''[[jobs]]
name = "gov"
source = "http_json"
trigger = {{ every = "1h" }}
options = {{ url = "{api.url('/gov')}", records = "data.list", ok = {{ path = "code", values = [0, 200], message = "msg" }}, timeout = 2, fields = {{ indicator = "ind", period = "period", scope = "scope", value = "v" }} }}
''', encoding="utf-8")
    [job] = read_jobs(schedule)
    result = load.run(engine, job.name, job.make_source())
    assert (result.status, result.rows_loaded) == ("success", 1)
    api.routes["/gov"] = enveloped(busy_on=1)
    failed = load.run(engine, job.name, job.make_source())
    assert (failed.status, failed.error) == ("failed", f"SourceError: GET {api.url('/gov?page=1')}: the API "
                                                       "answered code 500: 系统繁忙")
