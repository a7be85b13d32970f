"""A participant's own lesdagen: /lesdagen and the answer to "wanneer moet opdracht 3 af?".

The dates are the trainer's (`CourseCalendar`, per cohort); what happens on each lesdag and
which assignment follows it comes from ``knowledge/cursus/lesdagen.yaml`` (the plan of
cursusinformatie.md), as do the words that make a question a date question. The bot never
invents a deadline: the hand-in date is agreed with the trainer. No Telegram here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.assignments.texts import format_date
from bot.reminders import texts
from bot.reminders.calendar import CourseCalendar, first_lesdag_from
from bot.store.db import Database
from bot.store.participants import ParticipantStore

PLAN_FILE = "cursus/lesdagen.yaml"
"""Relative to the knowledge folder."""

_PUNCT = re.compile(r"[^\w'’]+")


@dataclass(frozen=True)
class PlannedLesdag:
    """One lesdag of the plan: its topic, the assignments you work on afterwards and the
    assignments discussed on it."""

    number: int
    topic: str
    work_on: tuple[int, ...] = ()
    discuss: tuple[int, ...] = ()


@dataclass(frozen=True)
class DateQuestion:
    """What a date question asks about: a lesdag by number, an assignment, or the next lesdag
    (all None/False: the dates in general)."""

    lesdag: int | None = None
    assignment: int | None = None
    next: bool = False


def _normalise(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def _words(raw: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(_normalise(str(w)) for w in raw.get(key) or () if _normalise(str(w)))


def _has(text: str, phrases: tuple[str, ...]) -> bool:
    padded = f" {text} "
    return any(f" {p} " in padded for p in phrases)


@dataclass(frozen=True)
class LesdagPlan:
    """The plan and the words of a date question (``knowledge/cursus/lesdagen.yaml``)."""

    lesdagen: tuple[PlannedLesdag, ...] = ()
    when: tuple[str, ...] = ()
    about: tuple[str, ...] = ()
    intents: frozenset[str] = frozenset()
    lesdag_words: tuple[str, ...] = ()
    assignment_words: tuple[str, ...] = ()
    next_words: tuple[str, ...] = ()
    numbers: dict[str, int] = field(default_factory=dict)
    source: str = ""

    @classmethod
    def load(cls, knowledge_dir: Path) -> LesdagPlan:
        """The plan in ``knowledge_dir``; an empty plan (no date questions) without the file."""
        path = knowledge_dir / PLAN_FILE
        if not path.is_file():
            return cls()
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: expected a mapping")
        lesdagen = tuple(
            PlannedLesdag(number=int(item["lesdag"]), topic=str(item.get("topic") or ""),
                          work_on=tuple(int(n) for n in item.get("work_on") or ()),
                          discuss=tuple(int(n) for n in item.get("discuss") or ()))
            for item in raw.get("plan") or ())
        numbers = {_normalise(str(k)): int(v) for k, v in (raw.get("numbers") or {}).items()}
        return cls(lesdagen=tuple(sorted(lesdagen, key=lambda p: p.number)),
                   when=_words(raw, "when"), about=_words(raw, "about"),
                   intents=frozenset("" if i is None else str(i)
                                     for i in raw.get("intents") or ()),
                   lesdag_words=_words(raw, "lesdag_words"),
                   assignment_words=_words(raw, "assignment_words"),
                   next_words=_words(raw, "next_words"), numbers=numbers,
                   source=str(raw.get("source") or ""))

    def get(self, lesdag: int) -> PlannedLesdag | None:
        return next((p for p in self.lesdagen if p.number == lesdag), None)

    def work_after(self, assignment: int) -> int | None:
        """The lesdag after which you work on ``assignment``."""
        return next((p.number for p in self.lesdagen if assignment in p.work_on), None)

    def discussed_on(self, assignment: int) -> int | None:
        """The first lesdag after the work starts on which ``assignment`` is discussed."""
        start = self.work_after(assignment) or 0
        return next((p.number for p in self.lesdagen
                     if assignment in p.discuss and p.number > start), None)

    def _number_after(self, text: str, words: tuple[str, ...]) -> int | None:
        """'lesdag 3', 'opdr 2', 'session four', 'de derde lesdag', '3e les' -> the number."""
        if not words:
            return None
        names = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        values = "|".join(re.escape(w) for w in sorted(self.numbers, key=len, reverse=True))
        number = rf"(\d{{1,2}}|{values})" if values else r"(\d{1,2})"
        after = re.search(rf"\b(?:{names})s?\s+(?:nr\s+|nummer\s+|number\s+)?{number}\b", text)
        before = re.search(rf"\b{number}(?:e|de|ste|st|nd|rd|th)?\s+(?:{names})\b", text)
        for match in (after, before):
            if match is not None:
                value = match.group(1)
                return int(value) if value.isdigit() else self.numbers[value]
        return None

    def date_question(self, question: str, intent: str,
                      assignment: int | None = None) -> DateQuestion | None:
        """The date question in ``question`` (None: it does not ask *when* about the course).

        A date question has a *when* phrase and a course-calendar word, and its answer has one
        of the plan's intents (course logistics, an assignment, not in the material): "wanneer
        gebruik je een draaiboek?" is about the subject, "wanneer is lesdag 4?" about the
        calendar. ``assignment`` is the assignment the answer is about ("wanneer moet ik mijn
        omgevingsanalyse inleveren?"), used when the question names no number.
        """
        text = _normalise(question)
        if intent not in self.intents or not _has(text, self.when) \
                or not _has(text, self.about):
            return None
        asked_assignment = self._number_after(text, self.assignment_words)
        lesdag = self._number_after(text, self.lesdag_words)
        if asked_assignment is None and lesdag is None:
            asked_assignment = assignment
        return DateQuestion(lesdag=lesdag, assignment=asked_assignment,
                            next=_has(text, self.next_words))


def _assignments(numbers: tuple[int, ...], all_count: int) -> str:
    if len(numbers) > 1 and len(numbers) == all_count:
        return texts.ASSIGNMENTS_ALL
    if len(numbers) == 1:
        return texts.ASSIGNMENT_ONE.format(n=numbers[0])
    return texts.ASSIGNMENTS_MANY.format(first=", ".join(str(n) for n in numbers[:-1]),
                                         last=numbers[-1])


class CourseSchedule:
    """The lesdagen of a participant's cohort, in Dutch, with the plan of each lesdag."""

    def __init__(self, db: Database, plan: LesdagPlan, today: Callable[[int], dt.date],
                 calendar: CourseCalendar | None = None) -> None:
        """``today(user_id)`` is the participant's local date (their own time zone)."""
        self.plan = plan
        self.today = today
        self.calendar = calendar or CourseCalendar(db)
        self.participants = ParticipantStore(db)

    def dates(self, user_id: int) -> dict[int, dt.date]:
        """The lesdagen of the participant's cohort (no cohort: the default cohort)."""
        participant = self.participants.get(user_id)
        return self.calendar.dates(participant.cohort_id if participant is not None else None)

    # Texts ------------------------------------------------------------------------------------
    def _all_assignments(self) -> int:
        return len({n for p in self.plan.lesdagen for n in (*p.work_on, *p.discuss)})

    def _what(self, lesdag: int) -> str:
        """'Topic. Daarna werk je aan opdracht 1.' for a planned lesdag, else ''."""
        planned = self.plan.get(lesdag)
        if planned is None:
            return ""
        parts = [planned.topic.rstrip(".") + "."] if planned.topic else []
        count = self._all_assignments()
        if planned.work_on:
            parts.append(texts.SCHEDULE_WORK_ON.format(
                assignments=_assignments(planned.work_on, count)))
        if planned.discuss:
            parts.append(texts.SCHEDULE_DISCUSS.format(
                assignments=_assignments(planned.discuss, count)))
        return " ".join(parts)

    @staticmethod
    def _when(day: dt.date, today: dt.date) -> str:
        days = (day - today).days
        if days < 0:
            return texts.SCHEDULE_WHEN_PAST
        if days == 0:
            return texts.SCHEDULE_WHEN_TODAY
        if days == 1:
            return texts.SCHEDULE_WHEN_TOMORROW
        return texts.SCHEDULE_WHEN_DAYS.format(days=days)

    def _lines(self, dates: dict[int, dt.date], today: dt.date) -> list[str]:
        if not dates:
            return [texts.SCHEDULE_PLAN_LINE.format(n=p.number, topic=self._what(p.number))
                    for p in self.plan.lesdagen]
        numbers = sorted(set(dates) | {p.number for p in self.plan.lesdagen})
        return [texts.SCHEDULE_LINE.format(
            n=n, date=format_date(dates[n], weekday=True) if n in dates
            else texts.SCHEDULE_NO_DATE,
            when=self._when(dates[n], today) if n in dates else "")
            + (texts.SCHEDULE_WHAT.format(topic=what) if (what := self._what(n)) else "")
            for n in numbers]

    @staticmethod
    def _next(dates: dict[int, dt.date], today: dt.date) -> str:
        upcoming = first_lesdag_from(dates, today)
        if upcoming is None:
            return texts.SCHEDULE_ALL_PAST
        n, day = upcoming
        days = (day - today).days
        date = format_date(day, weekday=True)
        if days == 0:
            return texts.SCHEDULE_NEXT_TODAY.format(n=n)
        if days == 1:
            return texts.SCHEDULE_NEXT_TOMORROW.format(n=n, date=date)
        return texts.SCHEDULE_NEXT_DAYS.format(n=n, date=date, days=days)

    def _on(self, lesdag: int, dates: dict[int, dt.date]) -> str:
        day = dates.get(lesdag)
        return texts.SCHEDULE_ON_DATE.format(date=format_date(day, weekday=True)) if day else ""

    def _assignment_line(self, number: int, dates: dict[int, dt.date]) -> str:
        parts = []
        after, discuss = self.plan.work_after(number), self.plan.discussed_on(number)
        if after is not None:
            parts.append(texts.SCHEDULE_ASSIGNMENT_AFTER.format(n=after,
                                                                date=self._on(after, dates)))
        if discuss is not None:
            parts.append(texts.SCHEDULE_ASSIGNMENT_DISCUSS.format(n=discuss,
                                                                  date=self._on(discuss, dates)))
        if not parts:
            return ""
        return texts.SCHEDULE_ASSIGNMENT.format(n=number) + "; ".join(parts) + "."

    def _focus(self, question: DateQuestion, dates: dict[int, dt.date],
               today: dt.date) -> list[str]:
        lines = []
        if question.assignment is not None:
            line = self._assignment_line(question.assignment, dates)
            if line:
                lines.append(line)
        if question.lesdag is not None and dates:
            day = dates.get(question.lesdag)
            lines.append(texts.SCHEDULE_LESDAG_UNSET.format(n=question.lesdag) if day is None
                         else texts.SCHEDULE_LESDAG.format(
                             n=question.lesdag, date=format_date(day, weekday=True),
                             when=self._when(day, today)))
        elif dates:
            lines.append(self._next(dates, today))
        return lines

    def overview(self, user_id: int) -> str:
        """/lesdagen: the cohort's dates with what happens on each lesdag and the next one."""
        return self.answer(user_id, DateQuestion())

    def answer(self, user_id: int, question: DateQuestion) -> str:
        """The dates for a date question: its answer first, then every lesdag."""
        dates, today = self.dates(user_id), self.today(user_id)
        head = [texts.SCHEDULE_HEADER] if dates else [texts.SCHEDULE_NOT_SET]
        blocks = ["\n".join([*head, *self._focus(question, dates, today)]),
                  "\n".join(self._lines(dates, today))]
        blocks.append(texts.SCHEDULE_DEADLINE if question.assignment is not None
                      else texts.SCHEDULE_ASK_TRAINER)
        return "\n\n".join(b for b in blocks if b)
