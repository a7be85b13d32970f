"""The assignment checklist per participant: answers, done flags, progress, checks and exports.

Knows nothing about Telegram. Every write commits immediately (see `bot.store.db`).
Errors meant for the participant are raised as `AssignmentError` with a Dutch message.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.assignments import checks, export, texts
from bot.assignments.models import Assignment, Status, field_label
from bot.knowledge.models import ChecklistItem
from bot.store.db import AssignmentAnswer, Database, Participant

MAX_ANSWER_CHARS = 4000
"""Longest answer we store per item (a Telegram message holds 4096 characters)."""
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters other than tab and newline: invalid in .docx XML, never meaningful."""


class AssignmentError(Exception):
    """An error whose message is meant for the participant (Dutch)."""


def progress_bar(done: int, total: int, width: int = 4) -> str:
    """'▰▰▱▱ 2/4'. One cell per item up to ``width`` items, scaled to ``width`` cells above.

    Scaling never shows a full bar before everything is done, nor an empty bar once something
    is done; the exact counts always follow the bar.
    """
    if total <= 0:
        return "0/0"
    done = max(0, min(done, total))
    cells = min(total, max(1, width))
    filled = round(done * cells / total)
    if done and not filled:
        filled = 1
    if done < total and filled == cells:
        filled = cells - 1
    return f"{texts.BAR_FULL * filled}{texts.BAR_EMPTY * (cells - filled)} {done}/{total}"


def clean_text(text: str) -> str:
    """Normalise line ends, drop control characters and surrounding whitespace."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_CHARS.sub("", text).strip()


@dataclass(frozen=True)
class ItemState:
    item: ChecklistItem
    status: Status


@dataclass(frozen=True)
class AssignmentProgress:
    """One assignment in a participant's overview."""

    assignment: Assignment
    done: int
    total: int
    items: tuple[ItemState, ...]

    @property
    def bar(self) -> str:
        return progress_bar(self.done, self.total)


@dataclass(frozen=True)
class ItemView:
    """One checklist item with the participant's answer and the check result."""

    assignment: Assignment
    item: ChecklistItem
    position: int
    """1-based position in the checklist."""
    answer: str
    done: bool
    status: Status
    check: tuple[str, ...]
    """Dutch messages of what is still missing; empty when the answer looks complete."""
    updated_at: dt.datetime | None

    @property
    def field_label(self) -> str:
        return field_label(self.item)


@dataclass(frozen=True)
class NextItem:
    """The next open item, with the progress of its assignment (for reminders)."""

    assignment: Assignment
    item: ChecklistItem
    done: int
    total: int


def _status(row: AssignmentAnswer | None) -> Status:
    if row is None:
        return "leeg"
    if row.done:
        return "klaar"
    return "bezig" if row.text.strip() else "leeg"


class AssignmentService:
    def __init__(
        self,
        db: Database,
        assignments: Sequence[Assignment],
        *,
        timezone: str = "Europe/Amsterdam",
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        """``timezone`` and ``clock`` (aware UTC now) only set the date printed in exports."""
        self.db = db
        self.assignments = sorted(assignments, key=lambda a: a.number)
        self._by_number = {a.number: a for a in self.assignments}
        self._tz = zoneinfo.ZoneInfo(timezone)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    # Lookup ------------------------------------------------------------------------------------
    def get(self, n: int) -> Assignment:
        try:
            return self._by_number[n]
        except KeyError:
            choices = ", ".join(str(a.number) for a in self.assignments) or "-"
            raise AssignmentError(texts.UNKNOWN_ASSIGNMENT.format(n=n, choices=choices)) from None

    def _item(self, n: int, item_id: str) -> tuple[Assignment, ChecklistItem]:
        assignment = self.get(n)
        item = assignment.get(item_id)
        if item is None:
            raise AssignmentError(texts.UNKNOWN_ITEM.format(n=n))
        return assignment, item

    def _rows(self, s: Session, user_id: int, n: int | None = None) -> list[AssignmentAnswer]:
        query = select(AssignmentAnswer).where(AssignmentAnswer.user_id == user_id)
        if n is not None:
            query = query.where(AssignmentAnswer.assignment == n)
        return list(s.scalars(query))

    def _answers(self, user_id: int,
                 n: int | None = None) -> dict[tuple[int, str], AssignmentAnswer]:
        with self.db.session() as s:
            return {(r.assignment, r.item_id): r for r in self._rows(s, user_id, n)}

    def _view(self, assignment: Assignment, item: ChecklistItem,
              row: AssignmentAnswer | None) -> ItemView:
        text = row.text if row is not None else ""
        return ItemView(
            assignment=assignment,
            item=item,
            position=assignment.index(item.id) + 1,
            answer=text,
            done=bool(row and row.done),
            status=_status(row),
            check=tuple(checks.check(item, text)),
            updated_at=row.updated_at if row is not None else None,
        )

    # Reading -----------------------------------------------------------------------------------
    def progress(self, user_id: int, n: int) -> AssignmentProgress:
        return self._progress(self.get(n), self._answers(user_id, n))

    def _progress(self, assignment: Assignment,
                  answers: dict[tuple[int, str], AssignmentAnswer]) -> AssignmentProgress:
        states = tuple(
            ItemState(item, _status(answers.get((assignment.number, item.id))))
            for item in assignment.items
        )
        done = sum(1 for st in states if st.status == "klaar")
        return AssignmentProgress(assignment, done, len(states), states)

    def overview(self, user_id: int) -> list[AssignmentProgress]:
        """Progress of every assignment, in assignment order (one query)."""
        answers = self._answers(user_id)
        return [self._progress(a, answers) for a in self.assignments]

    def item(self, user_id: int, n: int, item_id: str) -> ItemView:
        assignment, item = self._item(n, item_id)
        with self.db.session() as s:
            row = s.get(AssignmentAnswer, (user_id, n, item_id))
        return self._view(assignment, item, row)

    def next_open(self, user_id: int) -> NextItem | None:
        """The next item that is not ticked off, or None when everything is done.

        Prefers the assignment the participant worked on last (if it still has open items),
        otherwise the first assignment with open items; within an assignment the first open
        item in checklist order.
        """
        answers = self._answers(user_id)
        order = list(self.assignments)
        if answers:
            latest = max(answers.values(), key=lambda r: (r.updated_at, -r.assignment))
            current = self._by_number.get(latest.assignment)
            if current is not None:
                order.remove(current)
                order.insert(0, current)
        for assignment in order:
            progress = self._progress(assignment, answers)
            for state in progress.items:
                if state.status != "klaar":
                    return NextItem(assignment, state.item, progress.done, progress.total)
        return None

    def check_assignment(self, user_id: int, n: int) -> list[str]:
        """One Dutch line per missing or too thin item, in checklist order ([] = complete)."""
        assignment = self.get(n)
        answers = self._answers(user_id, n)
        lines: list[str] = []
        for item in assignment.items:
            row = answers.get((n, item.id))
            lines.extend(checks.brief(item, row.text if row is not None else ""))
        return lines

    # Writing -----------------------------------------------------------------------------------
    def save_answer(self, user_id: int, n: int, item_id: str, text: str) -> ItemView:
        """Store ``text`` as the answer (replacing the previous one); keeps the done flag."""
        assignment, item = self._item(n, item_id)
        text = clean_text(text)
        if not text:
            raise AssignmentError(texts.ANSWER_EMPTY)
        if len(text) > MAX_ANSWER_CHARS:
            raise AssignmentError(texts.ANSWER_TOO_LONG.format(length=len(text),
                                                               limit=MAX_ANSWER_CHARS))
        with self.db.session() as s:
            row = s.get(AssignmentAnswer, (user_id, n, item_id))
            if row is None:
                row = AssignmentAnswer(user_id=user_id, assignment=n, item_id=item_id,
                                       text=text, done=False)
                s.add(row)
            else:
                row.text = text
            s.flush()
        return self._view(assignment, item, row)

    def set_done(self, user_id: int, n: int, item_id: str, done: bool) -> ItemView:
        """Tick an item off (or back on). Allowed without an answer: the participant decides;
        `ItemView.check` still says honestly what is missing."""
        assignment, item = self._item(n, item_id)
        with self.db.session() as s:
            row = s.get(AssignmentAnswer, (user_id, n, item_id))
            if row is None:
                row = AssignmentAnswer(user_id=user_id, assignment=n, item_id=item_id,
                                       text="", done=done)
                s.add(row)
            else:
                row.done = done
            s.flush()
        return self._view(assignment, item, row)

    def reset(self, user_id: int) -> int:
        """Delete all answers of a participant (for /vergeet). Returns the number deleted."""
        with self.db.session() as s:
            result = s.execute(delete(AssignmentAnswer)
                               .where(AssignmentAnswer.user_id == user_id))
            return int(getattr(result, "rowcount", 0) or 0)

    # Export ------------------------------------------------------------------------------------
    def _export_data(self, user_id: int, n: int) -> export.ExportData:
        assignment = self.get(n)
        answers = self._answers(user_id, n)
        with self.db.session() as s:
            participant = s.get(Participant, user_id)
            name = ""
            if participant is not None:
                name = participant.first_name or (
                    f"@{participant.username}" if participant.username else "")
        today = self._clock().astimezone(self._tz).date()
        return export.ExportData(
            assignment=assignment,
            answers={item_id: row.text for (_, item_id), row in answers.items()},
            name=name,
            date=today,
        )

    def export_markdown(self, user_id: int, n: int) -> str:
        return export.to_markdown(self._export_data(user_id, n))

    def export_docx(self, user_id: int, n: int) -> bytes:
        return export.to_docx(self._export_data(user_id, n))

    def export_filename(self, n: int, extension: str) -> str:
        """A safe file name such as 'opdracht-3-partners.docx'."""
        return f"{self.get(n).topic}.{extension.lstrip('.')}"
