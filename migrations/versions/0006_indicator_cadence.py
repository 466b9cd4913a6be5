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
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_column('cadence')
