"""The indicator catalogue file and the lookups that turn codes or Chinese names into canonical codes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from etl.config import CatalogueSpec, check, read_toml
from etl.store import COUNTY, Chain, Department, Firm, Indicator, Matter, Segment

DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "catalogue.toml"


def read_catalogue(path: Path | str = DEFAULT_CATALOGUE) -> dict:
    """The catalogue file, checked (ConfigError names the file, the entry and the field)."""
    spec = read_toml(path)
    check(path, spec, CatalogueSpec)
    return spec


def reference_rows(catalogue: dict) -> dict[str, list[dict]]:
    """Rows for the reference tables, keyed by table name, in foreign-key order."""
    indicator_keys = ("code", "name_zh", "name_en", "unit", "category", "higher_is_better", "target",
                      "definition_zh", "definition_en", "lag_days", "grace_days")
    chains = catalogue["chains"]
    return {
        "indicators": [{k: i.get(k) for k in indicator_keys} | {"cadence": i.get("cadence", "annual"),
                                                                 "checks": ",".join(i.get("checks", [])),
                                                                 "aliases": ",".join(i.get("aliases", []))}
                       for i in catalogue["indicators"]],
        "departments": [dict(d) for d in catalogue["departments"]],
        "chains": [{k: c[k] for k in ("code", "name_zh", "name_en")} for c in chains],
        "segments": [dict(s, chain_code=c["code"]) for c in chains for s in c["segments"]],
        "resource_types": [dict(r) for r in catalogue["resource_types"]],
        "reporting_duties": duty_rows(catalogue),
    }


def duty_rows(catalogue: dict) -> list[dict]:
    """One row per (subject, department) of the catalogue's [[reporting]] duties ("all": every department)."""
    every = [d["code"] for d in catalogue["departments"]]
    rows = {}
    for duty in catalogue.get("reporting", []):
        depts = every if duty.get("departments", "all") == "all" else duty["departments"]
        for code in depts:
            rows[duty["subject"], code] = {"subject": duty["subject"], "department_code": code,
                                           "cadence": duty.get("cadence", "monthly"), "due_day": duty.get("due_day", 10)}
    return list(rows.values())


def _norm(text: str) -> str:
    return str(text).strip().casefold()


@dataclass
class Lookups:
    """Alias → code maps for indicators, scopes and matters, and each indicator's catalogue unit."""
    indicators: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    scopes: dict[str, str] = field(default_factory=dict)
    matters: dict[str, str] = field(default_factory=dict)
    matter_departments: dict[str, str] = field(default_factory=dict)
    departments: dict[str, str] = field(default_factory=dict)
    cadences: dict[str, str] = field(default_factory=dict)
    today: date | None = None  # the county's today: a period that begins after it is refused (None: no such check)

    @classmethod
    def from_db(cls, conn, county_aliases=("全县", "新昌县", "新昌", "合计", "总计", COUNTY), today: date | None = None) -> "Lookups":
        lk = cls(today=today)
        rows = conn.execute(select(Indicator.code, Indicator.name_zh, Indicator.name_en, Indicator.unit,
                                   Indicator.cadence, Indicator.aliases)).all()
        for code, zh, en, unit, cadence, _ in rows:
            for alias in (code, zh, en):
                lk.indicators[_norm(alias)] = code
            lk.units[code] = unit
            lk.cadences[code] = cadence
        for code, *_, aliases in rows:  # after every code and name: an alias never takes another's name
            for alias in filter(None, (aliases or "").split(",")):
                lk.indicators.setdefault(_norm(alias), code)
        for alias in county_aliases:
            lk.scopes[_norm(alias)] = COUNTY
        for model in (Department, Chain, Segment, Firm):
            for code, zh, en in conn.execute(select(model.code, model.name_zh, model.name_en)):
                for alias in (code, zh, en):
                    lk.scopes.setdefault(_norm(alias), code)
                if model is Department:
                    for alias in (code, zh, en):
                        lk.departments[_norm(alias)] = code
        for code, zh, dept in conn.execute(select(Matter.code, Matter.name_zh, Matter.department_code)):
            lk.matters[_norm(code)] = code
            lk.matters[_norm(zh)] = code
            lk.matter_departments[code] = dept
        return lk

    @staticmethod
    def resolve(mapping: dict[str, str], values):
        """Vectorised over unique values: a pandas Series of aliases → canonical codes (NaN when unknown)."""
        uniques = values.dropna().unique()
        table = {u: mapping.get(_norm(u)) for u in uniques}
        return values.map(table)
