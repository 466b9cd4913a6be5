"""indicators.lag_days and grace_days: when each indicator's next period is due, and when overdue

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 14:20:01
"""
import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicators") as batch:
        batch.add_column(sa.Column("lag_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("grace_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indicators") as batch:
        batch.drop_column("grace_days")
        batch.drop_column("lag_days")
