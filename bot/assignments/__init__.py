"""Assignment checklists (opdrachten): answers, progress, checks and exports. No Telegram here."""

from bot.assignments.checks import check, count_words, split_entries
from bot.assignments.models import Assignment, Section, Status, field_label, load_assignments
from bot.assignments.results import (
    AssignmentError,
    AssignmentProgress,
    ItemState,
    ItemView,
    NextItem,
    progress_bar,
)
from bot.assignments.service import MAX_ANSWER_CHARS, AssignmentService

__all__ = [
    "MAX_ANSWER_CHARS",
    "Assignment",
    "AssignmentError",
    "AssignmentProgress",
    "AssignmentService",
    "ItemState",
    "ItemView",
    "NextItem",
    "Section",
    "Status",
    "check",
    "count_words",
    "field_label",
    "load_assignments",
    "progress_bar",
    "split_entries",
]
