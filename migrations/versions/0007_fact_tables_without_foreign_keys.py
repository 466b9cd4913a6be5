"""fact tables without foreign keys or run_id indexes: bulk loads write the rows and their key index, nothing else

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 06:20:00

observations (indicator_code, run_id) and matter_cases (matter_code, department_code, run_id) no longer declare
foreign keys, and their run_id indexes go. The constraints were a second net: the loader takes run_id from the run
record it has just inserted in the same process, validation rejects unknown indicators, scopes, matters and
departments before anything is staged, and no code deletes reference rows or runs. Their cost was not small: on a
million-row load into PostgreSQL the two observation checks took 23 s of a 37 s INSERT, and the run_id index (read by
no query: reads join runs by their primary key) is one more index written per row. Reference rows and runs are
therefore never to be deleted while facts point at them; a store that needs that can check with an anti-join.
On SQLite, batch mode rebuilds the two tables; the naming convention names the unnamed foreign keys the way
PostgreSQL named them, so one set of names drops them on both.
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

NAMING = {"fk": "%(table_name)s_%(column_0_name)s_fkey"}
FOREIGN_KEYS = {
    'observations': [('indicator_code', 'indicators', 'code'), ('run_id', 'etl_runs', 'id')],
    'matter_cases': [('matter_code', 'matters', 'code'), ('department_code', 'departments', 'code'),
                     ('run_id', 'etl_runs', 'id')],
}


def upgrade() -> None:
    for table, keys in FOREIGN_KEYS.items():
        with op.batch_alter_table(table, schema=None, naming_convention=NAMING) as batch_op:
            for col, _, _ in keys:
                batch_op.drop_constraint(f'{table}_{col}_fkey', type_='foreignkey')
            batch_op.drop_index(f'ix_{table}_run_id')


def downgrade() -> None:
    for table, keys in FOREIGN_KEYS.items():
        with op.batch_alter_table(table, schema=None, naming_convention=NAMING) as batch_op:
            batch_op.create_index(f'ix_{table}_run_id', ['run_id'], unique=False)
            for col, parent, parent_col in keys:
                batch_op.create_foreign_key(f'{table}_{col}_fkey', parent, [col], [parent_col])
