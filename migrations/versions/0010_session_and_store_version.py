"""users.session_version (cookies carry it; logout and role changes bump it) and store_version (the data
version as a counter advanced inside each committing transaction)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 13:10:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "store_version",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
    )
    # start where the old signal stood (the newest committed run that loaded rows), so no cache goes back
    op.execute("INSERT INTO store_version (id, version) SELECT 1, COALESCE(MAX(id), 0) FROM etl_runs "
               "WHERE status IN ('success', 'partial') AND rows_loaded > 0")


def downgrade() -> None:
    op.drop_table("store_version")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
