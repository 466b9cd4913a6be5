"""The reference tables the catalogue fills (indicators with their checks, departments, chains, segments, resource
types, reporting duties): seeded on every start, and the plain upsert of small row sets it and the loader use."""
from __future__ import annotations

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from etl.catalogue import reference_rows
from etl.store import Chain, Department, Indicator, ReportingDuty, ResourceType, Segment, advance_version

REFERENCE = {"indicators": Indicator, "departments": Department, "chains": Chain, "segments": Segment,
             "resource_types": ResourceType}


def _dialect_insert(conn, model):
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(model)


def upsert_rows(conn, model, rows: list[dict]) -> int:
    """Plain upsert of small row sets (reference and dimension tables) on the model's primary key."""
    if not rows:
        return 0
    keys = [c.name for c in model.__table__.primary_key.columns]
    stmt = _dialect_insert(conn, model)
    cols = [c for c in rows[0] if c not in keys]
    compared = [c for c in cols if c != "run_id"]  # the loading run is recorded, not a change in itself
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={c: stmt.excluded[c] for c in cols},
        where=or_(*[model.__table__.c[c].is_distinct_from(stmt.excluded[c]) for c in compared]))
    return conn.execute(stmt, rows, execution_options={"preserve_rowcount": True}).rowcount


def seed_reference(engine, catalogue: dict) -> None:
    """Upsert the catalogue's indicators and fixed dimensions (idempotent; run on every start)."""
    with engine.begin() as conn:
        rows = reference_rows(catalogue)
        duties = rows.pop("reporting_duties", [])
        changed = sum(upsert_rows(conn, REFERENCE[name], part) for name, part in rows.items())
        changed += _replace_duties(conn, duties)
        if changed:  # names, units and targets show on screens
            advance_version(conn)


def _replace_duties(conn, rows: list[dict]) -> int:
    """The reporting duties are the catalogue's: upserted, and those it no longer names deleted."""
    keep = {(r["subject"], r["department_code"]) for r in rows}
    gone = [k for k in conn.execute(select(ReportingDuty.subject, ReportingDuty.department_code)) if tuple(k) not in keep]
    for subject, dept in gone:
        conn.execute(delete(ReportingDuty).where(ReportingDuty.subject == subject, ReportingDuty.department_code == dept))
    return upsert_rows(conn, ReportingDuty, rows) + len(gone)
