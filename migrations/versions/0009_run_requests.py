"""run_requests: "run now" clicks for the scheduler's process to take

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 12:20:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_requests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("job", sa.String(64), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("taken_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_run_requests_taken_at", "run_requests", ["taken_at"])


def downgrade() -> None:
    op.drop_index("ix_run_requests_taken_at", table_name="run_requests")
    op.drop_table("run_requests")
