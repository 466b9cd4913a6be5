"""Stores holding only part of the data, built through the write side (etl.load.run over small sources), for the
tests that every screen renders on any subset: empty, observations only, cases only, one indicator, the full demo."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from etl import load, migrate
from etl.catalogue import read_catalogue
from etl.sources import DemoSource, FileDropSource
from etl.store import make_engine



class ListSource:
    """A source made of given batches (for tests of the loader itself)."""
    name, key, is_demo = "test", "memory", False

    def __init__(self, *batches):
        self.batches = batches

    def extract(self, state):
        yield from self.batches


KINDS = ("empty", "observations", "cases", "one_indicator", "registers", "demo")
NOW = datetime(2026, 11, 20, 10, 30)
# One indicator for the county: a few years, plus a month and a quarter that an annual tile must not show.
ONE_INDICATOR_CSV = ("indicator,period,scope,value\n"
                     "rd_intensity,2021,county,3.10\nrd_intensity,2022,county,3.32\nrd_intensity,2023,county,3.58\n"
                     "rd_intensity,2025-02,county,9.99\nrd_intensity,2025Q3,county,8.88\nrd_intensity,2024,county,3.81\n")


# Registers as an office keeps them: firms of one chain in the county seat, resources by type name.
REGISTER_FIRMS = ("新昌县重点企业名单,,,,\r\n企业名称,所在乡镇,产业链,细分领域,是否高新技术企业\r\n"
                  "新昌甲装备有限公司,南明街道,高端装备,equipment.smart,是\r\n新昌乙装备有限公司,南明街道,高端装备,equipment.smart,否\r\n")
REGISTER_RESOURCES = "资源名称,资源类型,提供单位,所在乡镇\n装备检测平台,创新平台,县科技局,南明街道\n精密仪器中心,仪器设备,县科技局,七星街道\n"


class DemoPart:
    """The demo history, only the batches of `kinds` (a county whose first sources deliver only these)."""
    name, key, is_demo = "demo", "generated", True

    def __init__(self, kinds: tuple[str, ...], now: datetime = NOW):
        self.kinds, self.demo = kinds, DemoSource(now=now)

    def extract(self, state: dict):
        for batch in self.demo.extract(state):
            if batch.kind in self.kinds:
                yield batch


def _check(result) -> None:
    assert result.status == "success", result.error


def fill(engine, kind: str, folder: Path) -> None:
    """Load the data of store `kind` into a migrated, seeded store."""
    if kind == "observations":
        # Indicator files and APIs only: county, chain and segment values (firm rows need the firm register).
        _check(load.run(engine, "obs", DemoPart(("observations",))))
    elif kind == "cases":
        _check(load.run(engine, "cases", DemoPart(("matters", "cases"))))
    elif kind == "one_indicator":
        path = folder / "rd_intensity.csv"
        path.write_text(ONE_INDICATOR_CSV, encoding="utf-8")
        _check(load.run(engine, "file", FileDropSource(files=[str(path)], move=False)))
    elif kind == "registers":  # a county's first drop: its firm and resource lists, no figures, no cases
        firms = folder / "企业名单.csv"
        firms.write_bytes(REGISTER_FIRMS.encode("gbk"))
        resources = folder / "资源清单.csv"
        resources.write_text(REGISTER_RESOURCES, encoding="utf-8-sig")
        _check(load.run(engine, "registers", FileDropSource(files=[str(firms), str(resources)], move=False)))
    elif kind == "demo":
        _check(load.run(engine, "demo-history", DemoSource(now=NOW)))


def build(kind: str, folder: Path) -> str:
    """A SQLite store of `kind` under `folder` (migrated, catalogue seeded); returns its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'cockpit.sqlite'}"
    engine = make_engine(url)
    try:
        migrate.prepare(engine, read_catalogue())
        fill(engine, kind, folder)
    finally:
        engine.dispose()
    return url
