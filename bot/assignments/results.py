"""What the assignment service returns: plain, frozen dataclasses (no ORM rows), its error and
the progress bar. Adapters render these; they never see the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.assignments import texts
from bot.assignments.checks import Review
from bot.assignments.models import Assignment, Status, field_label
from bot.knowledge.models import ChecklistItem


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


@dataclass(frozen=True)
class ItemState:
    item: ChecklistItem
    status: Status
    review: Review


@dataclass(frozen=True)
class AssignmentProgress:
    """One assignment in a participant's overview."""

    assignment: Assignment
    done: int
    """Items ticked off (afgevinkt)."""
    total: int
    items: tuple[ItemState, ...]
    filled: int = 0
    """Items with an answer (ingevuld)."""
    in_order: int = 0
    """Items with an answer and no open warnings (in orde)."""

    @property
    def ready(self) -> int:
        """Items in orde or ticked off: what the bar shows."""
        return sum(1 for s in self.items if s.status in ("in_orde", "afgevinkt"))

    @property
    def bar(self) -> str:
        return progress_bar(self.ready, self.total)

    @property
    def counts(self) -> str:
        """'10/10 ingevuld · 8 in orde · 2 afgevinkt'."""
        return texts.PROGRESS_COUNTS.format(filled=self.filled, total=self.total,
                                            in_order=self.in_order, ticked=self.done)


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
    """Dutch messages of what is still missing; empty when the answer is in orde."""
    updated_at: dt.datetime | None
    advice: tuple[str, ...] = ()
    """Tips beyond the course description (never make an item 'not in orde')."""

    @property
    def field_label(self) -> str:
        return field_label(self.item)


@dataclass(frozen=True)
class NextItem:
    """The first item that is not in orde (for reminders), with its assignment's progress."""

    assignment: Assignment
    item: ChecklistItem
    done: int
    """Items in orde or ticked off."""
    total: int
