"""The file drop against files as county offices send them: title blocks, Excel's Unicode Text, GBK and mixed
encodings, semicolons, notes sheets, wide year-by-column tables, footnotes, total rows, formats it cannot read."""
from __future__ import annotations

import openpyxl
import pytest

from etl import load
from etl.sources import FileDropSource
from etl.sources.files import read_file
from office_files import (
    BUREAU_EXPECTED, BUREAU_LINES, bureau_csv, bureau_workbook, department_workbook, mixed_encoding_csv,
    unicode_text,
)
from test_sources_files import dropped, listing, observations, rejected


@pytest.mark.parametrize("encoding,delimiter", [("utf-8-sig", ","), ("gbk", ","), ("gbk", ";"), ("utf-8", "\t")])
def test_a_bureau_table_under_its_title_block_loads_by_year_with_rejected_cells_at_their_line(
        engine, drop, encoding, delimiter):
    bureau_csv(drop / "年报.csv", encoding, delimiter)
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 12, 1), result.error
    assert observations(engine) == BUREAU_EXPECTED
    assert rejected(engine) == [(str(drop / "年报.csv"), 8, "unparseable value")]  # 研发投入强度 2023 = abc
    assert listing(drop) == ["processed/年报.csv"]


def test_excel_unicode_text_utf16_tabs_loads_with_line_numbers(engine, drop):
    unicode_text(drop / "导出.txt", [
        ["县科技局报表"], [],
        ["指标", "期间", "范围", "数值", "单位"],
        ["研发经费", "2022", "县科技局", "1.5", "亿元"],
        ["专利授权", "2022年", "全县", "3,012", ""],
        ["专利授权", "明年", "全县", "1", ""],
    ])
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 2, 1)
    assert observations(engine) == [("patents_granted", "2022", "county", 3012.0, "件"),
                                    ("rd_spending", "2022", "kjj", 1.5, "亿元")]
    assert rejected(engine) == [(str(drop / "导出.txt"), 6, "unparseable period")]


def test_mostly_utf8_with_a_few_gbk_lines_is_refused_naming_those_lines(engine, drop):
    mixed_encoding_csv(drop / "拼接.csv")
    result = load.run(engine, "drop", dropped(drop))
    assert result.status == "failed" and observations(engine) == []
    why = "lines 5, 9 are not UTF-8 (GBK?) while the rest of the file is: save the whole file as UTF-8"
    assert result.refused == [(str(drop / "拼接.csv"), why)]
    assert (drop / "failed" / "拼接.csv.error.txt").read_text(encoding="utf-8") == f"拼接.csv: {why}\n"


def test_a_workbook_with_a_notes_sheet_and_the_header_in_row_4_loads_its_data_sheet(engine, drop):
    bureau_workbook(drop / "年报.xlsx")
    source = dropped(drop)
    result = load.run(engine, "drop", source)
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 5, 3), result.error
    assert observations(engine) == [
        ("on_time_rate", "2021", "county", 98.5, "%"), ("on_time_rate", "2022", "county", 99.1, "%"),
        ("on_time_rate", "2023", "county", 98.7, "%"),
        ("patents_granted", "2021", "county", 2801.0, "件"), ("patents_granted", "2022", "county", 3012.0, "件"),
    ]
    where = f"{drop}/年报.xlsx#数据"
    assert rejected(engine) == [(where, 7, "unit does not match the catalogue")] * 3  # 研发经费 in 万元
    assert [(w.rsplit("#", 1)[1], why.split(" (")[0]) for w, why in source.skipped] == [
        ("说明", "no header row in the first 30 rows"), ("Sheet3", "empty")]
    assert listing(drop) == ["processed/年报.xlsx"]


def test_a_workbook_without_any_table_is_refused_naming_each_sheet(engine, drop):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表为空，数据下月补报。"])
    wb.create_sheet("空表")
    wb.save(drop / "空.xlsx")
    result = load.run(engine, "drop", dropped(drop))
    assert result.status == "failed"
    [(_, why)] = result.refused
    assert why.startswith("no sheet holds a table (sheet 说明: no header row in the first 30 rows (expected ")
    assert why.endswith("; sheet 空表: empty)")


def test_a_sheet_whose_header_lacks_a_column_refuses_the_workbook_naming_sheet_and_row(engine, drop):
    wb = openpyxl.Workbook()
    wb.active.title = "好表"
    wb.active.append(["指标", "期间", "范围", "数值"])
    wb.active.append(["gdp", "2020", "全县", 471])
    ws = wb.create_sheet("坏表")
    ws.append(["2020年报"])
    ws.append(["指标", "期间", "数值"])
    ws.append(["gdp", "2021", 500])
    wb.save(drop / "book.xlsx")
    result = load.run(engine, "drop", dropped(drop))
    assert result.refused == [(str(drop / "book.xlsx"), "sheet 坏表, row 2: required column missing: scope (范围) "
                                                        "(header: 指标, 期间, 数值)")]
    assert observations(engine) == []  # nothing of a refused file loads, not even its good sheet


def test_a_total_row_is_the_county_unless_the_table_has_a_county_row_for_it(engine, drop):
    department_workbook(drop / "分部门.xlsx")
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("success", 4, 1)
    assert observations(engine) == [
        ("rd_spending", "2022", "county", 19.6, "亿元"), ("rd_spending", "2022", "kjj", 1.2, "亿元"),
        ("rd_spending", "2023", "county", 20.1, "亿元"), ("rd_spending", "2023", "kjj", 1.3, "亿元"),
    ]
    [(where, row, reason)] = rejected(engine)
    assert (where, row, reason) == (f"{drop}/分部门.xlsx#分部门", 5, "unknown scope")
    with engine.connect() as conn:
        raw = conn.exec_driver_sql("SELECT raw FROM rejected_rows").scalar()
    assert "合计 (total row, but this table has a county row for the same indicator and period)" in raw


def test_a_long_table_with_total_rows_and_the_unit_in_the_value_header(engine, drop):
    (drop / "部门.csv").write_text("部门,指标,年份,数值（亿元）\n县科技局,研发经费,2022,1.2\n合计,研发经费,2022,19.5\n"
                                   "总 计,地区生产总值,2022,471\n", encoding="utf-8")
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.rows_loaded) == ("success", 3), result.error
    assert observations(engine) == [("gdp", "2022", "county", 471.0, "亿元"),
                                    ("rd_spending", "2022", "county", 19.5, "亿元"),
                                    ("rd_spending", "2022", "kjj", 1.2, "亿元")]


def test_a_wide_table_with_a_blank_corner_and_year_headers_skips_placeholders(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text(",2021年,2022年\n研发经费(亿元),18.5,-\n5G基站,…,900\n", encoding="utf-8")
    [frame] = read_file(path)
    assert frame[["indicator", "period", "scope", "value", "unit", "_row"]].values.tolist() == [
        ["研发经费", "2021年", "county", "18.5", "亿元", 2], ["5G基站", "2022年", "county", "900", None, 3]]


def test_a_row_with_more_cells_than_the_header_is_refused_by_its_line(engine, drop):
    (drop / "a.csv").write_text("指标,期间,范围,数值\ngdp,2020,全县,471\n注：第3行,以后,补报,见附件,另行\n"
                                "gdp,2021,全县,1,234\n", encoding="utf-8")
    result = load.run(engine, "drop", dropped(drop))
    assert result.refused == [(str(drop / "a.csv"), "line 4: 5 cells where the header has 4 (a delimiter inside a "
                                                    "value? put the value in double quotes)")]


@pytest.mark.parametrize("name,content,says", [
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "an old Excel workbook (.xls) is not read: "
                                                                    "save it as .xlsx or .csv"),
    ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "a password-protected workbook"),
    ("calc.ods", b"PK\x03\x04", "an OpenDocument spreadsheet (.ods) is not read: save it as .xlsx or .csv"),
    ("mac.numbers", b"PK\x03\x04", "an Apple Numbers file is not read"),
    ("feed.json", b'[{"indicator": "gdp"}]', "JSON is not read from the drop folder"),
    ("page.xls", b"<html><table><tr><td>1</td></tr></table></html>", "a web page (HTML) saved as .xls"),
    ("report.docx", b"PK\x03\x04", "not a table file (.docx)"),
])
def test_formats_it_cannot_read_go_to_failed_saying_what_to_do(engine, drop, name, content, says):
    (drop / name).write_bytes(content)
    result = load.run(engine, "drop", dropped(drop))
    assert result.status == "failed"
    [(where, why)] = result.refused
    assert where == str(drop / name) and why.startswith(says) and ".xlsx or .csv" in why
    assert listing(drop) == [f"failed/{name}", f"failed/{name}.error.txt"]


def test_an_xls_that_is_really_tab_text_loads(engine, drop):
    (drop / "系统导出.xls").write_text("指标\t期间\t范围\t数值\n地区生产总值\t2022\t全县\t471\n", encoding="gbk")
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.rows_loaded) == ("success", 1)


def test_row_numbers_are_the_files_lines_under_a_title_block(tmp_path):
    path = bureau_csv(tmp_path / "b.csv")
    [frame] = read_file(path)
    lines = {n: BUREAU_LINES[n - 1].split(",")[0] for n in frame["_row"]}
    assert sorted(lines) == [6, 7, 8, 9, 10]
    assert lines[9] == "其中：发明专利授权" and set(frame.loc[frame["_row"] == 9, "indicator"]) == {"发明专利授权"}


def test_footnotes_and_sign_off_lines_under_a_long_table_are_not_rows(engine, drop):
    (drop / "long.csv").write_text("指标,期间,范围,数值\n地区生产总值,2022,全县,471\n\n注：2022年为快报数\n备注\n"
                                   "数据来源：县统计局\n填表人：王五,,联系电话：123\n", encoding="utf-8")
    result = load.run(engine, "drop", dropped(drop))
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == ("success", 1, 1, 0)
