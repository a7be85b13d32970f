"""Assignments as data: built from the ``kind: opdracht`` knowledge files."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.assignments.criteria import EMPTY, Criteria, ItemCriteria, load_criteria
from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import ChecklistItem, KnowledgeFile, expand_checklist

log = logging.getLogger(__name__)

Status = Literal["leeg", "ingevuld", "in_orde", "afgevinkt"]
"""leeg = no answer; ingevuld = answered, checks still see something missing; in_orde =
answered and the checks are satisfied; afgevinkt = ticked off by the participant."""

GROUP_SEPARATOR = " – "
"""Separator `expand_checklist` puts between the group heading and the field label."""


def field_label(item: ChecklistItem) -> str:
    """The label without its group prefix: 'Partner 2 – Wat levert…' -> 'Wat levert…'."""
    prefix = f"{item.group}{GROUP_SEPARATOR}"
    if item.group and item.label.startswith(prefix):
        return item.label[len(prefix):]
    return item.label


@dataclass(frozen=True)
class Section:
    """A run of checklist items under one heading: a repeated group, or one ungrouped item."""

    heading: str
    """Group heading ('Partner 1') or, for an ungrouped item, the item label."""
    group: bool
    items: tuple[ChecklistItem, ...]


@dataclass(frozen=True)
class Assignment:
    number: int
    title: str
    topic: str
    path: str
    """Knowledge file path, relative to the knowledge directory."""
    items: tuple[ChecklistItem, ...]
    groups: tuple[str, ...]
    """Headings of the repeated groups in checklist order, e.g. ('Partner 1', 'Partner 2')."""
    criteria: Criteria = field(default=EMPTY, compare=False, hash=False, repr=False)
    """Quality criteria from knowledge/opdrachten/controles.yaml (shared by all assignments)."""

    def criteria_for(self, item: ChecklistItem) -> ItemCriteria | None:
        return self.criteria.for_item(self.number, item.id)

    @property
    def heading(self) -> str:
        """'Opdracht 3: selecteer…' (the title already names the number in our files)."""
        if re.match(rf"^\s*opdracht\s+{self.number}\b", self.title, re.IGNORECASE):
            return self.title
        return f"Opdracht {self.number}: {self.title}"

    def get(self, item_id: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    def index(self, item_id: str) -> int:
        """0-based checklist position of ``item_id`` (ValueError if unknown)."""
        for pos, item in enumerate(self.items):
            if item.id == item_id:
                return pos
        raise ValueError(item_id)

    def sections(self) -> list[Section]:
        """Items in checklist order, grouped under their headings (for exports)."""
        sections: list[Section] = []
        for item in self.items:
            if item.group and sections and sections[-1].group and \
                    sections[-1].heading == item.group:
                last = sections[-1]
                sections[-1] = Section(last.heading, True, (*last.items, item))
            elif item.group:
                sections.append(Section(item.group, True, (item,)))
            else:
                sections.append(Section(item.label, False, (item,)))
        return sections


def assignment_from_file(file: KnowledgeFile, criteria: Criteria = EMPTY) -> Assignment:
    if file.opdracht is None:
        raise ValueError(f"{file.path} is not an opdracht file")
    items = tuple(expand_checklist(file.opdracht.checklist))
    groups = tuple(dict.fromkeys(i.group for i in items if i.group))
    return Assignment(
        number=file.opdracht.assignment,
        title=file.title,
        topic=file.topic,
        path=file.path,
        items=items,
        groups=groups,
        criteria=criteria,
    )


def assignments_from_files(files: Iterable[KnowledgeFile],
                           criteria: Criteria = EMPTY) -> list[Assignment]:
    """All opdracht files as assignments, sorted by number; a duplicate number keeps the first."""
    found: dict[int, Assignment] = {}
    for file in files:
        if file.opdracht is None:
            continue
        assignment = assignment_from_file(file, criteria)
        if assignment.number in found:
            log.warning("%s: assignment %d already defined in %s; ignored", file.path,
                        assignment.number, found[assignment.number].path)
            continue
        found[assignment.number] = assignment
    return [found[n] for n in sorted(found)]


def load_assignments(knowledge_dir: Path) -> list[Assignment]:
    """Load the assignments from ``knowledge_dir``; invalid files are logged and skipped."""
    result = load_knowledge(knowledge_dir)
    for error in result.errors:
        if error.path.startswith("opdrachten/"):
            log.warning("assignment file skipped: %s", error)
    return assignments_from_files(result.files, load_criteria(knowledge_dir))
