"""The file drop against inputs a new county deployment sends that the office-made fixtures do not cover: decimal
commas from a European tool, an unquoted thousands separator, year-to-date and 年度 period headers, a sheet whose
every period is an Excel serial number, a workbook with only a chart."""
from __future__ import annotations

import openpyxl
from openpyxl.chart import BarChart, Reference

from etl import load
from test_sources_files import dropped, listing, observations, rejected


def test_a_decimal_comma_is_rejected_not_read_as_thousands(engine, drop):
    (drop / "export.csv").write_text("indicator;period;scope;value\nrd_intensity;2023;county;4,12\n"
                                     "gdp;2023;county;1.234,5\ngdp;2022;county;1,234.5\n", encoding="utf-8")
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 1, 2), result.error
    assert observations(engine) == [("gdp", "2022", "county", 1234.5, "亿元")]  # not 412 % and 1.2345 亿元
    where = str(drop / "export.csv")
    assert rejected(engine) == [(where, 2, "unparseable value"), (where, 3, "unparseable value")]


def test_an_unquoted_thousands_separator_refuses_the_file_by_its_line(engine, drop):
    # pandas raises on such a line below the first body line, but cuts the first one short with a warning
    (drop / "专利.csv").write_text("指标,期间,范围,数值\n专利授权,2023,全县,3,305\n研发经费,2023,全县,21.3\n",
                                   encoding="utf-8")
    result = load.run(engine, "drop", dropped(drop))
    assert result.status == "failed" and observations(engine) == []  # not 专利授权 = 3
    assert result.refused == [(str(drop / "专利.csv"), "line 2: 5 cells where the header has 4 (a delimiter inside "
                                                       "a value? put the value in double quotes)")]
    assert listing(drop) == ["failed/专利.csv", "failed/专利.csv.error.txt"]


def test_wide_headers_2021年度_load_and_a_year_to_date_column_is_rejected_not_dropped(engine, drop):
    (drop / "年报.csv").write_text("指标,2021年度,2022年,2023年1-9月\n研发经费,18.5,19.6,15.2\n", encoding="utf-8")
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 2, 1), result.error
    assert observations(engine) == [("rd_spending", "2021", "county", 18.5, "亿元"),
                                    ("rd_spending", "2022", "county", 19.6, "亿元")]
    assert rejected(engine) == [(str(drop / "年报.csv"), 2, "unparseable period")]


def test_a_sheet_whose_every_period_is_unreadable_rejects_its_rows_instead_of_failing_the_run(engine, drop):
    wb = openpyxl.Workbook()
    wb.active.append(["指标", "日期", "范围", "数值"])
    wb.active.append(["专利授权", 45292, "全县", 70])  # Excel's serial for 2024-01-01 in a General cell
    wb.active.append(["专利授权", 45323, "全县", 80])
    wb.save(drop / "月报.xlsx")
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 0, 2), result.error
    assert rejected(engine) == [(f"{drop}/月报.xlsx#Sheet", 2, "unparseable period"),
                                (f"{drop}/月报.xlsx#Sheet", 3, "unparseable period")]


def test_a_workbook_with_only_a_chart_names_the_chart_sheet(engine, drop):
    wb = openpyxl.Workbook()
    wb.active.append(["a", 1])
    wb.active.sheet_state = "hidden"
    chart = BarChart()
    chart.add_data(Reference(wb.active, min_col=2, min_row=1, max_row=1))
    wb.create_chartsheet("图表").add_chart(chart)
    wb.save(drop / "图.xlsx")
    result = load.run(engine, "drop", dropped(drop))
    assert result.status == "failed"
    assert result.refused == [(str(drop / "图.xlsx"), "no sheet holds a table (sheet Sheet: hidden sheet; "
                                                     "sheet 图表: a chart sheet, no table)")]
