"""held runs: the catalogue's plausibility checks per indicator, each run's findings, and the rows of a run held
for review (待核实) until it is published or discarded

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 14:50:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("indicators", sa.Column("checks", sa.String(256), nullable=False, server_default=""))
    op.add_column("etl_runs", sa.Column("checks", sa.JSON(), nullable=True))
    op.create_table(
        "held_rows",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
    )
    op.create_index("ix_held_rows_run_id", "held_rows", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_held_rows_run_id", table_name="held_rows")
    op.drop_table("held_rows")
    op.drop_column("etl_runs", "checks")
    op.drop_column("indicators", "checks")
