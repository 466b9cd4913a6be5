"""townships: the official list (12 divisions, 国家统计局 统计用区划代码, data/townships.md) in place of the 14 rows
written from memory; each firm and resource keeps its township by name, a merged one moves to its successor
(data/townships_former.csv), and the data version moves so no screen serves a frame cached with the old names

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 19:00:00
"""
import csv
from pathlib import Path

import sqlalchemy as sa
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

DATA = Path(__file__).resolve().parents[2] / "data"


def _rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def upgrade() -> None:
    conn = op.get_bind()
    current = [{**r, "row": int(r["row"]), "col": int(r["col"])} for r in _rows("townships.csv")]
    by_name = {r["name_zh"]: r["code"] for r in current}
    for r in _rows("townships_former.csv"):
        by_name.setdefault(r["former_name_zh"], r["successor_code"])
    stored = conn.execute(sa.text("SELECT code, name_zh FROM townships")).all()
    moves = {code: new for code, name in stored if (new := by_name.get(name)) != code}
    for name in ("firms", "resources"):
        table = sa.table(name, sa.column("township_code", sa.String))
        if moves:  # one statement: codes that swap (南明 001 -> 002, 七星 002 -> 003) never chain
            conn.execute(table.update().where(table.c.township_code.in_(list(moves))).values(
                township_code=sa.case(moves, value=table.c.township_code, else_=None)))
    townships = sa.table("townships", *(sa.column(c) for c in ("code", "name_zh", "name_en", "kind", "row", "col")))
    conn.execute(townships.delete())
    op.bulk_insert(townships, current)
    conn.execute(sa.text("UPDATE store_version SET version = version + 1 WHERE id = 1"))


def downgrade() -> None:
    pass  # the earlier rows were not the official list; nothing to go back to
