"""observation key ordered (indicator, scope, period); no separate scope index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 06:05:00

The unique key's index ordered (indicator, scope, period) serves every read the scope index served, so one index
fewer is written on every load. SQLite cannot alter a constraint in place: batch mode rebuilds the table.
"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_index('ix_observations_scope')
        batch_op.drop_constraint('uq_observation_key', type_='unique')
        batch_op.create_unique_constraint('uq_observation_key', ['indicator_code', 'scope', 'period'])


def downgrade() -> None:
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_constraint('uq_observation_key', type_='unique')
        batch_op.create_unique_constraint('uq_observation_key', ['indicator_code', 'period', 'scope'])
        batch_op.create_index('ix_observations_scope', ['scope', 'indicator_code'], unique=False)
