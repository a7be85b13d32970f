"""The update inbox: at-least-once handling with de-duplication, safe across processes.

Life of an update (see docs/reliability.md):

1. **Claim** – before the offset is confirmed to Telegram (polling) or before the webhook answers
   200, the raw update is inserted with ``INSERT … ON CONFLICT DO NOTHING`` on
   ``(bot_id, update_id)``. Exactly one process wins; the others drop the update.
2. **Handle** – the winner runs the handlers; while it lives it renews ``claimed_at`` of its
   pending rows (a lease).
3. **Done** – after the handlers finished the row becomes ``done`` and its payload is cleared
   (the text of a message is not kept longer than needed).
4. **Recover** – a pending row whose lease ran out belongs to a dead process: any process takes
   it over with one conditional UPDATE (again exactly one wins) and handles it.
5. **Prune** – done/skipped rows older than a few days are deleted periodically; they only guard
   against a redelivery of an update already handled.

An update that cannot be parsed is stored as ``skipped`` (with its raw JSON for the operator) and
never handled.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, func, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from bot.store.db import Base, Database, InboxUpdate, utcnow

PENDING, DONE, SKIPPED = "pending", "done", "skipped"
DEFAULT_LEASE = dt.timedelta(seconds=60)
DEFAULT_KEEP = dt.timedelta(days=2)


def process_id() -> str:
    """A name for this process that is unique across hosts and restarts."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


def insert_ignore(db: Database, model: type[Base], **values: Any) -> bool:
    """``INSERT … ON CONFLICT DO NOTHING``; True when this call inserted the row."""
    stmt: Insert
    if db.engine.dialect.name == "postgresql":
        stmt = postgresql.insert(model).values(**values).on_conflict_do_nothing()
    elif db.engine.dialect.name == "sqlite":
        stmt = sqlite.insert(model).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(db.engine.dialect.name)
    # RETURNING tells reliably whether the row was inserted (rowcount is -1 with psycopg here).
    stmt = stmt.returning(*sa_inspect(model).primary_key)
    with db.session() as s:
        return s.execute(stmt).first() is not None


class Inbox:
    """The inbox of one bot (``bot_id`` = the numeric part of the token) for one process."""

    def __init__(self, db: Database, bot_id: int, *, owner: str | None = None,
                 lease: dt.timedelta = DEFAULT_LEASE) -> None:
        self.db = db
        self.bot_id = bot_id
        self.owner = owner or process_id()
        self.lease = lease

    def _key(self, update_id: int) -> Any:
        return and_(InboxUpdate.bot_id == self.bot_id, InboxUpdate.update_id == update_id)

    def claim(self, update_id: int, payload: str) -> bool:
        """Store the update and claim it for this process. True: handle it; False: drop it
        (another process has it, or it was handled already). A pending row with a run-out lease
        (its owner died) is taken over."""
        if insert_ignore(self.db, InboxUpdate, bot_id=self.bot_id, update_id=update_id,
                         payload=payload, status=PENDING, owner=self.owner,
                         claimed_at=utcnow()):
            return True
        return self._take_over(update_id)

    def skip(self, update_id: int, payload: str) -> bool:
        """Record an update that cannot be parsed; True the first time (log it then)."""
        return insert_ignore(self.db, InboxUpdate, bot_id=self.bot_id, update_id=update_id,
                             payload=payload, status=SKIPPED, owner=self.owner,
                             claimed_at=utcnow())

    def _take_over(self, update_id: int) -> bool:
        stmt = (update(InboxUpdate)
                .where(self._key(update_id), InboxUpdate.status == PENDING,
                       InboxUpdate.claimed_at < utcnow() - self.lease)
                .values(owner=self.owner, claimed_at=utcnow()))
        with self.db.session() as s:
            return cast(CursorResult[Any], s.execute(stmt)).rowcount == 1

    def done(self, update_id: int) -> None:
        stmt = (update(InboxUpdate).where(self._key(update_id), InboxUpdate.status == PENDING)
                .values(status=DONE, payload="", claimed_at=utcnow()))
        with self.db.session() as s:
            s.execute(stmt)

    def renew(self) -> int:
        """Extend the lease of this process's pending rows (call well within ``lease``)."""
        stmt = (update(InboxUpdate)
                .where(InboxUpdate.bot_id == self.bot_id, InboxUpdate.owner == self.owner,
                       InboxUpdate.status == PENDING)
                .values(claimed_at=utcnow()))
        with self.db.session() as s:
            return cast(CursorResult[Any], s.execute(stmt)).rowcount

    def take_over_stale(self, limit: int = 100) -> list[tuple[int, str]]:
        """Claim pending rows of dead processes; returns (update_id, payload) to handle again,
        oldest first."""
        query = (select(InboxUpdate.update_id)
                 .where(InboxUpdate.bot_id == self.bot_id, InboxUpdate.status == PENDING,
                        InboxUpdate.claimed_at < utcnow() - self.lease)
                 .order_by(InboxUpdate.update_id).limit(limit))
        with self.db.session() as s:
            candidates = list(s.scalars(query))
        won = [u for u in candidates if self._take_over(u)]
        if not won:
            return []
        with self.db.session() as s:
            rows = s.execute(select(InboxUpdate.update_id, InboxUpdate.payload)
                             .where(InboxUpdate.bot_id == self.bot_id,
                                    InboxUpdate.update_id.in_(won))
                             .order_by(InboxUpdate.update_id)).all()
        return [(int(u), str(p)) for u, p in rows]

    def prune(self, older_than: dt.timedelta = DEFAULT_KEEP) -> int:
        """Delete handled and skipped rows older than ``older_than``; pending ones stay."""
        stmt = delete(InboxUpdate).where(InboxUpdate.bot_id == self.bot_id,
                                         InboxUpdate.status != PENDING,
                                         InboxUpdate.claimed_at < utcnow() - older_than)
        with self.db.session() as s:
            return cast(CursorResult[Any], s.execute(stmt)).rowcount

    def status(self, update_id: int) -> str | None:
        with self.db.session() as s:
            row = s.get(InboxUpdate, (self.bot_id, update_id))
            return None if row is None else row.status

    def counts(self) -> dict[str, int]:
        """Rows per status (for tests and `wijkwijs health`-style checks)."""
        with self.db.session() as s:
            rows = s.execute(select(InboxUpdate.status, func.count())
                             .where(InboxUpdate.bot_id == self.bot_id)
                             .group_by(InboxUpdate.status)).all()
        return {str(status): int(n) for status, n in rows}
