"""indicators: the names offices use for them (高新技术企业数, 上市公司数, R&D经费投入强度), from the catalogue

A file or API naming an indicator otherwise than by its code or catalogue name had its rows quarantined as an
unknown indicator; the catalogue's `aliases` are stored beside the names and matched the same way.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 20:40:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aliases', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_column('aliases')
