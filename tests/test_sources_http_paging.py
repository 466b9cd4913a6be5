"""Paging that ends: an API that ignores the page parameter, cycles, or links back to itself fails the run after a
bounded number of requests instead of 1,000 pages recorded as a success; so does one with no last page."""
from __future__ import annotations

import pytest

from etl import load
from etl.sources import HttpJsonSource, SourceError, make_source
from faults.json_api import FAST, FIELDS, api, assert_failed_run, loaded, observations, rec  # noqa: F401

PAGE_1 = [rec("gdp", "2018", "county", 1), rec("gdp", "2019", "county", 2)]
PAGE_2 = [rec("gdp", "2020", "county", 3)]


def test_an_api_that_ignores_the_page_parameter_fails_the_run_after_two_requests(loaded, api):
    api.routes["/same"] = lambda q, h: (200, {}, PAGE_1)
    result = load.run(loaded, "api", HttpJsonSource(api.url("/same"), FIELDS, **FAST))
    assert_failed_run(loaded, result, f"SourceError: GET {api.url('/same?page=2')}: page 2 repeats page 1 "
                                      "(the same records): the API seems to ignore the page parameter 'page'")
    assert [q["page"] for q in api.paths("/same")] == ["1", "2"]


@pytest.mark.parametrize("third", [PAGE_1, PAGE_1[::-1]], ids=["same-order", "reordered"])
def test_a_page_that_repeats_an_earlier_one_stops_the_paging(api, third):
    answers = {1: PAGE_1, 2: PAGE_2, 3: third}
    api.routes["/cycle"] = lambda q, h: (200, {}, answers.get(int(q["page"]), PAGE_2))
    source = HttpJsonSource(api.url("/cycle"), FIELDS, **FAST)
    with pytest.raises(SourceError, match="page 3 repeats page 1"):
        list(source.extract({}))
    assert len(api.hits) == 3


def test_a_next_link_back_to_a_page_already_read_stops_the_paging(api):
    api.routes["/feed"] = lambda q, h: (200, {}, {"items": PAGE_1, "next": "/feed?cursor=again"})
    source = HttpJsonSource(api.url("/feed"), FIELDS, records="items", next_path="next", **FAST)
    with pytest.raises(SourceError, match="page 2 repeats page 1 .*the next link at 'next' leads back"):
        list(source.extract({}))
    assert len(api.hits) == 2


def test_no_empty_page_within_max_pages_fails_the_run(loaded, api):
    api.routes["/more"] = lambda q, h: (200, {}, [rec("gdp", str(1990 + int(q["page"])), "county", 1)])
    result = load.run(loaded, "api", HttpJsonSource(api.url("/more"), FIELDS, max_pages=5, **FAST))
    assert_failed_run(loaded, result, f"SourceError: GET {api.url('/more')}: no last page after max_pages=5 pages")
    assert len(api.paths("/more")) == 5


def test_max_pages_defaults_to_200_and_is_an_option(api):
    assert HttpJsonSource(api.url("/x"), FIELDS).max_pages == 200
    assert make_source("http_json", {"url": api.url("/x"), "fields": FIELDS, "max_pages": 3000}).max_pages == 3000


def test_the_last_page_within_max_pages_still_loads(engine, api):
    answers = {1: PAGE_1, 2: PAGE_2}
    api.routes["/two"] = lambda q, h: (200, {}, answers.get(int(q["page"]), []))
    result = load.run(engine, "api", HttpJsonSource(api.url("/two"), FIELDS, max_pages=3, **FAST))
    assert (result.status, result.rows_loaded) == ("success", 3)
    assert len(observations(engine)) == 3
