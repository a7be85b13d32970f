"""Update inbox (atomic claim, at-least-once handling) and the reminder send log.

Replaces ``processed_updates`` (checked before and marked after the handlers, keyed by update id
only) with ``inbox`` keyed by (bot_id, update_id). Tables that already exist (a database made
with ``create_all`` from the current models and stamped with the baseline) are left alone.

Revision ID: reliability_1
Revises: assignments_1
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "reliability_1"
down_revision: str | Sequence[str] | None = "assignments_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _has(table: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    if not _has("inbox"):
        op.create_table(
            "inbox",
            sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
            sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
            sa.Column("payload", sa.Text(), nullable=False),
            sa.Column("status", sa.String(length=12), nullable=False),
            sa.Column("owner", sa.String(length=80), nullable=False),
            sa.Column("claimed_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("bot_id", "update_id"),
        )
        op.create_index("ix_inbox_status", "inbox", ["status"])
    if not _has("sends"):
        op.create_table(
            "sends",
            sa.Column("key", sa.String(length=120), nullable=False),
            sa.Column("kind", sa.String(length=20), nullable=False),
            sa.Column("user_id", sa.BigInteger(), nullable=False),
            sa.Column("chat_id", sa.BigInteger(), nullable=False),
            sa.Column("status", sa.String(length=12), nullable=False),
            sa.Column("owner", sa.String(length=80), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("error", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("key"),
        )
        op.create_index("ix_sends_status", "sends", ["status"])
        op.create_index("ix_sends_user_id", "sends", ["user_id"])
    if _has("processed_updates"):
        op.drop_table("processed_updates")


def downgrade() -> None:
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.drop_index("ix_sends_user_id", table_name="sends")
    op.drop_index("ix_sends_status", table_name="sends")
    op.drop_table("sends")
    op.drop_index("ix_inbox_status", table_name="inbox")
    op.drop_table("inbox")
