"""observation_revisions: the earlier values (vintages) of observations a later load changed

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 14:20:03
"""
import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "observation_revisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("indicator_code", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("source", sa.String(256), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("replaced_by", sa.Integer(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_revisions_key", "observation_revisions", ["indicator_code", "scope", "period"])
    op.create_index("ix_revisions_replaced_by", "observation_revisions", ["replaced_by"])


def downgrade() -> None:
    op.drop_index("ix_revisions_replaced_by", table_name="observation_revisions")
    op.drop_index("ix_revisions_key", table_name="observation_revisions")
    op.drop_table("observation_revisions")
