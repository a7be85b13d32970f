"""Messages the bot sends on its own (reminders): claim -> send -> confirm, one row per message.

States of a row in ``sends`` (bot.store.db.OutboxSend)::

    queued --(the leader takes it)--> claimed
    claimed --start--> sending --sent--> sent
       ^                  |--error that proves non-delivery (429, 400, connect error)--> claimed
       |                  |--blocked (403)--> blocked
       |                  |--final error after a retry--> failed
       |                  '--timed out / process died while sending--> uncertain (never repeated)
       '-- a new leader adopts the claimed rows of a dead one and sends them

``start`` and every later step are conditional on ``owner``: a leader that lost its lock and
still runs can never send a row the new leader adopted. A row in ``sending`` when its process died
may or may not have reached Telegram (no Bot API call can tell): it becomes ``uncertain`` and is
reported, not repeated.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple, cast

from sqlalchemy import CursorResult, func, select, update

from bot.store.db import Database, OutboxSend, utcnow
from bot.store.inbox import process_id

QUEUED, CLAIMED, SENDING, SENT = "queued", "claimed", "sending", "sent"
UNCERTAIN, FAILED, BLOCKED = "uncertain", "failed", "blocked"
FINAL = frozenset({SENT, UNCERTAIN, FAILED, BLOCKED})


class Row(NamedTuple):
    key: str
    kind: str
    user_id: int
    chat_id: int
    text: str


class Outbox:
    def __init__(self, db: Database, owner: str | None = None) -> None:
        self.db = db
        self.owner = owner or process_id()

    def new_row(self, key: str, kind: str, user_id: int, chat_id: int) -> OutboxSend:
        """A claimed row owned by this process (add it in the same transaction as the claim
        of whatever it sends, e.g. the reminder's date)."""
        now = utcnow()
        return OutboxSend(key=key, kind=kind, user_id=user_id, chat_id=chat_id, status=CLAIMED,
                          owner=self.owner, attempts=0, error="", created_at=now,
                          updated_at=now)

    def _move(self, key: str, src: str, dst: str, error: str = "", *,
              count_attempt: bool = False) -> bool:
        values: dict[str, Any] = {"status": dst, "updated_at": utcnow()}
        if error:
            values["error"] = error[:500]
        if count_attempt:
            values["attempts"] = OutboxSend.attempts + 1
        stmt = (update(OutboxSend)
                .where(OutboxSend.key == key, OutboxSend.status == src,
                       OutboxSend.owner == self.owner)
                .values(**values))
        with self.db.session() as s:
            return cast(CursorResult[Any], s.execute(stmt)).rowcount == 1

    def start(self, key: str) -> bool:
        """claimed -> sending, right before the request; False: not ours (any more)."""
        return self._move(key, CLAIMED, SENDING, count_attempt=True)

    def settle(self, key: str, status: str, error: str = "") -> bool:
        """sending -> sent | uncertain | failed | blocked, or back to claimed (retry)."""
        if status not in FINAL and status != CLAIMED:
            raise ValueError(status)
        return self._move(key, SENDING, status, error)

    def enqueue(self, batch: str, kind: str, chat_ids: Iterable[int], text: str) -> int:
        """Queue one text for many chats (a broadcast) for the leader; returns how many."""
        now = utcnow()
        rows = [OutboxSend(key=f"{kind}:{batch}:{chat}", kind=kind, user_id=chat, chat_id=chat,
                           status=QUEUED, owner="", attempts=0, text=text, error="",
                           created_at=now, updated_at=now) for chat in dict.fromkeys(chat_ids)]
        with self.db.session() as s:
            s.add_all(rows)
        return len(rows)

    def take_queued(self) -> int:
        """The leader takes every queued row (they become claimed by this process)."""
        stmt = (update(OutboxSend).where(OutboxSend.status == QUEUED)
                .values(status=CLAIMED, owner=self.owner, updated_at=utcnow()))
        with self.db.session() as s:
            return cast(CursorResult[Any], s.execute(stmt)).rowcount

    def has_queued(self) -> bool:
        with self.db.session() as s:
            return s.scalar(select(OutboxSend.key).where(OutboxSend.status == QUEUED)
                            .limit(1)) is not None

    def batch_counts(self, kind: str, batch: str) -> dict[str, int]:
        with self.db.session() as s:
            rows = s.execute(select(OutboxSend.status, func.count())
                             .where(OutboxSend.key.startswith(f"{kind}:{batch}:"))
                             .group_by(OutboxSend.status)).all()
        return {str(status): int(n) for status, n in rows}

    def adopt(self) -> list[Row]:
        """For a new leader: rows another process left in ``sending`` become uncertain; its
        claimed rows become ours. Returns our claimed rows to send."""
        now = utcnow()
        with self.db.session() as s:
            s.execute(update(OutboxSend)
                      .where(OutboxSend.status == SENDING, OutboxSend.owner != self.owner)
                      .values(status=UNCERTAIN, updated_at=now,
                              error="process stopped while sending: maybe delivered"))
            s.execute(update(OutboxSend)
                      .where(OutboxSend.status == CLAIMED, OutboxSend.owner != self.owner)
                      .values(owner=self.owner, updated_at=now))
        return self.claimed()

    def claimed(self) -> list[Row]:
        with self.db.session() as s:
            rows = s.execute(select(OutboxSend.key, OutboxSend.kind, OutboxSend.user_id,
                                    OutboxSend.chat_id, OutboxSend.text)
                             .where(OutboxSend.status == CLAIMED,
                                    OutboxSend.owner == self.owner)
                             .order_by(OutboxSend.created_at, OutboxSend.key)).all()
        return [Row(str(k), str(kind), int(u), int(c), str(t)) for k, kind, u, c, t in rows]

    def status(self, key: str) -> str | None:
        with self.db.session() as s:
            row = s.get(OutboxSend, key)
            return None if row is None else row.status

    def counts(self) -> dict[str, int]:
        with self.db.session() as s:
            rows = s.execute(select(OutboxSend.status, func.count())
                             .group_by(OutboxSend.status)).all()
        return {str(status): int(n) for status, n in rows}
