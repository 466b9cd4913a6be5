"""The file drop against real files: every encoding and format, Chinese headers, refused files, moves, re-runs."""
from __future__ import annotations

import shutil
import time
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from etl import load
from etl.sources import FileDropSource
from etl.sources.files import read_file
from etl.store import EtlRun, Observation, RejectedRow

# One table in the long format with Chinese headers (the aliases 时期, 主体, 值) and every form of value,
# period and scope the issue lists.
CHINESE_CSV = """指标,时期,主体,值,单位,来源,备注
研发投入强度,2021年,新昌县,4.12%,%,县统计局,初步数
地区生产总值,2021,全县,"1,234",亿元,,
rd_intensity,2021年3月,county,４．１２,,,
研发经费,2021Q1,县科技局,5,,,
高新技术企业,2021-03-15,高端装备,7,,,
专利授权,2021-03,智能装备,9,,,
上市公司,2022,F001,1,,,
"""
EXPECTED = [
    ("gdp", "2021", "county", 1234.0, "亿元"),
    ("high_tech_firms", "2021-03-15", "equipment", 7.0, "家"),
    ("listed_firms", "2022", "F001", 1.0, "家"),
    ("patents_granted", "2021-03", "equipment.smart", 9.0, "件"),
    ("rd_intensity", "2021", "county", 4.12, "%"),
    ("rd_intensity", "2021-03", "county", 4.12, "%"),
    ("rd_spending", "2021Q1", "kjj", 5.0, "亿元"),
]


@pytest.fixture
def firm(engine):
    """One firm in the store, so that a firm code is a known scope."""
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO firms (code, name_zh, name_en, chain_code, segment_code, listed, high_tech, is_demo) "
            "VALUES ('F001', '示例轴承有限公司', 'Demo Bearings Ltd', 'bearings', 'bearings.precision', "
            "false, true, false)")
    return "F001"


def dropped(folder, **options) -> FileDropSource:
    """The drop folder as a minute from now sees it: every file written by the test has settled."""
    return FileDropSource(folder=str(folder), now=lambda: time.time() + 60, **options)


def observations(engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(select(Observation.indicator_code, Observation.period, Observation.scope,
                                   Observation.value, Observation.unit).order_by(
            Observation.indicator_code, Observation.period, Observation.scope)).all()
    return [tuple(r) for r in rows]


def rejected(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(RejectedRow.location, RejectedRow.row_number,
                                                      RejectedRow.reason).order_by(RejectedRow.id))]


def listing(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_every_encoding_loads_the_same_rows(engine, drop, firm, encoding):
    (drop / "指标.csv").write_bytes(CHINESE_CSV.encode(encoding))
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == ("success", 7, 7, 0)
    assert observations(engine) == EXPECTED
    assert listing(drop) == ["processed/指标.csv"]


def test_source_and_note_columns_are_kept_and_defaulted(engine, drop, firm):
    (drop / "a.csv").write_text(CHINESE_CSV, encoding="utf-8")
    load.run(engine, "drop", dropped(drop))
    with engine.connect() as conn:
        rows = dict(((r.indicator_code, r.period), (r.source, r.note)) for r in conn.execute(
            select(Observation.indicator_code, Observation.period, Observation.source, Observation.note)))
    assert rows[("rd_intensity", "2021")] == ("县统计局", "初步数")
    assert rows[("gdp", "2021")] == (f"file_drop:{drop}", "")


@pytest.mark.parametrize("headers", [
    "indicator,period,scope,value",
    "指标,期间,范围,数值",
    "指标,年份,主体,值",
    " Indicator , PERIOD ,Scope,Value",
    "*指标名称,*年度,部门,数据",
    "指　标,期　间,范　围,数　值",
])
def test_header_aliases_mean_the_same(engine, drop, headers):
    (drop / "h.csv").write_text(f"{headers}\ngdp,2020,county,471\n", encoding="utf-8")
    result = load.run(engine, "drop", dropped(drop))
    assert result.status == "success"
    assert observations(engine) == [("gdp", "2020", "county", 471.0, "亿元")]


def test_xlsx_with_chinese_headers_percent_and_date_cells_and_two_sheets(engine, drop):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年度"
    ws.append(["指标", "年份", "范围", "数值", "单位"])
    ws.append(["研发投入强度", 2019, "全县", 0.0433, None])
    ws["D2"].number_format = "0.00%"
    ws.append(["地区生产总值", "2019年", "新昌县", 458, "亿元"])
    ws.append([None, None, None, None, None])
    ws.append(["专利授权", date(2021, 3, 15), "county", "３，０１２", None])
    ws.append(["专利授权", datetime(2021, 4, 1), "county", 250, None])
    ws["B6"].number_format = "yyyy-mm"
    ws2 = wb.create_sheet("季度")
    ws2.append(["indicator", "period", "scope", "value"])
    ws2.append(["rd_spending", "2021Q1", "kjj", 5.5])
    wb.create_sheet("空白")
    wb.save(drop / "book.xlsx")
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.rows_read, result.rows_loaded) == ("success", 5, 5)
    assert observations(engine) == [
        ("gdp", "2019", "county", 458.0, "亿元"),
        ("patents_granted", "2021-03-15", "county", 3012.0, "件"),
        ("patents_granted", "2021-04", "county", 250.0, "件"),
        ("rd_intensity", "2019", "county", 4.33, "%"),
        ("rd_spending", "2021Q1", "kjj", 5.5, "亿元"),
    ]
    assert listing(drop) == ["processed/book.xlsx"]


def test_xlsx_rejected_rows_name_the_sheet_and_its_row(engine, drop):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(["指标", "期间", "范围", "数值"])
    ws.append(["gdp", "2020", "county", 471])
    ws.append([])
    ws.append(["gdp", "某年", "county", 1])
    wb.save(drop / "bad.xlsx")
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 1, 1)
    assert rejected(engine) == [(f"{drop}/bad.xlsx#数据", 4, "unparseable period")]


def test_bad_rows_are_rejected_with_file_and_line_and_the_rest_loads(engine, drop):
    (drop / "mixed.csv").write_text(
        "indicator,period,scope,value,unit\n"
        "gdp,2020,county,471,亿元\n"
        "\n"
        "no_such_indicator,2020,county,1,\n"
        "gdp,someday,county,1,\n"
        "gdp,2019,火星,1,\n"
        "gdp,2018,county,lots,\n"
        "rd_intensity,2018,county,4.24,元\n"
        "gdp,2017,county,12%,\n"
        "gdp,2016,county,382,\n", encoding="utf-8")
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == ("success", 8, 2, 6)
    assert observations(engine) == [("gdp", "2016", "county", 382.0, "亿元"), ("gdp", "2020", "county", 471.0, "亿元")]
    where = str(drop / "mixed.csv")
    assert rejected(engine) == [
        (where, 4, "unknown indicator"), (where, 5, "unparseable period"), (where, 6, "unknown scope"),
        (where, 7, "unparseable value"), (where, 8, "unit does not match the catalogue"),
        (where, 9, "percent value for an indicator not measured in %"),
    ]
    assert listing(drop) == ["processed/mixed.csv"]  # a file with some bad rows is still processed


def test_refused_files_go_to_failed_with_the_reason_beside_them(engine, drop):
    (drop / "good.csv").write_text("indicator,period,scope,value\ngdp,2020,county,471\n", encoding="utf-8")
    (drop / "missing.csv").write_text("indicator,period,value\ngdp,2020,471\n", encoding="utf-8")
    (drop / "garbage.csv").write_bytes(bytes(range(256)) * 8)
    (drop / "empty.csv").write_bytes(b"")
    (drop / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook")
    (drop / "notes.md").write_text("not a data file", encoding="utf-8")
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.rows_loaded) == ("partial", 1)  # some files refused: not a success for freshness
    assert sorted((loc.rsplit("/", 1)[1], why.split(":")[0]) for loc, why in result.refused) == [
        ("broken.xlsx", "unreadable workbook"), ("empty.csv", "empty file"),
        ("garbage.csv", "unreadable"), ("missing.csv", "line 1"), ("notes.md", "not a table file (.md); the drop "
                                                                   "reads .csv, .txt, .tsv and .xlsx")]
    assert listing(drop) == [
        "failed/broken.xlsx", "failed/broken.xlsx.error.txt", "failed/empty.csv", "failed/empty.csv.error.txt",
        "failed/garbage.csv", "failed/garbage.csv.error.txt", "failed/missing.csv", "failed/missing.csv.error.txt",
        "failed/notes.md", "failed/notes.md.error.txt", "processed/good.csv"]
    assert (drop / "failed" / "missing.csv.error.txt").read_text(encoding="utf-8") == \
        "missing.csv: line 1: required column missing: scope (范围) (header: indicator, period, value)\n"
    assert (drop / "failed" / "garbage.csv").read_bytes() == bytes(range(256)) * 8  # moved, not altered
    assert observations(engine) == [("gdp", "2020", "county", 471.0, "亿元")]


def test_a_run_with_only_refused_files_fails_and_says_why(engine, drop):
    (drop / "missing.csv").write_text("指标,期间,数值\ngdp,2020,471\n", encoding="utf-8")
    result = load.run(engine, "drop", dropped(drop))
    assert result.status == "failed"
    assert result.error == f"{drop}/missing.csv: line 1: required column missing: scope (范围) (header: 指标, 期间, 数值)"
    with engine.connect() as conn:
        assert conn.execute(select(EtlRun.status, EtlRun.error)).one() == ("failed", result.error)
    assert listing(drop) == ["failed/missing.csv", "failed/missing.csv.error.txt"]


def test_a_header_only_file_is_processed_with_no_rows(engine, drop):
    (drop / "header.csv").write_text("indicator,period,scope,value\n", encoding="utf-8")
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.rows_read, result.rows_loaded) == ("success", 0, 0)
    assert listing(drop) == ["processed/header.csv"]


def test_rerun_of_same_file_changes_nothing_and_keeps_both_copies(engine, drop, firm):
    (drop / "a.csv").write_text(CHINESE_CSV, encoding="utf-8")
    first = load.run(engine, "drop", dropped(drop))
    shutil.copy(drop / "processed" / "a.csv", drop / "a.csv")
    second = load.run(engine, "drop", dropped(drop))
    assert (first.rows_loaded, first.rows_unchanged) == (7, 0)
    assert (second.status, second.rows_read, second.rows_loaded, second.rows_unchanged) == ("success", 7, 0, 7)
    assert observations(engine) == EXPECTED
    processed = listing(drop / "processed")
    assert len(processed) == 2 and "a.csv" in processed and all(p.startswith("a.") for p in processed)
    third = load.run(engine, "drop", dropped(drop))
    assert (third.status, third.rows_read) == ("success", 0)  # nothing left to read


def test_a_corrected_file_updates_values_in_place(engine, drop):
    (drop / "a.csv").write_text("indicator,period,scope,value\ngdp,2020,county,470\n", encoding="utf-8")
    load.run(engine, "drop", dropped(drop))
    (drop / "a.csv").write_text("indicator,period,scope,value\ngdp,2020,county,471\n", encoding="utf-8")
    result = load.run(engine, "drop", dropped(drop))
    assert (result.rows_loaded, result.rows_unchanged) == (1, 0)
    assert observations(engine) == [("gdp", "2020", "county", 471.0, "亿元")]


def test_a_failed_load_leaves_files_in_place_and_data_untouched(engine, drop, monkeypatch):
    (drop / "a.csv").write_text("indicator,period,scope,value\ngdp,2020,county,470\n", encoding="utf-8")
    load.run(engine, "drop", dropped(drop))
    (drop / "b.csv").write_text("indicator,period,scope,value\ngdp,2020,county,999\n", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(load, "upsert_staged", broken)
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.error) == ("failed", "RuntimeError: disk full")
    assert listing(drop) == ["b.csv", "processed/a.csv"]
    assert observations(engine) == [("gdp", "2020", "county", 470.0, "亿元")]


def test_explicit_files_are_read_without_a_folder(engine, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("indicator,period,scope,value\ngdp,2020,county,471\n", encoding="gbk")
    result = load.run(engine, "drop", FileDropSource(files=[str(path)], move=False))
    assert (result.status, result.rows_loaded) == ("success", 1)
    assert path.exists()  # move=False leaves the file where it is


def test_csv_row_numbers_are_line_numbers_even_after_blank_lines(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("indicator,period,scope,value\ngdp,2021,county,1\n\n\ngdp,2022,county,2\n,,,\n"
                    "gdp,2023,county,3\n", encoding="utf-8")
    [frame] = read_file(path)
    assert frame["_row"].tolist() == [2, 5, 7]
    assert frame["period"].tolist() == ["2021", "2022", "2023"]
