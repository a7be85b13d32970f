"""Cohorts: groups of participants with their own lesdagen, invite codes and trainers.

A participant belongs to one cohort (``participants.cohort_id``; None means the default cohort).
A trainer is an id from ADMIN_IDS; assigned to cohorts (``cohort_trainers``) they see only those,
without any assignment they see every cohort.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.store import records
from bot.store.access import hash_code
from bot.store.db import Cohort, CohortTrainer, Database, InviteCode, Participant

DEFAULT_NAME = "Standaard"
MAX_NAME = 100


class CohortError(ValueError):
    """A cohort action that cannot be done; ``kind`` selects the Dutch text."""

    def __init__(self, kind: str, name: str = "") -> None:
        super().__init__(kind)
        self.kind = kind
        self.name = name


def _detached(s: Session, rows: list[Cohort]) -> list[records.Cohort]:
    return [records.cohort(r) for r in rows]


class CohortStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # Cohorts ------------------------------------------------------------------------------------
    def _default(self, s: Session) -> Cohort:
        row = s.scalars(select(Cohort).where(Cohort.is_default.is_(True))
                        .order_by(Cohort.id)).first()
        if row is None:  # only when someone deleted it by hand: make a new one
            row = Cohort(name=DEFAULT_NAME, is_default=True)
            s.add(row)
            s.flush()
        return row

    def default(self) -> records.Cohort:
        with self.db.session() as s:
            return _detached(s, [self._default(s)])[0]

    def default_id(self) -> int:
        return self.default().id

    def all(self) -> list[records.Cohort]:
        with self.db.session() as s:
            self._default(s)
            return _detached(s, list(s.scalars(select(Cohort).order_by(Cohort.id))))

    def get(self, cohort_id: int) -> records.Cohort | None:
        with self.db.session() as s:
            row = s.get(Cohort, cohort_id)
            return _detached(s, [row])[0] if row is not None else None

    def by_name(self, name: str) -> records.Cohort | None:
        key = name.strip().casefold()
        return next((c for c in self.all() if c.name.casefold() == key), None)

    def create(self, name: str) -> records.Cohort:
        clean = " ".join(name.split())
        if not clean or len(clean) > MAX_NAME or clean.startswith("/"):
            raise CohortError("bad_name", clean)
        if self.by_name(clean) is not None:
            raise CohortError("exists", clean)
        with self.db.session() as s:
            row = Cohort(name=clean, is_default=False)
            s.add(row)
            s.flush()
            return _detached(s, [row])[0]

    def sizes(self) -> dict[int, int]:
        """Participants per cohort id (those without a cohort count for the default)."""
        default = self.default_id()
        with self.db.session() as s:
            rows = s.execute(select(Participant.cohort_id, func.count())
                             .where(or_(Participant.authorized.is_(True),
                                        Participant.refused_notice.is_(False)))
                             .group_by(Participant.cohort_id))
            sizes: dict[int, int] = {}
            for cid, count in rows:
                key = default if cid is None else cid
                sizes[key] = sizes.get(key, 0) + count
            return sizes

    # Trainers -----------------------------------------------------------------------------------
    def add_trainer(self, cohort_id: int, user_id: int) -> None:
        with self.db.session() as s:
            if s.get(CohortTrainer, (cohort_id, user_id)) is None:
                s.add(CohortTrainer(cohort_id=cohort_id, user_id=user_id))

    def remove_trainer(self, cohort_id: int, user_id: int) -> bool:
        with self.db.session() as s:
            row = s.get(CohortTrainer, (cohort_id, user_id))
            if row is None:
                return False
            s.delete(row)
            return True

    def trainers(self, cohort_id: int) -> list[int]:
        with self.db.session() as s:
            return list(s.scalars(select(CohortTrainer.user_id)
                                  .where(CohortTrainer.cohort_id == cohort_id)
                                  .order_by(CohortTrainer.user_id)))

    def is_assigned(self, user_id: int) -> bool:
        """True when the trainer is assigned to at least one cohort (so sees only those)."""
        with self.db.session() as s:
            return s.scalars(select(CohortTrainer.cohort_id)
                             .where(CohortTrainer.user_id == user_id)).first() is not None

    def visible(self, trainer_id: int) -> list[records.Cohort]:
        """The cohorts a trainer may see and message: assigned ones, or all without any."""
        with self.db.session() as s:
            mine = set(s.scalars(select(CohortTrainer.cohort_id)
                                 .where(CohortTrainer.user_id == trainer_id)))
        cohorts = self.all()
        return [c for c in cohorts if c.id in mine] if mine else cohorts

    def can_see(self, trainer_id: int, cohort_id: int) -> bool:
        return any(c.id == cohort_id for c in self.visible(trainer_id))

    # Members ------------------------------------------------------------------------------------
    def cohort_of(self, user_id: int) -> records.Cohort:
        with self.db.session() as s:
            p = s.get(Participant, user_id)
            row = s.get(Cohort, p.cohort_id) if p is not None and p.cohort_id else None
            return _detached(s, [row or self._default(s)])[0]

    def members(self, cohort_id: int) -> set[int]:
        default = self.default_id()
        with self.db.session() as s:
            cond = Participant.cohort_id == cohort_id
            if cohort_id == default:
                cond = or_(cond, Participant.cohort_id.is_(None))
            return set(s.scalars(select(Participant.user_id).where(cond)))

    def move(self, user_id: int, cohort_id: int) -> bool:
        """Put a participant in a cohort; False when there is no such participant."""
        with self.db.session() as s:
            p = s.get(Participant, user_id)
            if p is None or s.get(Cohort, cohort_id) is None:
                return False
            p.cohort_id = cohort_id
            return True

    def find_participant(self, ref: str) -> records.Participant | None:
        """A participant by Telegram id or @username."""
        ref = ref.strip()
        with self.db.session() as s:
            if ref.lstrip("-").isdigit():
                p = s.get(Participant, int(ref))
            else:
                name = ref.lstrip("@").casefold()
                p = next((r for r in s.scalars(select(Participant))
                          if r.username and r.username.casefold() == name), None)
            return None if p is None else records.participant(p)

    # Invite codes -------------------------------------------------------------------------------
    def attach_invite(self, invite_id: int, cohort_id: int) -> None:
        with self.db.session() as s:
            row = s.get(InviteCode, invite_id)
            if row is not None:
                row.cohort_id = cohort_id

    def cohort_for_code(self, code: str, now: dt.datetime) -> records.Cohort | None:
        """The cohort of a valid (not revoked, not expired) invite code, else None."""
        with self.db.session() as s:
            row = s.scalars(select(InviteCode)
                            .where(InviteCode.code_hash == hash_code(code))).first()
            if row is None or row.revoked or row.cohort_id is None or \
                    (row.expires_at is not None and row.expires_at <= now):
                return None
            cohort = s.get(Cohort, row.cohort_id)
            return _detached(s, [cohort])[0] if cohort is not None else None

    def join(self, user_id: int, cohort_id: int) -> bool:
        """Joining through a cohort's invite: participants without a cohort, or in the default
        cohort, move into it. Leaving another cohort is a trainer action. True when placed."""
        with self.db.session() as s:
            p = s.get(Participant, user_id)
            if p is None:
                return False
            default = self._default(s).id
            if p.cohort_id not in (None, default) or p.cohort_id == cohort_id:
                return False
            p.cohort_id = cohort_id
            return True
