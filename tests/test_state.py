"""cockpit/state.py: the drill-down pages' URL state (parse, BadParam, href, period_href, clicked, lang_only)."""
import pytest

from cockpit import state
from cockpit.state import BadParam, State, clicked, lang_only, parse, period_href


def test_parse_defaults_and_values():
    s = parse("/departments", {})
    assert s == State(path="/departments", lang="zh")
    s = parse("/chains", {"lang": "en", "from": "2019", "to": " 2021 ", "indicator": "rd", "sort": "handled",
                          "matter": "M.01", "firm": "F-1"})
    assert (s.lang, s.start, s.end, s.indicator, s.sort, s.matter, s.firm) == \
        ("en", "2019", "2021", "rd", "handled", "M.01", "F-1")


def test_empty_values_are_defaults():
    s = parse("/x", {"lang": "", "from": "", "to": None, "indicator": ""})
    assert s == State(path="/x")


def test_repeated_value_is_bad():
    with pytest.raises(BadParam) as e:
        parse("/x", {"from": ["2020", "2021"]})
    assert e.value.key == "bad_repeated" and e.value.values == {"name": "from", "n": 2}
    assert str(e.value) == "from: given 2 times"
    assert "2" in e.value.text("zh") and "from" in e.value.text("zh")
    with pytest.raises(BadParam, match="lang: given 3 times"):
        parse("/x", {"lang": ["en", "en", "zh"]})


@pytest.mark.parametrize("value", ["20", "abcd", "1989", "2101", "2021-01", "20210"])
def test_bad_year(value):
    with pytest.raises(BadParam) as e:
        parse("/x", {"to": value})
    assert e.value.key == "bad_year" and e.value.values["name"] == "to"


def test_fullwidth_digits_read_as_the_ascii_year_so_a_reversed_span_is_still_refused():
    with pytest.raises(BadParam):
        parse("/x", {"from": "2020", "to": "２０１９"})
    assert parse("/x", {"from": "２０１９"}).start == "2019"


def test_year_bounds_are_inclusive():
    s = parse("/x", {"from": "1990", "to": "2100"})
    assert (s.start, s.end) == ("1990", "2100")


def test_reversed_span_is_bad_equal_is_fine():
    with pytest.raises(BadParam) as e:
        parse("/x", {"from": "2022", "to": "2020"})
    assert e.value.key == "bad_span" and str(e.value) == "from 2022 is after to 2020"
    assert parse("/x", {"from": "2021", "to": "2021"}).start == "2021"


def test_unknown_codes():
    with pytest.raises(BadParam) as e:
        parse("/x", {"indicator": "nope"}, indicators={"rd", "patents"})
    assert e.value.key == "bad_value" and e.value.values == {"name": "indicator", "value": "nope"}
    with pytest.raises(BadParam, match="sort"):
        parse("/x", {"sort": "x"}, sorts=("handled",))
    assert parse("/x", {"sort": "handled"}, sorts=("handled",)).sort == "handled"
    for bad in ("a b", "<script>", "x" * 65, "中文"):
        with pytest.raises(BadParam):
            parse("/x", {"firm": bad})
    with pytest.raises(BadParam) as e:
        parse("/x", {"lang": "fr"})
    assert e.value.key == "bad_lang" and str(e.value) == "lang: 'fr' is not zh or en"


def test_href_round_trip_and_key_order():
    s = State(path="/chain/c1", lang="en", start="2019", end="2021", indicator="rd", sort="s", matter="m", firm="f")
    href = s.href()
    assert href == "/chain/c1?lang=en&from=2019&to=2021&indicator=rd&sort=s&matter=m&firm=f"
    path, query = href.split("?")
    from urllib.parse import parse_qs
    back = parse(path, {k: v[0] for k, v in parse_qs(query).items()})
    assert back == s
    assert list(s.query()) == list(state.QUERY_KEYS)


def test_href_defaults_are_left_out():
    assert State(path="/departments").href() == "/departments"
    assert State(path="/d", lang="zh", sort="x").href() == "/d?sort=x"


def test_href_to_another_path_keeps_lang_and_period_only():
    s = State(path="/chains", lang="en", start="2020", end="2022", indicator="rd", sort="s", firm="f")
    assert s.href("/chain/c2") == "/chain/c2?lang=en&from=2020&to=2022"
    assert s.href("/chain/c2", indicator="pat") == "/chain/c2?lang=en&from=2020&to=2022&indicator=pat"
    assert s.href(sort=None, firm=None, indicator=None) == "/chains?lang=en&from=2020&to=2022"


def test_href_quotes_the_path():
    assert State(path="/department/a b").href() == "/department/a%20b"


def test_period_href():
    data = State(path="/d", lang="en", start="2019", end="2021").to_dict()
    assert period_href(data, 2019, 2021) is None
    assert period_href(data, "2019", "2021") is None
    assert period_href(data, 2022, 2020) == "/d?lang=en&from=2020&to=2022"
    assert period_href(data, None, None) == "/d?lang=en"
    assert period_href(data, 2018, None) == "/d?lang=en&from=2018"
    assert period_href(None, None, None) is None
    assert period_href({}, 2020, None) == "/?from=2020"


def test_clicked():
    assert clicked({"points": [{"customdata": "D01"}]}) == "D01"
    assert clicked({"points": [{"customdata": ["C2", "extra"]}]}) == "C2"
    assert clicked({"points": [{"customdata": 7}]}) == "7"
    assert clicked({"points": [{"x": 1}]}) is None
    assert clicked({"points": []}) is None
    assert clicked(None) is None
    assert clicked({}) is None
    assert clicked({"points": [{"customdata": None}]}) is None
    assert clicked({"points": [{"customdata": "a b"}]}) is None


def test_lang_only():
    assert lang_only({"lang": "en", "from": "bad"}) == "en"
    assert lang_only({"lang": "fr"}) == "zh"
    assert lang_only({"lang": ["en", "en"]}) == "zh"
    assert lang_only({}) == "zh"


def test_from_dict_round_trip():
    s = State(path="/p", lang="en", start="2020", matter="m")
    assert state.from_dict(s.to_dict()) == s
    assert state.from_dict(None) == State()
