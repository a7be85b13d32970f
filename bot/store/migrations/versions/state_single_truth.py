"""One source of truth per piece of state (issue 12).

- Time zone: only ``participants.timezone``. Each reminder's time zone (the one its reminders
  were sent in) is moved onto its participant, who gets a row if it had none; then
  ``reminders.timezone`` is dropped.
- Role-play status: only the ``roleplay_sessions.status`` column. A row the column still called
  active while its JSON said the conversation had ended (it was never continued: the store only
  resumes sessions active in both) takes the JSON's status; then ``status`` is removed from the
  JSON.
- ``metrics``: a table nothing reads or writes since the first release (its model was dead
  code); dropped.

"Blocked" needs no data move: ``participants.blocked`` already held it. ``reminders.enabled`` keeps
its value: from now on only the participant changes it (before, a block also switched it off,
and for such rows the earlier choice cannot be told apart, so the safe value, off, stays).

Revision ID: state_1
Revises: quiz_1
Create Date: 2026-11-29
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "state_1"
down_revision: str | Sequence[str] | None = "quiz_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENDED = ("agreement", "max_turns", "stopped")

participants = sa.table(
    "participants",
    sa.column("user_id", sa.BigInteger()), sa.column("chat_id", sa.BigInteger()),
    sa.column("first_name", sa.String()), sa.column("username", sa.String()),
    sa.column("authorized", sa.Boolean()), sa.column("refused_notice", sa.Boolean()),
    sa.column("timezone", sa.String()), sa.column("blocked", sa.Boolean()),
    sa.column("joined_at", sa.DateTime()), sa.column("last_seen", sa.DateTime()),
    sa.column("library", sa.String()),
)
reminders = sa.table(
    "reminders",
    sa.column("user_id", sa.BigInteger()), sa.column("chat_id", sa.BigInteger()),
    sa.column("timezone", sa.String()),
)
sessions = sa.table(
    "roleplay_sessions",
    sa.column("id", sa.Integer()), sa.column("status", sa.String()),
    sa.column("state", sa.JSON()),
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def upgrade() -> None:
    conn = op.get_bind()
    inspector = sa.inspect(conn)
    if inspector.has_table("metrics"):
        op.drop_table("metrics")
    if "timezone" in {c["name"] for c in inspector.get_columns("reminders")}:
        _move_reminder_time_zones(conn)
    _keep_status_in_its_column(conn)


def _move_reminder_time_zones(conn: sa.Connection) -> None:
    known = {row.user_id for row in conn.execute(sa.select(participants.c.user_id))}
    for row in conn.execute(sa.select(reminders.c.user_id, reminders.c.chat_id,
                                      reminders.c.timezone)).all():
        tz = row.timezone or ""
        if row.user_id in known:
            if tz:
                conn.execute(participants.update()
                             .where(participants.c.user_id == row.user_id)
                             .values(timezone=tz))
            continue
        now = _now()
        conn.execute(participants.insert().values(
            user_id=row.user_id, chat_id=row.chat_id, first_name="", username="",
            authorized=False, refused_notice=False, timezone=tz, blocked=False, joined_at=now,
            last_seen=now, library=""))
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("timezone")


def _keep_status_in_its_column(conn: sa.Connection) -> None:
    for row in conn.execute(sa.select(sessions.c.id, sessions.c.status,
                                      sessions.c.state)).all():
        state: Any = row.state
        if not isinstance(state, dict) or "status" not in state:
            continue
        inner = state.pop("status")
        values: dict[str, Any] = {"state": state}
        if row.status == "active" and inner in ENDED:
            values["status"] = inner
        conn.execute(sessions.update().where(sessions.c.id == row.id).values(**values))


def downgrade() -> None:
    op.create_table(
        "metrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    conn = op.get_bind()
    for row in conn.execute(sa.select(sessions.c.id, sessions.c.status,
                                      sessions.c.state)).all():
        if isinstance(row.state, dict):
            conn.execute(sessions.update().where(sessions.c.id == row.id)
                         .values(state={**row.state, "status": row.status}))
    with op.batch_alter_table("reminders") as batch:
        batch.add_column(sa.Column("timezone", sa.String(length=64), nullable=False,
                                   server_default=""))
    tz = (sa.select(participants.c.timezone)
          .where(participants.c.user_id == reminders.c.user_id).scalar_subquery())
    conn.execute(reminders.update().values(timezone=sa.func.coalesce(tz, "")))
