"""The official township list (data/townships.md): the 12 divisions of the statistics bureau's codes, former
divisions (merged in 2019) resolving to their successors, and migration 0022 moving a store made from the
earlier, unofficial 14-row list without losing a firm's or a resource's township. SQLite + PostgreSQL."""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import insert, select

from etl import load, migrate
from etl.sources import FileDropSource
from etl.store import Firm, RejectedRow, Resource, Segment, Township, data_version

DATA = Path(__file__).resolve().parents[1] / "data"
# 国家统计局 统计用区划代码 2022, 新昌县 (330624): the 9-digit codes the bureau publishes
OFFICIAL = {"330624001": "羽林街道", "330624002": "南明街道", "330624003": "七星街道", "330624004": "澄潭街道",
            "330624104": "回山镇", "330624107": "小将镇", "330624108": "沙溪镇", "330624109": "镜岭镇",
            "330624110": "儒岙镇", "330624112": "沃洲镇", "330624200": "城南乡", "330624201": "东茗乡"}
# what migration 0017 seeded from the file as it was until 2026-12-04 (written from memory, placeholder codes)
LEGACY = [("330624001000", "南明街道", "Nanming Subdistrict", "街道"), ("330624002000", "七星街道", "Qixing Subdistrict", "街道"),
          ("330624003000", "羽林街道", "Yulin Subdistrict", "街道"), ("330624101000", "沃洲镇", "Wozhou Town", "镇"),
          ("330624102000", "儒岙镇", "Ru'ao Town", "镇"), ("330624103000", "回山镇", "Huishan Town", "镇"),
          ("330624104000", "大市聚镇", "Dashiju Town", "镇"), ("330624105000", "澄潭镇", "Chengtan Town", "镇"),
          ("330624106000", "梅渚镇", "Meizhu Town", "镇"), ("330624107000", "小将镇", "Xiaojiang Town", "镇"),
          ("330624108000", "镜岭镇", "Jingling Town", "镇"), ("330624201000", "新林乡", "Xinlin Township", "乡"),
          ("330624202000", "东茗乡", "Dongming Township", "乡"), ("330624203000", "双彩乡", "Shuangcai Township", "乡")]


def _csv(name) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_list_is_the_statistics_bureaus_twelve():
    rows = _csv("townships.csv")
    assert {r["code"]: r["name_zh"] for r in rows} == {code + "000": name for code, name in OFFICIAL.items()}
    assert sorted(r["kind"] for r in rows) == ["乡"] * 2 + ["街道"] * 4 + ["镇"] * 6
    assert all(r["name_zh"].endswith(r["kind"]) for r in rows)
    codes = {r["code"] for r in rows}
    former = _csv("townships_former.csv")
    assert former and all(f["successor_code"] in codes and f["former_code"] not in codes for f in former)


def test_a_register_naming_a_former_division_loads_into_its_successor(engine, tmp_path):
    with engine.connect() as conn:
        chain, segment = conn.execute(select(Segment.chain_code, Segment.code).order_by(Segment.code)).first()
    path = tmp_path / "firms.csv"
    path.write_text("\n".join(["code,name_zh,name_en,chain_code,segment_code,所在乡镇"] + [
        f"T{i},企业{i},Firm {i},{chain},{segment},{town}" for i, town in enumerate(
            ["梅渚镇", "大市聚", "330624205000", "Shuangcai Township", "澄潭街道", "巧英乡"])]) + "\n", encoding="utf-8")
    result = load.run(engine, "towns", FileDropSource(files=[str(path)], move=False))
    assert result.status == "success" and result.rows_loaded == 5, (result.error, result.reasons)
    with engine.connect() as conn:
        got = dict(conn.execute(select(Firm.code, Firm.township_code).where(Firm.code.like("T%"))).all())
        (location, line, reason), = conn.execute(select(RejectedRow.location, RejectedRow.row_number, RejectedRow.reason)
                                           .where(RejectedRow.run_id == result.run_id)).all()
    assert got == {"T0": "330624004000", "T1": "330624112000", "T2": "330624112000", "T3": "330624104000",
                   "T4": "330624004000"}
    assert "unknown township" in reason and location.endswith("firms.csv") and line == 7  # 巧英乡: no successor cited


def test_migration_0022_moves_a_store_made_from_the_earlier_list_by_name(engine):
    from alembic import command

    cfg = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0021")
    with engine.begin() as conn:  # the store as the earlier file made it, with a firm and a resource per township
        conn.execute(Township.__table__.delete())
        conn.execute(insert(Township), [{"code": c, "name_zh": zh, "name_en": en, "kind": k, "row": i, "col": 0}
                                        for i, (c, zh, en, k) in enumerate(LEGACY)])
        chain, segment = conn.execute(select(Segment.chain_code, Segment.code).order_by(Segment.code)).first()
        kind = conn.exec_driver_sql("SELECT code FROM resource_types ORDER BY code").scalar()
        conn.execute(insert(Firm), [{"code": f"F{i}", "name_zh": f"企业{i}", "name_en": f"F{i}", "chain_code": chain,
                                     "segment_code": segment, "township_code": c} for i, (c, *_) in enumerate(LEGACY)])
        conn.execute(insert(Resource), [{"code": f"R{i}", "name_zh": f"资源{i}", "name_en": f"R{i}", "type_code": kind,
                                         "provider": "-", "township_code": c} for i, (c, *_) in enumerate(LEGACY)])
        before = data_version(conn)
    migrate.upgrade(engine)
    official = {code + "000": name for code, name in OFFICIAL.items()}
    successor = {"大市聚镇": "沃洲镇", "新林乡": "沃洲镇", "澄潭镇": "澄潭街道", "梅渚镇": "澄潭街道", "双彩乡": "回山镇"}
    with engine.connect() as conn:
        assert dict(conn.execute(select(Township.code, Township.name_zh)).all()) == official
        for model, prefix in ((Firm, "F"), (Resource, "R")):
            now = dict(conn.execute(select(model.code, model.township_code)).all())
            for i, (_, name, *_rest) in enumerate(LEGACY):
                assert official[now[f"{prefix}{i}"]] == successor.get(name, name), (model.__name__, name)
        assert data_version(conn) == before + 1  # no screen serves a frame cached with the old names
