"""Assignments: the participant's library (for exports) and the message an answer came from.

Revision ID: assignments_1
Revises: security_1
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "assignments_1"
down_revision: str | Sequence[str] | None = "security_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    # Idempotent: a database made by create_all with the current models already has them.
    if "library" not in _columns("participants"):
        with op.batch_alter_table("participants") as batch:
            batch.add_column(sa.Column("library", sa.String(length=200), nullable=False,
                                       server_default=""))
    if "message_id" not in _columns("assignment_answers"):
        with op.batch_alter_table("assignment_answers") as batch:
            batch.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignment_answers") as batch:
        batch.drop_column("message_id")
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("library")
