"""targets: plan targets (14th and 15th Five-Year Plans, annual) per indicator and scope, versioned

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:20:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "targets",
        sa.Column("plan", sa.String(16), nullable=False),
        sa.Column("indicator_code", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(256), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("plan", "indicator_code", "scope", "period", "version", name="targets_pkey"),
    )


def downgrade() -> None:
    op.drop_table("targets")
