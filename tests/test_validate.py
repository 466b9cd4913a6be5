"""Row checks: periods and numbers in every form the sources send, and the reason each bad row is refused."""
from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from etl import validate
from etl.catalogue import Lookups
from etl.validate import normalise_period, parse_numbers


@pytest.fixture
def lookups() -> Lookups:
    """A hand-made catalogue: two indicators, the county, one department, one chain, one matter."""
    return Lookups(
        indicators={"rd_intensity": "rd_intensity", "研发投入强度": "rd_intensity", "gdp": "gdp", "地区生产总值": "gdp"},
        units={"rd_intensity": "%", "gdp": "亿元"},
        scopes={"county": "county", "全县": "county", "新昌县": "county", "kjj": "kjj", "县科技局": "kjj",
                "bearings": "bearings", "轴承": "bearings"},
        matters={"m001": "M001", "高新技术企业认定申报": "M001"},
        matter_departments={"M001": "kjj"},
        departments={"kjj": "kjj", "县科技局": "kjj", "fgj": "fgj"},
    )


def raw(location: str = "drop/a.csv", first_row: int = 2, **columns) -> pd.DataFrame:
    df = pd.DataFrame(columns)
    df["_location"] = location
    df["_row"] = range(first_row, first_row + len(df))
    return df


@pytest.mark.parametrize("text, expected", [
    ("2021", "2021"), ("2021年", "2021"), (2021, "2021"), (2021.0, "2021"), ("2021.0", "2021"),
    ("2021-03", "2021-03"), ("2021-3", "2021-03"), ("2021年3月", "2021-03"), ("2021/03", "2021-03"),
    ("２０２１年３月", "2021-03"),
    ("2021Q1", "2021Q1"), ("2021q4", "2021Q4"), ("2021-Q2", "2021Q2"), ("2021 Q3", "2021Q3"),
    ("２０２１Ｑ１", "2021Q1"), ("2021年第一季度", "2021Q1"), ("2021年3季度", "2021Q3"),
    ("2021-03-15", "2021-03-15"), ("2021年3月15日", "2021-03-15"), ("2021/3/5", "2021-03-05"),
    ("20210315", "2021-03-15"), ("  2021年 ", "2021"),
    ("2021-03-15 00:00:00", "2021-03-15"), ("2021-03-15T00:00:00", "2021-03-15"),
    (date(2021, 3, 15), "2021-03-15"), (datetime(2021, 3, 15), "2021-03-15"),
    (pd.Timestamp("2021-03-15"), "2021-03-15"),
])
def test_normalise_period_accepts_every_documented_form(text, expected):
    assert normalise_period(text) == expected


@pytest.mark.parametrize("text", [
    None, float("nan"), pd.NA, "", "abc", "2021-13", "2021-00", "2021-02-30", "2021Q5", "1899", "2101",
    "21", "2021H1", "2021-03-15 09:30:00", "Q1 2021",
])
def test_normalise_period_refuses_what_is_not_a_period(text):
    assert normalise_period(text) is None


def test_parse_numbers_reads_percent_thousands_and_fullwidth():
    values, pct = parse_numbers(pd.Series(["4.12%", "1,234", "４．１２", " 5 ", "１，２３４", "４．１２％", "-3",
                                           "\u22123", "1 234", "4.12 %", "1e3"]))
    assert values.tolist() == [4.12, 1234.0, 4.12, 5.0, 1234.0, 4.12, -3.0, -3.0, 1234.0, 4.12, 1000.0]
    assert pct.tolist() == [True, False, False, False, False, True, False, False, False, True, False]


def test_parse_numbers_gives_nan_for_text_and_blanks():
    values, pct = parse_numbers(pd.Series(["abc", None, "", "4.1.2", "%"], dtype=object))
    assert values.isna().all()
    assert not pct[[0, 1, 2, 3]].any()


def test_parse_numbers_passes_numeric_columns_through():
    values, pct = parse_numbers(pd.Series([1, 2.5, None]))
    assert values.iloc[:2].tolist() == [1.0, 2.5] and np.isnan(values.iloc[2])
    assert not pct.any()


def test_observations_canonicalise_codes_periods_values_and_units(lookups):
    clean, rejected = validate.observations(raw(
        indicator=["研发投入强度", "gdp", "地区生产总值"], period=["2021年", "2021年3月", "2021Q1"],
        scope=["新昌县", "县科技局", "轴承"], value=["4.12%", "1,234", "５"], unit=["％", "亿元", None],
        source=["统计局", None, None], note=[None, "初步", None]), lookups)
    assert rejected.empty
    assert clean.to_dict("records") == [
        {"indicator_code": "rd_intensity", "period": "2021", "scope": "county", "value": 4.12, "unit": "%",
         "source": "统计局", "note": ""},
        {"indicator_code": "gdp", "period": "2021-03", "scope": "kjj", "value": 1234.0, "unit": "亿元",
         "source": "", "note": "初步"},
        {"indicator_code": "gdp", "period": "2021Q1", "scope": "bearings", "value": 5.0, "unit": "亿元",
         "source": "", "note": ""},
    ]


def test_each_bad_observation_gets_its_reason_and_location(lookups):
    clean, rejected = validate.observations(raw(
        indicator=["gdp", "nope", "gdp", "gdp", "gdp", "rd_intensity", "gdp", "nope"],
        period=["2021", "2021", "someday", "2021", "2022", "2023", "2024", "never"],
        scope=["county", "county", "county", "mars", "county", "county", "county", "county"],
        value=["1", "1", "1", "1", "x", "5", "10%", "1"],
        unit=[None, None, None, None, None, "元", None, None]), lookups)
    assert clean[["indicator_code", "period", "value"]].to_dict("records") == [
        {"indicator_code": "gdp", "period": "2021", "value": 1.0}]
    assert rejected[["location", "row_number", "reason"]].to_dict("records") == [
        {"location": "drop/a.csv", "row_number": 3, "reason": "unknown indicator"},
        {"location": "drop/a.csv", "row_number": 4, "reason": "unparseable period"},
        {"location": "drop/a.csv", "row_number": 5, "reason": "unknown scope"},
        {"location": "drop/a.csv", "row_number": 6, "reason": "unparseable value"},
        {"location": "drop/a.csv", "row_number": 7, "reason": "unit does not match the catalogue"},
        {"location": "drop/a.csv", "row_number": 8, "reason": "percent value for an indicator not measured in %"},
        {"location": "drop/a.csv", "row_number": 9, "reason": "unknown indicator; unparseable period"},
    ]
    assert rejected["raw"].iloc[1] == '{"indicator": "gdp", "period": "someday", "scope": "county", "value": "1", ' \
                                      '"unit": null}'


def test_a_later_duplicate_key_wins_and_the_earlier_row_is_rejected(lookups):
    clean, rejected = validate.observations(raw(
        indicator=["gdp", "gdp", "地区生产总值"], period=["2021", "2022", "2021年"], scope=["county", "county", "全县"],
        value=["1", "2", "3"]), lookups)
    assert clean[["period", "value"]].to_dict("records") == [{"period": "2022", "value": 2.0},
                                                             {"period": "2021", "value": 3.0}]
    assert rejected[["row_number", "reason"]].to_dict("records") == [
        {"row_number": 2, "reason": "duplicate key; a later row in the same batch wins"}]


def test_a_later_bad_row_does_not_knock_out_a_good_one_with_the_same_key(lookups):
    clean, rejected = validate.observations(raw(
        indicator=["gdp", "gdp"], period=["2021", "2021"], scope=["county", "county"], value=["5", "oops"]), lookups)
    assert clean[["period", "value"]].to_dict("records") == [{"period": "2021", "value": 5.0}]
    assert rejected[["row_number", "reason"]].to_dict("records") == [{"row_number": 3, "reason": "unparseable value"}]


def test_an_empty_batch_gives_empty_results(lookups):
    clean, rejected = validate.observations(raw(indicator=[], period=[], scope=[], value=[]), lookups)
    assert clean.empty and rejected.empty
    assert list(rejected.columns) == ["location", "row_number", "raw", "reason"]


def test_cases_resolve_matters_infer_status_and_departments(lookups):
    clean, rejected = validate.cases(raw(
        location="http://api/cases?page=1", first_row=1,
        case_no=["C1", "C2", "C3"], matter=["M001", "高新技术企业认定申报", "m001"],
        submitted_at=["2021-03-01 09:00", "2021-03-01", "2021-03-02T08:00:00"],
        accepted_at=[None, "2021-03-02", "2021-03-02 09:00"],
        completed_at=[None, None, "2021-03-05 17:00"], status=[None, None, "已办结"]), lookups)
    assert rejected.empty
    assert clean["status"].tolist() == ["submitted", "accepted", "completed"]
    assert clean["matter_code"].tolist() == ["M001"] * 3
    assert clean["department_code"].tolist() == ["kjj"] * 3
    assert clean["completed_at"].iloc[2] == pd.Timestamp("2021-03-05 17:00")


def test_case_times_with_offsets_become_local_time_beside_naive_ones(lookups):
    clean, rejected = validate.cases(raw(
        case_no=["C1", "C2", "C3", "C4"], matter=["M001"] * 4,
        submitted_at=["2021-03-01T09:00:00+08:00", "2021-03-01 10:00", "2021-03-01T01:30:00Z", 1614560400]),
        lookups)
    assert rejected.empty
    assert clean["submitted_at"].tolist() == [pd.Timestamp("2021-03-01 09:00"), pd.Timestamp("2021-03-01 10:00"),
                                              pd.Timestamp("2021-03-01 09:30"), pd.Timestamp("2021-03-01 09:00")]


def test_each_bad_case_gets_its_reason(lookups):
    clean, rejected = validate.cases(raw(
        case_no=["OK", None, "C3", "C4", "C5", "C6", "C7", "C8"],
        matter=["M001", "M001", "zzz", "M001", "M001", "M001", "M001", "M001"],
        submitted_at=["2021-03-01", "2021-03-01", "2021-03-01", "garbage", "2021-03-05", "2021-03-01", "2021-03-01",
                      "2021-03-01"],
        completed_at=[None, None, None, None, "2021-03-01", None, "not a time", None],
        department=[None, None, None, None, None, "fgj", None, None],
        status=[None, None, None, None, None, None, None, "lost"]), lookups)
    assert clean["case_no"].tolist() == ["OK"]
    assert rejected[["row_number", "reason"]].to_dict("records") == [
        {"row_number": 3, "reason": "missing case number"},
        {"row_number": 4, "reason": "unknown matter"},
        {"row_number": 5, "reason": "unparseable submitted_at"},
        {"row_number": 6, "reason": "completed before submitted"},
        {"row_number": 7, "reason": "department does not own this matter"},
        {"row_number": 8, "reason": "unparseable completed_at"},
        {"row_number": 9, "reason": "unknown status"},
    ]


def test_a_repeated_case_number_keeps_the_later_row(lookups):
    clean, rejected = validate.cases(raw(
        case_no=["C1", "C1"], matter=["M001", "M001"], submitted_at=["2021-03-01", "2021-03-02"]), lookups)
    assert clean["submitted_at"].tolist() == [pd.Timestamp("2021-03-02")]
    assert rejected["reason"].tolist() == ["duplicate case number; a later row in the same batch wins"]


def test_lookups_from_the_store_know_codes_chinese_and_english_names(engine):
    with engine.connect() as conn:
        lk = Lookups.from_db(conn)
    clean, rejected = validate.observations(raw(
        indicator=["研发投入强度", "R&D intensity", "上市公司"], period=["2021", "2022", "2021"],
        scope=["全县", "县科技局", "Bearings"], value=["4.12%", "4.2", "16"]), lk)
    assert rejected.empty
    assert clean[["indicator_code", "scope", "unit"]].to_dict("records") == [
        {"indicator_code": "rd_intensity", "scope": "county", "unit": "%"},
        {"indicator_code": "rd_intensity", "scope": "kjj", "unit": "%"},
        {"indicator_code": "listed_firms", "scope": "bearings", "unit": "家"},
    ]


def test_booleans_are_not_numbers(lookups):
    """A JSON true would load as 1 (the wall then showed 高新技术企业 1 家): it is rejected with its reason."""
    clean, rejected = validate.observations(raw(
        indicator=["gdp"] * 4, period=["2021", "2022", "2023", "2024"], scope=["county"] * 4,
        value=pd.Series([True, 471.5, False, "500"], dtype=object)), lookups)
    assert clean["period"].tolist() == ["2022", "2024"]
    assert rejected[["row_number", "reason"]].values.tolist() == [
        [2, "not a number: a true/false value"], [4, "not a number: a true/false value"]]
    values, _ = parse_numbers(pd.Series([True, False]))
    assert values.isna().all()


def test_a_period_that_begins_after_today_is_refused(lookups):
    lookups.today = date(2026, 12, 2)
    clean, rejected = validate.observations(raw(
        indicator=["rd_intensity"] * 6, scope=["county"] * 6, value=["3.9"] * 6,
        period=["2026", "2028", "2026Q4", "2027Q1", "2026-12-02", "2026-12-03"]), lookups)
    assert clean["period"].tolist() == ["2026", "2026Q4", "2026-12-02"]
    assert rejected["row_number"].tolist() == [3, 5, 7]
    assert set(rejected["reason"]) == {"future period: it begins after today (2026-12-02)"}


@pytest.mark.parametrize("period, start", [
    ("2025", date(2025, 1, 1)), ("2025Q3", date(2025, 7, 1)), ("2025-02", date(2025, 2, 1)),
    ("2025-02-10", date(2025, 2, 10)), (None, None)])
def test_period_start(period, start):
    assert validate.period_start(period) == start
