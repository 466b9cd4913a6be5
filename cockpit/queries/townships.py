"""SQL → DataFrames per township (乡镇/街道): its firms, high-tech firms and innovation resources.

Cases handled are not available per township: a case carries its matter and department, not the applicant's
township, so the map offers no such measure (measures() lists what it can show)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import case, func, select

from cockpit.cache import memo
from cockpit.queries._sql import connection, frame
from etl.store import Firm, Resource, Township

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
def firms_in(engine, code: str) -> pd.DataFrame:
    """The firms of one township: code, names, chain, high-tech, listed."""
    stmt = (select(Firm.code, Firm.name_zh, Firm.name_en, Firm.chain_code, Firm.high_tech, Firm.listed)
            .where(Firm.township_code == code).order_by(Firm.code))
    return frame(engine, stmt)
