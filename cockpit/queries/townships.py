"""SQL → DataFrames per township (乡镇/街道): its firms, high-tech firms and innovation resources.

Cases handled are not available per township: a case carries its matter and department, not the applicant's
township, so the map offers no such measure (measures() lists what it can show)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import case, func, select

from cockpit.cache import memo
from cockpit.queries._sql import connection, demo_flag, frame, run_columns
from cockpit.queries.chains import with_figures
from etl.store import Chain, Department, EtlRun, Firm, Resource, ResourceType, Segment, Township

MEASURES = ("firms", "high_tech_firms", "resources")  # cases_handled: not available (no township on a case)


@memo
def townships(engine) -> pd.DataFrame:
    """One row per township, in tile order: code, names, kind, row, col, and the three measures (0 if none)."""
    firms = (select(Firm.township_code.label("code"), func.count().label("firms"),
                    func.sum(case((Firm.high_tech, 1), else_=0)).label("high_tech_firms"))
             .where(Firm.township_code.is_not(None)).group_by(Firm.township_code).subquery())
    res = (select(Resource.township_code.label("code"), func.count().label("resources"))
           .where(Resource.township_code.is_not(None)).group_by(Resource.township_code).subquery())
    stmt = (select(Township.code, Township.name_zh, Township.name_en, Township.kind, Township.row, Township.col,
                   func.coalesce(firms.c.firms, 0).label("firms"),
                   func.coalesce(firms.c.high_tech_firms, 0).label("high_tech_firms"),
                   func.coalesce(res.c.resources, 0).label("resources"))
            .outerjoin(firms, firms.c.code == Township.code).outerjoin(res, res.c.code == Township.code)
            .order_by(Township.row, Township.col, Township.code))
    df = frame(engine, stmt)
    for m in MEASURES:
        df[m] = df[m].astype(int)
    return df


@memo
def township_codes(engine) -> frozenset[str]:
    """The known township codes (an unknown one in a URL is a 404)."""
    with connection(engine) as conn:
        return frozenset(conn.execute(select(Township.code)).scalars())


@memo
def firms_in(engine, code: str, start: str | None, end: str | None) -> pd.DataFrame:
    """The township's firms as the firm grid shows them (cockpit.components.firms.FIRM_COLUMNS): names, chain and
    segment, listed and high-tech, and their latest R&D spending and patents in the period with its provenance."""
    stmt = (select(Firm.code, Firm.name_zh, Firm.name_en, Firm.chain_code, Chain.name_zh.label("chain_zh"),
                   Firm.segment_code, Segment.name_zh.label("segment_zh"), Segment.name_en.label("segment_en"),
                   Firm.listed, Firm.listed_year, Firm.high_tech, demo_flag(Firm.is_demo))
            .join(Chain, Chain.code == Firm.chain_code).join(Segment, Segment.code == Firm.segment_code)
            .where(Firm.township_code == code).order_by(Firm.chain_code, Firm.segment_code, Firm.code))
    table = frame(engine, stmt)
    table = table.assign(is_demo=table["is_demo"].astype(bool), listed=table["listed"].astype(bool),
                         high_tech=table["high_tech"].astype(bool))
    return with_figures(engine, table, start, end)


@memo
def resources_in(engine, code: str) -> pd.DataFrame:
    """The township's innovation resources with their type, provider, department and chain, and provenance."""
    stmt = (select(Resource.code, Resource.name_zh, Resource.name_en, Resource.type_code,
                   ResourceType.name_zh.label("type_zh"), ResourceType.name_en.label("type_en"), Resource.provider,
                   Resource.department_code, Department.name_zh.label("department_zh"),
                   Department.name_en.label("department_en"), Resource.chain_code, Chain.name_zh.label("chain_zh"),
                   Chain.name_en.label("chain_en"), Resource.source, Resource.run_id, demo_flag(Resource.is_demo),
                   EtlRun.ended_at.label("loaded_at"))
            .join(ResourceType, ResourceType.code == Resource.type_code)
            .outerjoin(Department, Department.code == Resource.department_code)
            .outerjoin(Chain, Chain.code == Resource.chain_code).outerjoin(EtlRun, EtlRun.id == Resource.run_id)
            .where(Resource.township_code == code).order_by(Resource.type_code, Resource.code))
    return run_columns(frame(engine, stmt))


@memo
def provenance(engine) -> pd.DataFrame:
    """What the map's ⓘ says: the newest load of the resources placed in a township, and whether any is demo."""
    stmt = (select(func.max(case((Resource.is_demo, 1), else_=0)).label("is_demo"),
                   func.max(EtlRun.ended_at).label("loaded_at"), func.max(Resource.run_id).label("run_id"),
                   func.max(Resource.source).label("source"))
            .outerjoin(EtlRun, EtlRun.id == Resource.run_id).where(Resource.township_code.is_not(None)))
    df = frame(engine, stmt)
    if df["loaded_at"].isna().all():
        return df.iloc[0:0]
    return run_columns(df)
