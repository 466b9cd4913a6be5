"""indicator cadence: how often an indicator is published, so "latest" and "future" are judged per granularity

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 05:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cadence', sa.String(length=16), nullable=False, server_default='annual'))


def downgrade() -> None:
    # Not batch mode: on SQLite that copies and drops the table, which the observations' foreign key refuses.
    # ALTER TABLE ... DROP COLUMN runs in place on PostgreSQL and on SQLite 3.35 and later.
    op.execute("ALTER TABLE indicators DROP COLUMN cadence")
