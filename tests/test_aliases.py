"""Indicators by the names offices use (catalogue `aliases`, migration 0021): a bureau table saying 高新技术企业数(家),
上市公司数 and R&D经费投入强度 loads to the catalogue's indicators, a unit in the label is still checked, and no alias
can take another indicator's code, name or alias. SQLite and PostgreSQL (the engine fixture)."""
from __future__ import annotations

from sqlalchemy import select

from etl import load
from etl.catalogue import _norm, read_catalogue
from etl.sources import FileDropSource
from etl.store import Observation, RejectedRow


def test_no_alias_is_another_indicators_code_name_or_alias():
    seen: dict[str, str] = {}
    for ind in read_catalogue()["indicators"]:
        for name in {_norm(n) for n in (ind["code"], ind["name_zh"], ind["name_en"], *ind.get("aliases", []))}:
            assert name not in seen, f"{name!r} names both {seen[name]} and {ind['code']}"
            seen[name] = ind["code"]
            assert "," not in name  # aliases are stored comma-separated


def test_a_bureau_table_with_office_names_loads_to_the_catalogue_indicators_and_keeps_the_unit_check(
        engine, tmp_path):
    path = tmp_path / "统计表.csv"
    path.write_bytes("\r\n".join([
        "新昌县科技统计快报,,",
        "指标,2023年,2024年",
        "高新技术企业数(家),230,251",
        "上市公司数,16,17",
        "R&D经费投入强度(%),4.1,4.2",
        "专利授权量(个),900,950",  # 专利授权 is counted in 件: the unit in the label is wrong
        "高新企业数,1,2",  # no such name: still unknown
    ]).encode("gbk"))
    result = load.run(engine, "bureau", FileDropSource(files=[str(path)], move=False))
    with engine.connect() as conn:
        got = set(conn.execute(select(Observation.indicator_code, Observation.period, Observation.value)
                               .where(Observation.run_id == result.run_id)).all())
        reasons = sorted(conn.execute(select(RejectedRow.row_number, RejectedRow.reason)
                                      .where(RejectedRow.run_id == result.run_id)).all())
    assert got == {("high_tech_firms", "2023", 230.0), ("high_tech_firms", "2024", 251.0),
                   ("listed_firms", "2023", 16.0), ("listed_firms", "2024", 17.0),
                   ("rd_intensity", "2023", 4.1), ("rd_intensity", "2024", 4.2)}
    assert [n for n, _ in reasons] == [6, 6, 7, 7]
    assert all("unit" in why for n, why in reasons if n == 6)
    assert all("unknown indicator" in why for n, why in reasons if n == 7)
