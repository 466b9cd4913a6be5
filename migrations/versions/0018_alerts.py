"""alerts: each alert episode (a rule firing for one key until it clears) and each message sent to a channel

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 12:20:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_episodes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_alert_episodes_open", "alert_episodes", ["rule", "key", "closed_at"])
    op.create_table(
        "alert_sends",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False, server_default=""),
        sa.Column("title", sa.Text(), nullable=False, server_default=""),
        sa.Column("link", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_alert_sends_at", "alert_sends", ["at"])


def downgrade() -> None:
    op.drop_index("ix_alert_sends_at", "alert_sends")
    op.drop_table("alert_sends")
    op.drop_index("ix_alert_episodes_open", "alert_episodes")
    op.drop_table("alert_episodes")
