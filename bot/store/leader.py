"""One leader among the bot's processes: it alone sends reminders and registers the webhook.

PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a dedicated connection
that is kept open while the process leads. When the leader dies, PostgreSQL drops its connection
and with it the lock; the next process whose periodic `check` calls ``pg_try_advisory_lock``
becomes the leader. A leader whose connection broke (database restart, network) steps down at
its next `check`.

SQLite: a file lock next to the database (only one process should use a SQLite database; if a
second one starts anyway it never leads). An in-memory database: always the leader.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.store.db import Database

log = logging.getLogger(__name__)

LOCK_CLASS = 7_311_420
"""First key of the two-key advisory lock; the second is the bot id (one leader per bot)."""


class Leader:
    def __init__(self, db: Database, bot_id: int) -> None:
        self.db = db
        self.bot_id = bot_id % 2**31
        self._conn: Connection | None = None
        self._file_lock: Any = None
        self.is_leader = False

    def check(self) -> bool:
        """Try to become (or verify that we still are) the leader; returns ``is_leader``."""
        try:
            self.is_leader = self._check()
        except Exception as exc:
            if self.is_leader:
                log.warning("lost the leader lock (%s); another process takes over", exc)
            self._drop()
            self.is_leader = False
        return self.is_leader

    def _check(self) -> bool:
        dialect = self.db.engine.dialect.name
        if dialect == "postgresql":
            if self._conn is None:
                self._conn = self.db.engine.connect()
            if self.is_leader:
                self._conn.execute(text("SELECT 1")).scalar()
                return True
            got = bool(self._conn.execute(text("SELECT pg_try_advisory_lock(:a, :b)"),
                                          {"a": LOCK_CLASS, "b": self.bot_id}).scalar())
            self._conn.commit()
            if got:
                log.info("this process is now the leader (sends reminders)")
            return got
        path = self.db.engine.url.database
        if dialect == "sqlite" and path and path != ":memory:":
            if self._file_lock is None:
                from filelock import FileLock

                self._file_lock = FileLock(f"{path}.leader.lock", thread_local=False)
            if not self._file_lock.is_locked:
                from filelock import Timeout

                try:
                    self._file_lock.acquire(timeout=0)
                except Timeout:
                    return False
            return True
        return True

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.invalidate()
                conn.close()
            except Exception:  # the connection is gone anyway
                log.debug("closing the leader connection failed", exc_info=True)

    def resign(self) -> None:
        if self._conn is not None and self.is_leader:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:a, :b)"),
                                   {"a": LOCK_CLASS, "b": self.bot_id})
                self._conn.commit()
            except Exception:
                log.debug("unlock failed", exc_info=True)
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._file_lock is not None and self._file_lock.is_locked:
            self._file_lock.release()
        self.is_leader = False
