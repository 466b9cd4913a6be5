"""Files the way county offices make them: statistics-bureau title blocks, Excel's "Unicode Text", GBK, notes
sheets, wide year-by-column tables, footnotes, total rows. Built in the tests, never checked in."""
from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment

# A statistics-bureau table as Excel saves it to CSV: a title block (title, unit, blank line), the header on
# line 5, years as columns, the unit in row labels, a 其中 sub-item, a blank cell and a '—' for no data, then
# footnotes and a sign-off line (one with commas, more cells than the header).
BUREAU_LINES = [
    "新昌县主要科技创新指标,,,,",                   # 1
    "单位：亿元,,,,",                               # 2
    ",,,,",                                         # 3
    "制表：县统计局,,,,",                           # 4
    "指　标,单位,2021年,2022年,2023年",             # 5
    "地区生产总值,,450.1,471.2,500.3",              # 6
    "研发经费（亿元）,,18.5,19.6,",                 # 7
    "研发投入强度,%,4.1,4.16,abc",                  # 8
    "其中：发明专利授权,件,—,520,610",             # 9
    "高新技术企业(家),,180,201,230",                # 10
    ",,,,",                                         # 11
    "注：1.2023年数据为初步数,,,,",                  # 12
    "数据来源：县统计局，县科技局,,,,,,",            # 13
    "填表人：张三,审核人：李四,,,",                  # 14
]
BUREAU_EXPECTED = [
    ("gdp", "2021", "county", 450.1, "亿元"), ("gdp", "2022", "county", 471.2, "亿元"),
    ("gdp", "2023", "county", 500.3, "亿元"),
    ("high_tech_firms", "2021", "county", 180.0, "家"), ("high_tech_firms", "2022", "county", 201.0, "家"),
    ("high_tech_firms", "2023", "county", 230.0, "家"),
    ("invention_patents", "2022", "county", 520.0, "件"), ("invention_patents", "2023", "county", 610.0, "件"),
    ("rd_intensity", "2021", "county", 4.1, "%"), ("rd_intensity", "2022", "county", 4.16, "%"),
    ("rd_spending", "2021", "county", 18.5, "亿元"), ("rd_spending", "2022", "county", 19.6, "亿元"),
]


def bureau_csv(path: Path, encoding: str = "utf-8-sig", delimiter: str = ",") -> Path:
    text = "\r\n".join(BUREAU_LINES) + "\r\n"
    path.write_bytes(text.replace(",", delimiter).encode(encoding))
    return path


def unicode_text(path: Path, lines: list[list[str]]) -> Path:
    """Excel's "Save as Unicode Text": UTF-16 LE with a BOM, tab-separated, CRLF."""
    path.write_bytes(b"\xff\xfe" + ("\r\n".join("\t".join(cells) for cells in lines) + "\r\n").encode("utf-16-le"))
    return path


def mixed_encoding_csv(path: Path) -> Path:
    """Mostly UTF-8 with lines 5 and 9 pasted in from a GBK file."""
    lines = [("指标,期间,范围,数值", "utf-8")] + [(f"研发经费,{2010 + i},全县,{i}", "utf-8") for i in range(1, 10)]
    lines[4] = ("专利授权,2014,全县,3", "gbk")
    lines[8] = ("专利授权,2018,全县,7", "gbk")
    path.write_bytes(b"\n".join(text.encode(enc) for text, enc in lines) + b"\n")
    return path


def bureau_workbook(path: Path) -> Path:
    """A notes sheet first, the data sheet with a merged title over row 1, a unit line, the header in row 4,
    a wide table by year with a unit column, a 合计 row in a department breakdown; an empty third sheet."""
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append(["填报说明"])
    notes.append(["1. 本表由各部门于每年1月底前报送。"])
    notes.append(["2. 数值保留两位小数。"])
    ws = wb.create_sheet("数据")
    ws.append(["新昌县创新指标年报（2021-2023）"])
    ws.merge_cells("A1:F1")
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([None, None, None, None, None, "单位：见各行"])
    ws.append([])
    ws.append(["序号", "指标名称", "计量单位", 2021, 2022, 2023])   # row 4
    ws.append([1, "专利授权", "件", 2801, 3012, None])              # row 5
    ws.append([2, "按时办结率", "%", 0.985, 0.991, "98.7%"])         # row 6
    for cell in ("D6", "E6"):
        ws[cell].number_format = "0.0%"
    ws.append([3, "研发经费", "万元", 18.5, 19.6, 20.1])              # row 7: a unit not the catalogue's
    ws.append(["注：2023年专利数据尚未发布。"])                       # row 8
    wb.create_sheet("Sheet3")
    wb.save(path)
    return path


def department_workbook(path: Path) -> Path:
    """A department breakdown: scope column, the county's own row and a 合计 row for the same indicator."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "分部门"
    ws.append(["各部门研发经费（亿元）"])
    ws.append(["部门", "指标", "2022年", "2023年"])                   # row 2
    ws.append(["县科技局", "研发经费", 1.2, 1.3])
    ws.append(["全县", "研发经费", 19.6, None])                       # row 4: the county's figure for 2022
    ws.append(["合计", "研发经费", 19.5, 20.1])                       # row 5: 2022 clashes, 2023 is the county's
    wb.save(path)
    return path
