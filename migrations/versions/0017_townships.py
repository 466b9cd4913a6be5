"""townships: Xinchang's township-level divisions (乡镇/街道, data/townships.csv) as a dimension, and the
township a firm or an innovation resource is in

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 21:10:00
"""
import csv
from pathlib import Path

import sqlalchemy as sa
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

CSV = Path(__file__).resolve().parents[2] / "data" / "townships.csv"


def upgrade() -> None:
    table = op.create_table(
        "townships",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name_zh", sa.String(128), nullable=False, unique=True),
        sa.Column("name_en", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("col", sa.Integer(), nullable=False),
    )
    with open(CSV, encoding="utf-8", newline="") as fh:
        rows = [{**r, "row": int(r["row"]), "col": int(r["col"])} for r in csv.DictReader(fh)]
    op.bulk_insert(table, rows)
    for name in ("firms", "resources"):
        op.add_column(name, sa.Column("township_code", sa.String(32), nullable=True))
        op.create_index(f"ix_{name}_township_code", name, ["township_code"])


def downgrade() -> None:
    for name in ("firms", "resources"):
        op.drop_index(f"ix_{name}_township_code", table_name=name)
        op.drop_column(name, "township_code")
    op.drop_table("townships")
