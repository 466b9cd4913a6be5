"""annotations: policy events, data incidents and revisions with a period, scope, kind and text in both languages

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 12:40:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False, server_default=""),
        sa.Column("source", sa.String(256), nullable=False, server_default=""),
        sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(64), nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_annotations_period", "annotations", ["period"])


def downgrade() -> None:
    op.drop_index("ix_annotations_period", "annotations")
    op.drop_table("annotations")
