"""The HTTP source against answers a county's APIs give that the scripted fault tests do not: JSON with a BOM,
Chinese JSON served as text/plain without a charset, an HTML page with HTTP 200, records that are not objects."""
from __future__ import annotations

from etl import load
from etl.sources import HttpJsonSource
from faults.json_api import FAST, FIELDS, api, assert_failed_run, loaded, observations, rec  # noqa: F401


def once(body: bytes, content_type: str):
    return lambda q, h: (200, {"Content-Type": content_type}, body if q.get("page") == "1" else b"[]")


def source(api, path):
    return HttpJsonSource(api.url(path), FIELDS, **FAST)


def test_json_with_a_utf8_bom_loads(engine, api):
    api.routes["/bom"] = once('\ufeff[{"ind":"gdp","period":"2021","scope":"county","v":1}]'.encode(),
                              "application/json")
    result = load.run(engine, "api", source(api, "/bom"))
    assert (result.status, result.rows_loaded) == ("success", 1), result.error


def test_chinese_json_served_as_text_plain_without_a_charset_is_read_as_utf8(engine, api):
    body = '[{"ind":"地区生产总值","period":"2021","scope":"全县","v":471}]'.encode()
    api.routes["/plain"] = once(body, "text/plain")
    result = load.run(engine, "api", source(api, "/plain"))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 1, 0), result.error
    assert observations(engine) == [("gdp", "2021", "county", 471.0)]


def test_a_named_charset_is_honoured(engine, api):
    body = '[{"ind":"地区生产总值","period":"2021","scope":"全县","v":471}]'.encode("gbk")
    api.routes["/gbk"] = once(body, "application/json; charset=GBK")
    result = load.run(engine, "api", source(api, "/gbk"))
    assert (result.status, result.rows_loaded) == ("success", 1), result.error


def test_an_html_page_with_http_200_fails_the_run_saying_so_in_readable_text(loaded, api):
    api.routes["/down"] = once("<html><body>系统维护中</body></html>".encode(), "text/html")
    result = load.run(loaded, "api", source(api, "/down"))
    said = "did not return JSON but an HTML page (a gateway error or login page?): '<html><body>系统维护中</body></html>'"
    assert_failed_run(loaded, result, f"SourceError: GET {api.url('/down?page=1')} {said}")


def test_an_object_where_the_list_belongs_is_named_with_its_keys(loaded, api):
    api.routes["/obj"] = once(b'{"total":1,"rows":[]}', "application/json")
    result = load.run(loaded, "api", source(api, "/obj"))
    assert_failed_run(loaded, result, f"SourceError: GET {api.url('/obj?page=1')}: no record list at '$' (found an "
                                      "object with keys total, rows); set records to the path of the list")


def test_records_that_are_not_objects_are_rejected_not_a_crash(engine, api):
    api.routes["/lists"] = once(b'[[1, 2, 3], [4, 5, 6]]', "application/json")
    result = load.run(engine, "api", source(api, "/lists"))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 0, 2), result.error
