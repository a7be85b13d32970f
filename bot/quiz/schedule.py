"""Leitner scheduling of practice questions per participant.

Boxes 1..5 with growing intervals. ``goed`` moves a question one box up (asked again later),
``half`` keeps its box but brings it back soon, ``fout`` sends it back to box 1 (tomorrow).
``off-topic`` is not an answer and changes nothing. A question in the highest box is "vast".

Lesdagen: a question of lesdag N is only asked from that lesdag's date on (course dates from
bot/reminders/calendar.py). When no dates are set at all, every lesdag counts as past.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from bot.quiz.judge import Verdict
from bot.quiz.questions import QuizQuestion
from bot.store.db import Database, QuizProgress

INTERVALS: Mapping[int, int] = {1: 1, 2: 3, 3: 7, 4: 14, 5: 30}
"""Days until a question in this box comes back."""
TOP_BOX = max(INTERVALS)
HALF_INTERVAL = 1


@dataclass(frozen=True)
class Progress:
    box: int
    due: dt.date
    right: int
    missed: int


def released(question: QuizQuestion, lesdagen: Mapping[int, dt.date], today: dt.date) -> bool:
    """May this question be asked today? Without course dates every lesdag counts as past."""
    if not lesdagen:
        return True
    date = lesdagen.get(question.lesdag)
    if date is None:  # lesdag not planned (e.g. only 3 dates set): past if a later one is past
        later = [d for n, d in lesdagen.items() if n > question.lesdag]
        return bool(later) and min(later) <= today
    return date <= today


def next_box(box: int, verdict: Verdict) -> tuple[int, int]:
    """(new box, days until due) after an answer."""
    if verdict == "goed":
        new = min(box + 1, TOP_BOX)
        return new, INTERVALS[new]
    if verdict == "half":
        return box, HALF_INTERVAL
    return 1, INTERVALS[1]


class QuizSchedule:
    def __init__(self, db: Database, today: Callable[[], dt.date]) -> None:
        self.db = db
        self.today = today

    def progress(self, user_id: int) -> dict[str, Progress]:
        with self.db.session() as s:
            rows = s.scalars(select(QuizProgress).where(QuizProgress.user_id == user_id))
            return {r.question_id: Progress(r.box, r.due, r.right, r.missed) for r in rows}

    def pick(self, user_id: int, questions: list[QuizQuestion],
             lesdagen: Mapping[int, dt.date], only_due: bool) -> QuizQuestion | None:
        """The next question: new ones and due ones first (lowest box, oldest due, lesdag).

        With ``only_due`` False (on demand) and nothing due, the one due soonest is asked.
        """
        today = self.today()
        progress = self.progress(user_id)
        candidates = [q for q in questions if released(q, lesdagen, today)]
        if not candidates:
            return None

        def key(q: QuizQuestion) -> tuple[dt.date, int, int, str]:
            p = progress.get(q.id)
            if p is None:  # never asked: due today, box 0 (before reviews of the same day)
                return today, 0, q.lesdag, q.id
            return p.due, p.box, q.lesdag, q.id

        ordered = sorted(candidates, key=key)
        first = ordered[0]
        if only_due and key(first)[0] > today:
            return None
        return first

    def record(self, user_id: int, question_id: str, verdict: Verdict) -> Progress | None:
        """Store an answer's outcome; ``off-topic`` changes nothing (returns None)."""
        if verdict == "off-topic":
            return None
        today = self.today()
        with self.db.session() as s:
            row = s.get(QuizProgress, (user_id, question_id))
            if row is None:
                row = QuizProgress(user_id=user_id, question_id=question_id, box=1, due=today,
                                   last_verdict="", right=0, missed=0)
                s.add(row)
            box, days = next_box(row.box, verdict)
            row.box, row.due, row.last_verdict = box, today + dt.timedelta(days=days), verdict
            if verdict == "goed":
                row.right += 1
            else:
                row.missed += 1
            return Progress(row.box, row.due, row.right, row.missed)

    def most_missed(self, limit: int = 5,
                    user_ids: Collection[int] | None = None) -> list[tuple[str, int, int]]:
        """(question id, misses, participants), most misses first; over ``user_ids`` (a
        cohort's members) when given, else over all participants."""
        with self.db.session() as s:
            query = select(QuizProgress.question_id, func.sum(QuizProgress.missed),
                           func.count(QuizProgress.user_id))
            if user_ids is not None:
                query = query.where(QuizProgress.user_id.in_(list(user_ids)))
            rows = s.execute(
                query
                .group_by(QuizProgress.question_id)
                .having(func.sum(QuizProgress.missed) > 0)
                .order_by(func.sum(QuizProgress.missed).desc(), QuizProgress.question_id)
                .limit(limit)
            )
            return [(str(q), int(m), int(n)) for q, m, n in rows]
