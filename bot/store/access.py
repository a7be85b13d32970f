"""Access bookkeeping shared by all replicas: invite codes, brute-force throttles, flood windows.

Everything is counted in the database, so limits hold however many processes answer updates.
Invite codes are stored as SHA-256 hashes (they carry 128 random bits, so a fast hash is enough);
the static ``WIJKWIJS_INVITE_CODE`` is compared in constant time.

Brute force: every wrong code counts for the user (key ``u:<id>``) and for everyone (key ``*``).
After ``free`` misses a waiting time starts that doubles with each further miss, up to a cap.
While a key is locked no code is checked at all (not even the right one), and the user hears
about the lock once per lock. A streak is forgotten after a quiet day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.store import records
from bot.store.db import AccessThrottle, Database, FloodWindow, InviteCode

GLOBAL_KEY = "*"
CODE_BYTES = 16
"""128 random bits: `secrets.token_urlsafe(16)` gives 22 characters from [A-Za-z0-9_-]."""
STALE_AFTER = dt.timedelta(days=2)


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()


def user_key(user_id: int) -> str:
    return f"u:{user_id}"


@dataclass(frozen=True)
class ThrottlePolicy:
    free: int = 5
    """Misses before the first waiting time."""
    delay: float = 30.0
    """First waiting time in seconds; doubles with each further miss."""
    max_delay: float = 3600.0
    reset_after: dt.timedelta = dt.timedelta(days=1)
    """A streak without misses for this long starts again from zero."""

    def lock_for(self, failures: int) -> dt.timedelta | None:
        if failures < self.free:
            return None
        exponent = min(failures - self.free, 40)
        return dt.timedelta(seconds=min(self.delay * 2**exponent, self.max_delay))


@dataclass(frozen=True)
class InviteAttempt:
    status: Literal["ok", "wrong", "locked"]
    wait: dt.timedelta = dt.timedelta(0)
    """How long until the next code is checked (status 'locked')."""
    notify: bool = True
    """False for further attempts during a lock the user was already told about."""


@dataclass(frozen=True)
class NewInvite:
    id: int
    code: str
    expires_at: dt.datetime | None


class AccessStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # Rows ---------------------------------------------------------------------------------------
    def _ensure(self, s: Session, model: type[AccessThrottle] | type[FloodWindow],
                **values: object) -> None:
        """INSERT … ON CONFLICT DO NOTHING: race-free creation on SQLite and PostgreSQL."""
        insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
        s.execute(insert(model).values(**values).on_conflict_do_nothing())

    def _throttle(self, s: Session, key: str) -> AccessThrottle:
        self._ensure(s, AccessThrottle, key=key, failures=0)
        row = s.scalars(select(AccessThrottle).where(AccessThrottle.key == key)
                        .with_for_update()).one()
        return row

    # Invite codes -------------------------------------------------------------------------------
    def new_invite(self, now: dt.datetime, *, label: str = "",
                   valid_for: dt.timedelta | None = None) -> NewInvite:
        code = secrets.token_urlsafe(CODE_BYTES)
        expires = now + valid_for if valid_for else None
        with self.db.session() as s:
            row = InviteCode(code_hash=hash_code(code), label=label[:100], created_at=now,
                             expires_at=expires)
            s.add(row)
            s.flush()
            return NewInvite(row.id, code, expires)

    def invites(self) -> list[records.InviteCode]:
        with self.db.session() as s:
            return [records.invite(r)
                    for r in s.scalars(select(InviteCode).order_by(InviteCode.id))]

    def revoke(self, invite_id: int) -> bool:
        with self.db.session() as s:
            row = s.get(InviteCode, invite_id)
            if row is None:
                return False
            row.revoked = True
            return True

    def _valid_code(self, s: Session, code: str, static_code: str, now: dt.datetime) -> bool:
        if static_code and hmac.compare_digest(code.encode("utf-8", "replace"),
                                               static_code.encode("utf-8", "replace")):
            return True
        row = s.scalars(select(InviteCode).where(InviteCode.code_hash == hash_code(code))).first()
        if row is None or row.revoked or (row.expires_at is not None and row.expires_at <= now):
            return False
        row.uses += 1
        return True

    def try_invite(self, user_id: int, code: str, now: dt.datetime, *, static_code: str,
                   user_policy: ThrottlePolicy, global_policy: ThrottlePolicy) -> InviteAttempt:
        """Check an invite code under the per-user and global limits (one transaction)."""
        with self.db.session() as s:
            everyone = self._throttle(s, GLOBAL_KEY)  # always locked in this order
            mine = self._throttle(s, user_key(user_id))
            for row, policy in ((everyone, global_policy), (mine, user_policy)):
                if row.last_failure_at is not None and \
                        now - row.last_failure_at > policy.reset_after:
                    row.failures, row.locked_until = 0, None
            until = max((r.locked_until for r in (everyone, mine)
                         if r.locked_until is not None and r.locked_until > now), default=None)
            if until is not None:
                notify = mine.notified_until is None or mine.notified_until < until
                mine.notified_until = until
                return InviteAttempt("locked", until - now, notify)
            if self._valid_code(s, code, static_code, now):
                s.delete(mine)
                return InviteAttempt("ok")
            for row, policy in ((everyone, global_policy), (mine, user_policy)):
                row.failures += 1
                row.last_failure_at = now
                lock = policy.lock_for(row.failures)
                row.locked_until = now + lock if lock else None
            until = max((r.locked_until for r in (everyone, mine) if r.locked_until is not None),
                        default=None)
            s.execute(delete(AccessThrottle).where(  # housekeeping: idle rows of other users
                AccessThrottle.last_failure_at < now - STALE_AFTER,
                AccessThrottle.key.not_in([GLOBAL_KEY, mine.key])))
            if until is not None:
                mine.notified_until = until
                return InviteAttempt("wrong", until - now)
            return InviteAttempt("wrong")

    # Outsiders ----------------------------------------------------------------------------------
    def refuse_once(self, user_id: int, now: dt.datetime) -> bool:
        """True the first time an outsider is refused (then the refusal is sent)."""
        with self.db.session() as s:
            row = self._throttle(s, user_key(user_id))
            if row.refused_at is not None:
                return False
            row.refused_at = now
            return True

    # Flood windows ------------------------------------------------------------------------------
    def flood_hit(self, user_id: int, kind: str, limit: int, window: dt.timedelta,
                  now: dt.datetime) -> tuple[bool, bool]:
        """Count one event; returns (allowed, warn). Warn is True once per full window."""
        with self.db.session() as s:
            self._ensure(s, FloodWindow, user_id=user_id, kind=kind, window_start=now, count=0,
                         warned=False)
            row = s.scalars(select(FloodWindow).where(
                FloodWindow.user_id == user_id, FloodWindow.kind == kind).with_for_update()).one()
            if now - row.window_start >= window or now < row.window_start:
                row.window_start, row.count, row.warned = now, 0, False
            row.count += 1
            if row.count <= limit:
                return True, False
            warn = not row.warned
            row.warned = True
            return False, warn

    def prune(self, now: dt.datetime) -> None:
        with self.db.session() as s:
            s.execute(delete(FloodWindow).where(FloodWindow.window_start < now - STALE_AFTER))
            s.execute(delete(AccessThrottle).where(
                AccessThrottle.key != GLOBAL_KEY,
                AccessThrottle.refused_at.is_(None) | (AccessThrottle.refused_at < now
                                                       - STALE_AFTER),
                AccessThrottle.last_failure_at.is_(None) | (AccessThrottle.last_failure_at < now
                                                            - STALE_AFTER)))

    def forget(self, user_id: int) -> None:
        with self.db.session() as s:
            s.execute(delete(FloodWindow).where(FloodWindow.user_id == user_id))
