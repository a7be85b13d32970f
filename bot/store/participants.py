"""Participants, access, Q&A log and per-user state.

Participant rows are created with ``INSERT … ON CONFLICT DO NOTHING`` (`_ensure`) and then
updated, so two processes (or two concurrent updates) seeing a new user never collide.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, text, update

from bot.store import records
from bot.store.db import (
    USER_TABLES,
    Database,
    FloodWindow,
    Participant,
    QuestionLog,
    UserState,
    utcnow,
)
from bot.store.inbox import insert_ignore

LAST_SEEN_RESOLUTION = dt.timedelta(minutes=1)


class ParticipantStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # Participants ----------------------------------------------------------------------------
    def touch(self, user_id: int, chat_id: int | None, first_name: str = "",
              username: str = "") -> records.Participant:
        """Create or update a participant and set last_seen."""
        self._ensure(user_id, chat_id=chat_id, first_name=first_name, username=username)
        with self.db.session() as s:
            p = s.get(Participant, user_id)
            if p is None:  # erased between the two statements (/vergeet): create it again
                p = Participant(user_id=user_id, chat_id=chat_id, first_name=first_name,
                                username=username)
                s.add(p)
            else:
                if chat_id is not None and p.chat_id is None:
                    p.chat_id = chat_id
                p.first_name = first_name or p.first_name
                p.username = username or p.username
                if p.blocked:  # they write again: they unblocked the bot
                    p.blocked = False
            # Minute resolution is enough for "last activity" and spares a write per update
            # (unchanged attributes emit no UPDATE).
            now = utcnow()
            if p.last_seen is None or now - p.last_seen >= LAST_SEEN_RESOLUTION:
                p.last_seen = now
            s.flush()
            return records.participant(p)

    def _ensure(self, user_id: int, **values: Any) -> bool:
        """Create the participant row if it does not exist (race-free); True if created."""
        now = utcnow()
        defaults: dict[str, Any] = {
            "chat_id": None, "first_name": "", "username": "", "authorized": False,
            "refused_notice": False, "timezone": "", "blocked": False, "joined_at": now,
            "last_seen": now,
        }
        return insert_ignore(self.db, Participant, user_id=user_id, **{**defaults, **values})

    def get(self, user_id: int) -> records.Participant | None:
        with self.db.session() as s:
            p = s.get(Participant, user_id)
            return None if p is None else records.participant(p)

    def _set(self, user_id: int, **values: Any) -> None:
        """Create the participant with ``values``, or set them on the existing row."""
        if self._ensure(user_id, **values):
            return
        with self.db.session() as s:
            s.execute(update(Participant).where(Participant.user_id == user_id).values(**values))

    def authorize(self, user_id: int) -> None:
        self._set(user_id, authorized=True)

    def mark_refused(self, user_id: int) -> bool:
        """Record that the refusal was sent; True the first time only."""
        if self._ensure(user_id, refused_notice=True):
            return True
        stmt = (update(Participant)
                .where(Participant.user_id == user_id, Participant.refused_notice.is_(False))
                .values(refused_notice=True))
        with self.db.session() as s:
            return cast(CursorResult[Any], s.execute(stmt)).rowcount == 1

    def set_blocked(self, user_id: int, blocked: bool = True) -> None:
        """The one switch for "this participant blocked the bot". The Telegram send path sets it
        when Telegram refuses a reminder or broadcast (Forbidden); `touch` clears it as soon as
        they write again. While it is set nothing is sent to them in bulk."""
        self._set(user_id, blocked=blocked)

    def set_timezone(self, user_id: int, tz: str) -> None:
        """Store the participant's IANA time zone (checked by the caller); '' is the default."""
        self._set(user_id, timezone=tz)

    def all(self) -> list[records.Participant]:
        with self.db.session() as s:
            return [records.participant(r)
                    for r in s.scalars(select(Participant).order_by(Participant.joined_at))]

    def forget(self, user_id: int) -> bool:
        """Delete everything stored about a participant except an invite-code membership.

        Returns True when the membership was kept (a bare row: id and ``authorized``), so a
        participant who joined with a code is not locked out by erasing their data. On SQLite the
        deleted bytes are overwritten (secure_delete) and the WAL is checkpointed and truncated,
        so no erased text stays behind in ``wijkwijs.db`` or ``wijkwijs.db-wal``.
        """
        sqlite = self.db.engine.dialect.name == "sqlite"
        with self.db.session() as s:
            if sqlite:
                s.execute(text("PRAGMA secure_delete=ON"))
            for table in USER_TABLES:
                s.execute(delete(table).where(table.user_id == user_id))  # type: ignore[attr-defined]
            s.execute(delete(FloodWindow).where(FloodWindow.user_id == user_id))
            p = s.get(Participant, user_id)
            member = p is not None and p.authorized
            cohort_id = p.cohort_id if p is not None else None
            s.execute(delete(Participant).where(Participant.user_id == user_id))
            if member:
                now = utcnow()
                s.add(Participant(user_id=user_id, authorized=True, joined_at=now, last_seen=now,
                                  cohort_id=cohort_id))  # membership includes the cohort
        if sqlite:
            with self.db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return member

    # Questions ---------------------------------------------------------------------------------
    def log_question(self, user_id: int, question: str, answer: str, grounded: bool,
                     sources: list[dict[str, Any]]) -> int:
        with self.db.session() as s:
            row = QuestionLog(user_id=user_id, question=question, answer=answer,
                              grounded=grounded, sources=sources)
            s.add(row)
            s.flush()
            return row.id

    def question(self, question_id: int) -> records.Question | None:
        with self.db.session() as s:
            row = s.get(QuestionLog, question_id)
            return None if row is None else records.question(row)

    def rate(self, question_id: int, user_id: int, rating: int) -> bool:
        with self.db.session() as s:
            row = s.get(QuestionLog, question_id)
            if row is None or row.user_id != user_id:
                return False
            row.rating = rating
            return True

    # State -------------------------------------------------------------------------------------
    def get_state(self, user_id: int, key: str) -> Any:
        with self.db.session() as s:
            row = s.get(UserState, (user_id, key))
            return None if row is None else row.value

    def set_state(self, user_id: int, key: str, value: Any) -> None:
        with self.db.session() as s:
            row = s.get(UserState, (user_id, key))
            if value is None:
                if row is not None:
                    s.delete(row)
                return
            if row is None:
                s.add(UserState(user_id=user_id, key=key, value=value))
            else:
                row.value = value
