"""The assignment checklist per participant: answers, done flags, progress, checks and exports.

Knows nothing about Telegram. Every write commits immediately (see `bot.store.db`).
Errors meant for the participant are raised as `AssignmentError` with a Dutch message.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.assignments import checks, export, texts
from bot.assignments.checks import Review
from bot.assignments.models import Assignment, Status
from bot.assignments.results import (
    AssignmentError,
    AssignmentProgress,
    ItemState,
    ItemView,
    NextItem,
)
from bot.knowledge.models import ChecklistItem
from bot.store.db import AssignmentAnswer, Database, Participant

MAX_LIBRARY_CHARS = 120
MAX_ANSWER_CHARS = 4000
"""Longest answer we store per item (a Telegram message holds 4096 characters)."""
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters other than tab and newline: invalid in .docx XML, never meaningful."""


def clean_text(text: str) -> str:
    """Normalise line ends, drop control characters and surrounding whitespace."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_CHARS.sub("", text).strip()


def _status(row: AssignmentAnswer | None, result: Review) -> Status:
    if row is not None and row.done:
        return "afgevinkt"
    if row is None or not row.text.strip():
        return "leeg"
    return "in_orde" if result.ok else "ingevuld"


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

    @staticmethod
    def _review(assignment: Assignment, item: ChecklistItem, text: str) -> Review:
        return checks.review(item, text, assignment.criteria_for(item),
                             assignment.criteria.lexicons)

    def _view(self, assignment: Assignment, item: ChecklistItem,
              row: AssignmentAnswer | None) -> ItemView:
        text = row.text if row is not None else ""
        result = self._review(assignment, item, text)
        return ItemView(
            assignment=assignment,
            item=item,
            position=assignment.index(item.id) + 1,
            answer=text,
            done=bool(row and row.done),
            status=_status(row, result),
            check=tuple(f.message for f in result.warnings),
            updated_at=row.updated_at if row is not None else None,
            advice=tuple(f.message for f in result.advice),
        )

    # Reading -----------------------------------------------------------------------------------
    def progress(self, user_id: int, n: int) -> AssignmentProgress:
        return self._progress(self.get(n), self._answers(user_id, n))

    def _progress(self, assignment: Assignment,
                  answers: dict[tuple[int, str], AssignmentAnswer]) -> AssignmentProgress:
        states: list[ItemState] = []
        filled = in_order = 0
        for item in assignment.items:
            row = answers.get((assignment.number, item.id))
            text = row.text if row is not None else ""
            result = self._review(assignment, item, text)
            states.append(ItemState(item, _status(row, result), result))
            if text.strip():
                filled += 1
                in_order += result.ok
        done = sum(1 for st in states if st.status == "afgevinkt")
        return AssignmentProgress(assignment, done, len(states), tuple(states), filled, in_order)

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
        """The first item that is not in orde (and not ticked off), or None when all are.

        Prefers the assignment the participant worked on last (if it still has such items),
        otherwise the first assignment with one; within an assignment checklist order.
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
                if state.status not in ("in_orde", "afgevinkt"):
                    return NextItem(assignment, state.item, progress.ready, progress.total)
        return None

    def check_assignment(self, user_id: int, n: int) -> list[str]:
        """One Dutch line per open warning, in checklist order ([] = everything in orde)."""
        assignment = self.get(n)
        answers = self._answers(user_id, n)
        headings = self.group_headings(assignment, {
            item_id: row.text for (_, item_id), row in answers.items()})
        lines: list[str] = []
        for item in assignment.items:
            row = answers.get((n, item.id))
            result = self._review(assignment, item, row.text if row is not None else "")
            lines.extend(checks.brief(item, result, headings.get(item.group)))
        return lines

    @staticmethod
    def group_headings(assignment: Assignment, answers: dict[str, str]) -> dict[str, str]:
        """'Partner 2' -> 'Partner 2: Welzijn Noord' when the choice names the partners."""
        if not assignment.groups:
            return {}
        names = checks.partner_names(answers)
        headings: dict[str, str] = {}
        for i, group in enumerate(assignment.groups):
            name = names[i] if i < len(names) else ""
            headings[group] = texts.GROUP_WITH_NAME.format(group=group, name=name) \
                if name else group
        return headings

    # Writing -----------------------------------------------------------------------------------
    def save_answer(self, user_id: int, n: int, item_id: str, text: str,
                    message_id: int | None = None) -> ItemView:
        """Store ``text`` as the answer (replacing the previous one); keeps the done flag.

        ``message_id`` is the chat message the answer came from: editing that message later
        updates the answer (`update_from_edit`).
        """
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
            row.message_id = message_id
            s.flush()
        return self._view(assignment, item, row)

    def answer_for_message(self, user_id: int, message_id: int) -> tuple[int, str] | None:
        """(assignment, item id) of the answer that came from ``message_id``, if any."""
        with self.db.session() as s:
            row = s.scalars(select(AssignmentAnswer).where(
                AssignmentAnswer.user_id == user_id,
                AssignmentAnswer.message_id == message_id)).first()
            return (row.assignment, row.item_id) if row is not None else None

    def update_from_edit(self, user_id: int, message_id: int, text: str) -> ItemView | None:
        """The participant edited the message an answer came from: store the new text.

        None when ``message_id`` was no answer (or its item no longer exists).
        """
        found = self.answer_for_message(user_id, message_id)
        if found is None:
            return None
        n, item_id = found
        try:
            self._item(n, item_id)
        except AssignmentError:
            return None
        return self.save_answer(user_id, n, item_id, text, message_id=message_id)

    # Library name (shown on exports) -----------------------------------------------------------
    def library(self, user_id: int) -> str:
        with self.db.session() as s:
            participant = s.get(Participant, user_id)
            return participant.library if participant is not None else ""

    def set_library(self, user_id: int, name: str) -> str:
        """Store the participant's library ('' clears it). Returns the cleaned name."""
        name = " ".join(clean_text(name).split())
        if len(name) > MAX_LIBRARY_CHARS:
            raise AssignmentError(texts.LIBRARY_TOO_LONG.format(limit=MAX_LIBRARY_CHARS))
        with self.db.session() as s:
            participant = s.get(Participant, user_id)
            if participant is None:
                participant = Participant(user_id=user_id, chat_id=None)
                s.add(participant)
            participant.library = name
        return name

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
        """Everything an export shows; refuses an assignment without any answer."""
        assignment = self.get(n)
        answers = self._answers(user_id, n)
        texts_by_item = {item_id: row.text for (_, item_id), row in answers.items()
                         if row.text.strip()}
        if not texts_by_item:
            raise AssignmentError(texts.EXPORT_EMPTY.format(n=n))
        with self.db.session() as s:
            participant = s.get(Participant, user_id)
            name = library = ""
            if participant is not None:
                name = participant.first_name or (
                    f"@{participant.username}" if participant.username else "")
                library = participant.library
        today = self._clock().astimezone(self._tz).date()
        warnings = {}
        for item in assignment.items:
            result = self._review(assignment, item, texts_by_item.get(item.id, ""))
            if item.id in texts_by_item and not result.ok:
                warnings[item.id] = tuple(f.message for f in result.warnings)
        return export.ExportData(
            assignment=assignment,
            answers=texts_by_item,
            name=name,
            library=library,
            date=today,
            headings=self.group_headings(assignment, texts_by_item),
            warnings=warnings,
        )

    def export_markdown(self, user_id: int, n: int) -> str:
        return export.to_markdown(self._export_data(user_id, n))

    def export_docx(self, user_id: int, n: int) -> bytes:
        return export.to_docx(self._export_data(user_id, n))

    def export_filename(self, n: int, extension: str) -> str:
        """A safe file name such as 'opdracht-3-partners.docx'."""
        return f"{self.get(n).topic}.{extension.lstrip('.')}"

    def write_exports(self, user_id: int, n: int, directory: Path) -> list[Path]:
        """Write the .docx and .md of assignment ``n`` into ``directory`` (created 0700).

        For adapters that hand out files (the terminal chat): never the working directory.
        """
        data = self._export_data(user_id, n)
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        paths = []
        for ext, content in (("docx", export.to_docx(data)),
                             ("md", export.to_markdown(data).encode("utf-8"))):
            path = directory / f"{user_id}-{self.export_filename(n, ext)}"
            path.write_bytes(content)
            path.chmod(0o600)
            paths.append(path)
        return paths
