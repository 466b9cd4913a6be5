"""reporting_duties: which department reports which indicator (or its matter cases), at what cadence, by when

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 14:20:02
"""
import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reporting_duties",
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("department_code", sa.String(32), nullable=False),
        sa.Column("cadence", sa.String(16), nullable=False),
        sa.Column("due_day", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject", "department_code", name="reporting_duties_pkey"),
    )


def downgrade() -> None:
    op.drop_table("reporting_duties")
