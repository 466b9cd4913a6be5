"""Firm and resource registers from a file drop, as county offices keep them (GBK CSV from WPS, a workbook with a
title block and a notes sheet, UTF-16 "Unicode Text"): recognised by their header, names of chains, segments,
resource types and townships resolved, yes/no cells read, and every bad row quarantined with its line. SQLite and
PostgreSQL (the engine fixture)."""
from __future__ import annotations

import openpyxl
from sqlalchemy import select

from etl import load
from etl.sources import FileDropSource
from etl.store import Firm, RejectedRow, Resource
from faults.json_api import api  # noqa: F401  (the loopback JSON API fixture)
from office_files import unicode_text

FIRMS_GBK = [
    "新昌县重点产业链企业名单,,,,,,",
    "填报单位：县经信局  2026年11月,,,,,,",
    "序号,企业名称,所在乡镇,产业链,细分领域,是否高新技术企业,是否上市",
    "1,浙江甲轴承有限公司,南明街道,轴承,{bearing_seg},是,否",
    "2,浙江乙装备股份有限公司,澄潭镇,高端装备产业链,{equip_seg},√,是",
    "3,新昌丙科技有限公司,火星镇,轴承,{bearing_seg},否,否",
    "4,新昌丁医药有限公司,七星街道,生物医药,{bearing_seg},是,否",
    "5,新昌戊材料有限公司,羽林街道,轴承,{bearing_seg},待定,",
    ",,,,,,",
    "注：企业名单以县经信局认定为准,,,,,,",
]


def _segment_names(engine) -> dict:
    from etl.store import Segment
    with engine.connect() as conn:
        return {chain: name for chain, name in conn.execute(select(Segment.chain_code, Segment.name_zh)
                                                           .order_by(Segment.code.desc()))}


def _rejected(engine, run_id) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return sorted((f"{loc}:{n}", why) for loc, n, why in conn.execute(
            select(RejectedRow.location, RejectedRow.row_number, RejectedRow.reason).where(RejectedRow.run_id == run_id)))


def test_a_gbk_firm_register_with_a_title_block_loads_with_its_townships_and_bad_rows_quarantined(engine, tmp_path):
    names = _segment_names(engine)
    drop = tmp_path / "drop"
    drop.mkdir()
    text = "\r\n".join(FIRMS_GBK).format(bearing_seg=names["bearings"], equip_seg=names["equipment"]) + "\r\n"
    (drop / "企业名单.csv").write_bytes(text.encode("gbk"))
    result = load.run(engine, "office-drop", FileDropSource(str(drop), settle_seconds=0))
    assert result.status == "success", (result.error, result.refused)
    assert result.rows_loaded == 2
    with engine.connect() as conn:
        firms = {r.name_zh: r for r in conn.execute(select(Firm).where(Firm.name_zh.like("%有限公司")))}
    assert set(firms) == {"浙江甲轴承有限公司", "浙江乙装备股份有限公司"}
    a, b = firms["浙江甲轴承有限公司"], firms["浙江乙装备股份有限公司"]
    assert (a.chain_code, a.township_code, a.high_tech, a.listed) == ("bearings", "330624002000", True, False)
    assert (b.chain_code, b.township_code, b.high_tech, b.listed) == ("equipment", "330624004000", True, True)  # 澄潭镇: now 澄潭街道
    assert a.name_en == a.name_zh and a.code.startswith("f-")  # no English name or code given: none invented
    reasons = _rejected(engine, result.run_id)
    assert [loc.rsplit(":", 1)[-1] for loc, _ in reasons] == ["6", "7", "8"]  # the file's own line numbers
    said = " | ".join(r for _, r in reasons)
    assert "unknown township" in said and "another chain" in said and "neither yes nor no" in said
    assert all("企业名单.csv" in loc for loc, _ in reasons)
    assert (drop / "processed" / "企业名单.csv").exists()


def test_the_same_register_dropped_again_changes_nothing_and_keeps_its_codes(engine, tmp_path):
    names = _segment_names(engine)
    lines = ["企业名称,产业链,细分领域,所在乡镇", f"新昌己机械有限公司,轴承,{names['bearings']},梅渚镇"]
    path = tmp_path / "firms.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = load.run(engine, "again", FileDropSource(files=[str(path)], move=False))
    second = load.run(engine, "again", FileDropSource(files=[str(path)], move=False))
    assert (first.rows_loaded, second.rows_loaded, second.rows_unchanged) == (1, 0, 1), (first, second)


def test_a_resource_register_in_a_workbook_with_a_notes_sheet_loads_by_type_and_provider_names(engine, tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "资源清单"
    ws.append(["新昌县科技创新资源清单"])
    ws.append([])
    ws.append(["资源名称", "资源类型", "提供单位", "主管部门", "服务产业链", "所在乡镇"])
    ws.append(["轴承检测公共服务平台", "创新平台", "县轴承协会", "县科技局", "轴承", "儒岙镇"])
    ws.append(["精密仪器共享中心", "仪器设备", "浙江某大学新昌研究院", "县科技局", None, "七星街道"])
    ws.append(["星际实验室", "太空舱", "某单位", None, None, "南明街道"])
    notes = book.create_sheet("填表说明")
    notes.append(["说明：资源类型按县科技局分类填写"])
    path = tmp_path / "资源.xlsx"
    book.save(path)
    result = load.run(engine, "res-drop", FileDropSource(files=[str(path)], move=False))
    assert result.rows_loaded == 2, (result.error, result.refused, result.reasons)
    with engine.connect() as conn:
        rows = {r.name_zh: r for r in conn.execute(select(Resource).where(Resource.code.like("r-%")))}
    assert (rows["轴承检测公共服务平台"].type_code, rows["轴承检测公共服务平台"].chain_code,
            rows["轴承检测公共服务平台"].department_code) == ("platform", "bearings", "kjj")
    assert rows["精密仪器共享中心"].township_code == "330624003000"
    assert rows["精密仪器共享中心"].source.startswith("file_drop:")  # named by the job, shown by its kind
    (where, why), = _rejected(engine, result.run_id)
    assert where.endswith("资源.xlsx#资源清单:6") and "unknown resource type" in why


def test_a_unicode_text_register_with_codes_and_english_names(engine, tmp_path):
    names = _segment_names(engine)
    path = unicode_text(tmp_path / "firms.txt", [
        ["统一社会信用代码", "企业名称", "英文名称", "产业链", "细分领域", "上市年份", "是否上市"],
        ["91330624MA2XXXXX1A", "新昌庚电子有限公司", "Geng Electronics", "digital", names["digital"], "2021-06-18", "Y"],
        ["91330624MA2XXXXX2B", "新昌辛电子有限公司", "Xin Electronics", "Digital economy", names["digital"], "明年", "N"]])
    result = load.run(engine, "txt", FileDropSource(files=[str(path)], move=False))
    assert result.rows_loaded == 1, result.reasons
    with engine.connect() as conn:
        firm = conn.execute(select(Firm).where(Firm.code == "91330624MA2XXXXX1A")).one()
    assert (firm.name_en, firm.listed, firm.listed_year, firm.chain_code) == ("Geng Electronics", True, 2021, "digital")
    assert "listed_year" in " ".join(result.reasons)


def test_a_lone_name_column_is_no_register_and_is_refused_as_before(engine, tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("名称,备注\n甲,乙\n", encoding="utf-8")
    result = load.run(engine, "names", FileDropSource(files=[str(path)], move=False))
    (_, why), = result.refused
    assert "no header row" in why and "register of firms" in why


def test_an_http_firm_source_may_send_chain_and_segment_names_and_yes_no_words(engine, api):
    from faults.json_api import FAST, pages

    from etl.sources import HttpJsonSource
    names = _segment_names(engine)
    api.routes["/qy"] = pages([
        {"id": "H1", "mc": "新昌壬公司", "en": "Ren Co", "cy": "轴承产业链", "hj": names["bearings"], "gx": "是", "ss": "否"},
        {"id": "H2", "mc": "新昌癸公司", "en": "Gui Co", "cy": "Bearings", "hj": names["bearings"], "gx": "N", "ss": True},
        {"id": "H3", "mc": "新昌子公司", "en": "Zi Co", "cy": "纺织", "hj": names["bearings"], "gx": "是", "ss": "否"}])
    source = HttpJsonSource(api.url("/qy"), {"code": "id", "name_zh": "mc", "name_en": "en", "chain_code": "cy",
                                             "segment_code": "hj", "high_tech": "gx", "listed": "ss"},
                            kind="firms", **FAST)
    result = load.run(engine, "api-firms", source)
    assert result.rows_loaded == 2, result.reasons
    with engine.connect() as conn:
        got = {r.code: (r.chain_code, r.high_tech, r.listed) for r in conn.execute(
            select(Firm).where(Firm.code.in_(["H1", "H2", "H3"])))}
    assert got == {"H1": ("bearings", True, False), "H2": ("bearings", False, True)}
    assert "unknown chain" in " ".join(result.reasons)
