"""Waiting flows as persistent PTB conversations: the ``conversations`` table (issue 12).

A wait that was pending in the old ``user_state`` rows (what the bot waited for) becomes a
conversation row, so nobody who was in the middle of a flow during the upgrade loses it. The
``user_state`` rows stay: they still hold the data of the wait (which item, which text).

Revision ID: flows_1
Revises: state_1
Create Date: 2026-11-29
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "flows_1"
down_revision: str | Sequence[str] | None = "state_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# user_state key -> (conversation name, state) as the code of this revision names them
# (bot.telegram.assignments / reminders / trainer / quiz).
_LEGACY = {("awaiting", "answer"): ("assignment-answer", "answer"),
           ("awaiting", "time"): ("reminder-time", "time"),
           ("broadcast", None): ("trainer-broadcast", "confirm"),
           ("quiz_pending", None): ("quiz", 1)}


def upgrade() -> None:
    conversations = op.create_table(
        "conversations",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", "key"),
    )
    op.create_index(op.f("ix_conversations_user_id"), "conversations", ["user_id"],
                    unique=False)
    user_state = sa.table("user_state", sa.column("user_id", sa.BigInteger()),
                          sa.column("key", sa.String()), sa.column("value", sa.JSON()))
    bind = op.get_bind()
    rows: list[dict[str, Any]] = []
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for user_id, key, value in bind.execute(sa.select(
            user_state.c.user_id, user_state.c.key, user_state.c.value)
            .where(user_state.c.key.in_(["awaiting", "broadcast", "quiz_pending"]))):
        kind = value.get("kind") if key == "awaiting" and isinstance(value, dict) else None
        target = _LEGACY.get((key, kind))
        if target is None or value is None:
            continue
        rows.append({"name": target[0], "key": json.dumps([user_id, user_id]),
                     "user_id": user_id, "state": target[1], "updated_at": now})
    if rows:
        op.bulk_insert(conversations, rows)


def downgrade() -> None:
    op.drop_index(op.f("ix_conversations_user_id"), table_name="conversations")
    op.drop_table("conversations")
