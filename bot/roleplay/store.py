"""Persist role-play sessions per participant (table ``roleplay_sessions``).

One active session per user holds the live state (JSON); finishing it stores status, score and
feedback, which `history` and `render_history` turn into a progress overview (/mijnoefeningen).
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.roleplay import texts
from bot.roleplay.feedback import Feedback
from bot.roleplay.session import RoleplaySession
from bot.store.db import Database, RoleplayRecord, utcnow

log = logging.getLogger(__name__)
ACTIVE = "active"
HISTORY_LINES = 10
NOTICE_KEY = "end_notice_pending"
"""State flag of a finished session: the next message gets 'the conversation is over'."""
NOTICE_WITHIN = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class HistoryEntry:
    """One finished session."""

    id: int
    scenario_id: str
    title: str
    score: int
    outcome: str
    """agreement | max_turns | stopped"""
    started_at: dt.datetime
    ended_at: dt.datetime
    """Naive UTC, like everything in the database."""


class RoleplayStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _active_records(s: Session, user_id: int) -> list[RoleplayRecord]:
        stmt = (
            select(RoleplayRecord)
            .where(RoleplayRecord.user_id == user_id, RoleplayRecord.status == ACTIVE)
            .order_by(RoleplayRecord.id.desc())
        )
        return list(s.scalars(stmt))

    def has_active(self, user_id: int) -> bool:
        """Cheap check (no state parsing): called for every text message a participant sends."""
        stmt = (
            select(RoleplayRecord.id)
            .where(RoleplayRecord.user_id == user_id, RoleplayRecord.status == ACTIVE)
            .limit(1)
        )
        with self.db.session() as s:
            return s.scalar(stmt) is not None

    def load_active(self, user_id: int) -> RoleplaySession | None:
        """The user's running session, or None. Unreadable state is closed and dropped."""
        with self.db.session() as s:
            for record in self._active_records(s, user_id):
                try:
                    session = _session(record)
                except ValueError as exc:
                    log.warning("dropping broken role-play state %s: %s", record.id, exc)
                    record.status, record.ended_at = "stopped", utcnow()
                    continue
                return session
        return None

    def save_active(self, user_id: int, session: RoleplaySession) -> None:
        """Save the state of a running session; any other running session of the user is
        closed without a score (a user has one conversation at a time)."""
        if not session.active:
            raise ValueError("session has ended: use finish()")
        with self.db.session() as s:
            record = None
            for other in self._active_records(s, user_id):
                if other.state.get("id") == session.id and record is None:
                    record = other
                else:
                    other.status, other.ended_at = "stopped", utcnow()
            if record is None:
                record = RoleplayRecord(user_id=user_id, scenario_id=session.scenario_id)
                s.add(record)
            record.status, record.state = session.status, _state(session)

    def finish(self, user_id: int, session: RoleplaySession, feedback: Feedback) -> None:
        """Store the end result: status, score, feedback JSON and ended_at."""
        status = "stopped" if session.active else session.status
        with self.db.session() as s:
            record = next(
                (r for r in self._active_records(s, user_id) if r.state.get("id") == session.id),
                None,
            )
            if record is None:
                record = RoleplayRecord(user_id=user_id, scenario_id=session.scenario_id)
                s.add(record)
            record.status = status
            record.state = {**_state(session), NOTICE_KEY: True}
            record.score = feedback.score
            record.feedback = feedback.to_dict()
            record.ended_at = utcnow()

    def _latest(self, s: Session, user_id: int) -> RoleplayRecord | None:
        stmt = (select(RoleplayRecord).where(RoleplayRecord.user_id == user_id)
                .order_by(RoleplayRecord.id.desc()).limit(1))
        return s.scalars(stmt).first()

    def end_notice_pending(self, user_id: int, now: dt.datetime | None = None) -> bool:
        """Whether the user's latest session ended recently and the 'conversation is over'
        notice was not given yet (a message right after the end should get it)."""
        now = now or utcnow()
        with self.db.session() as s:
            record = self._latest(s, user_id)
            return bool(
                record is not None and record.status != ACTIVE and record.ended_at is not None
                and now - record.ended_at <= NOTICE_WITHIN
                and (record.state or {}).get(NOTICE_KEY)
            )

    def clear_end_notice(self, user_id: int) -> None:
        with self.db.session() as s:
            record = self._latest(s, user_id)
            if record is not None and (record.state or {}).get(NOTICE_KEY):
                record.state = {**record.state, NOTICE_KEY: False}

    def discard_active(self, user_id: int) -> None:
        """Close the running session without a score (e.g. its scenario no longer exists)."""
        with self.db.session() as s:
            for record in self._active_records(s, user_id):
                record.status, record.ended_at = "stopped", utcnow()

    def history(self, user_id: int) -> list[HistoryEntry]:
        """Finished sessions with a score, oldest first."""
        stmt = (
            select(RoleplayRecord)
            .where(
                RoleplayRecord.user_id == user_id,
                RoleplayRecord.status != ACTIVE,
                RoleplayRecord.score.is_not(None),
            )
            .order_by(RoleplayRecord.ended_at, RoleplayRecord.id)
        )
        with self.db.session() as s:
            return [
                HistoryEntry(
                    id=r.id,
                    scenario_id=r.scenario_id,
                    title=str((r.feedback or {}).get("title") or r.scenario_id),
                    score=int(r.score or 0),
                    outcome=r.status,
                    started_at=r.started_at,
                    ended_at=r.ended_at or r.started_at,
                )
                for r in s.scalars(stmt)
            ]

    def last_feedback(self, user_id: int) -> Feedback | None:
        """Feedback of the most recently finished session."""
        stmt = (
            select(RoleplayRecord)
            .where(RoleplayRecord.user_id == user_id, RoleplayRecord.feedback.is_not(None))
            .order_by(RoleplayRecord.ended_at.desc(), RoleplayRecord.id.desc())
        )
        with self.db.session() as s:
            record = s.scalars(stmt).first()
            return Feedback.from_dict(record.feedback) if record and record.feedback else None

    def render_history(self, user_id: int, timezone: str = "Europe/Amsterdam") -> str:
        return render_history(self.history(user_id), timezone)


def _state(session: RoleplaySession) -> dict[str, Any]:
    """The JSON part of a session: everything but its status, which only the ``status`` column
    holds (one source of truth: what `has_active` queries is what `load_active` resumes)."""
    state = session.to_dict()
    del state["status"]
    return state


def _session(record: RoleplayRecord) -> RoleplaySession:
    return RoleplaySession.from_dict({**(record.state or {}), "status": record.status})


def render_history(entries: list[HistoryEntry], timezone: str = "Europe/Amsterdam") -> str:
    """Dutch overview: the latest sessions, first vs. latest score, average per scenario."""
    if not entries:
        return texts.HISTORY_EMPTY
    tz = zoneinfo.ZoneInfo(timezone)
    lines = [texts.HISTORY_HEADER.format(count=len(entries))]
    shown = entries[-HISTORY_LINES:]
    if len(entries) > len(shown):
        lines.append(texts.HISTORY_MORE.format(count=len(entries) - len(shown)))
    for e in shown:
        local = e.ended_at.replace(tzinfo=dt.UTC).astimezone(tz)
        lines.append(
            texts.HISTORY_LINE.format(
                date=local.strftime("%d-%m-%Y"),
                title=e.title,
                score=e.score,
                outcome=texts.OUTCOME_SHORT.get(e.outcome, e.outcome),
            )
        )
    same = [e for e in entries if e.scenario_id == entries[-1].scenario_id]
    if len(same) > 1:  # progress only compares the same scenario over time
        first, latest = same[0].score, same[-1].score
        trend = (texts.TREND_UP if latest > first
                 else texts.TREND_DOWN if latest < first else texts.TREND_SAME)
        lines += ["", texts.HISTORY_PROGRESS.format(
            title=same[-1].title, first=first, latest=latest, count=len(same), trend=trend)]
    elif len(entries) > 1:
        lines += ["", texts.HISTORY_PROGRESS_ONCE.format(title=same[-1].title)]
    per: dict[str, list[HistoryEntry]] = defaultdict(list)
    for e in entries:
        per[e.scenario_id].append(e)
    lines += ["", texts.HISTORY_PER_SCENARIO]
    for group in sorted(per.values(), key=lambda g: g[-1].title.casefold()):
        average = round(sum(e.score for e in group) / len(group))
        lines.append(
            texts.HISTORY_AVERAGE_LINE.format(
                title=group[-1].title, average=average, count=len(group)
            )
        )
    return "\n".join(lines)
