"""Typed front matter of knowledge files (see docs/knowledge-format.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

Kind = Literal["lesstof", "voorbeeld", "casus", "opdracht", "cursusinfo"]
ResistanceType = Literal["niet-begrijpen", "niet-willen", "niet-kunnen", "niet-vertrouwen"]
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def check_slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError(f"id {value!r} is not a slug")
    return value


Slug = Annotated[str, AfterValidator(check_slug)]
"""An id of lowercase words joined by hyphens ('wijk-verkennen'): checklist items, scenarios,
practice questions."""


class FrontMatter(BaseModel):
    """Fields every Markdown knowledge file has. Extra keys are kept for kind-specific models."""

    model_config = ConfigDict(extra="allow")

    title: str = Field(min_length=1)
    theme: str = Field(min_length=1)
    topic: str = Field(min_length=1)
    kind: Kind
    tags: list[str] = Field(default_factory=list)
    summary: str = ""

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: object) -> object:
        if value is None:
            return []
        if isinstance(value, str):
            return [t.strip() for t in value.split(",") if t.strip()]
        return value


class CasusFields(BaseModel):
    model_config = ConfigDict(extra="ignore")

    stakeholder: str = Field(min_length=1)
    resistance_type: ResistanceType
    good_responses: list[str] = Field(min_length=1)
    poor_responses: list[str] = Field(min_length=1)


URL = re.compile(r"^https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d+)?(?:[/?#]\S*)?$")


class Bron(BaseModel):
    """A public page where the facts of a `voorbeeld` file can be checked."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    url: str

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("title is empty")
        return value.strip()

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not URL.match(value.strip()):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.strip()


class VoorbeeldFields(BaseModel):
    model_config = ConfigDict(extra="ignore")

    bronnen: list[Bron] = Field(min_length=1)


class ChecklistField(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Slug
    label: str = Field(min_length=1)
    help: str = ""
    min_words: int = Field(default=15, ge=0)
    min_items: int | None = Field(default=None, ge=1)
    item_noun: str = ""


class ChecklistEntry(ChecklistField):
    """A checklist item, or a group repeated ``repeat`` times over ``fields``."""

    repeat: int | None = Field(default=None, ge=1, le=10)
    fields: list[ChecklistField] = Field(default_factory=list)


class OpdrachtFields(BaseModel):
    model_config = ConfigDict(extra="ignore")

    assignment: int = Field(ge=1, le=4)
    checklist: list[ChecklistEntry] = Field(min_length=1)


@dataclass(frozen=True)
class ChecklistItem:
    """One concrete item after expanding repeated groups."""

    id: str
    label: str
    help: str
    min_words: int
    min_items: int | None
    item_noun: str
    group: str = ""
    """Heading of the repeated group this item belongs to (e.g. 'Partner 2'), or ''."""


def expand_checklist(entries: list[ChecklistEntry]) -> list[ChecklistItem]:
    items: list[ChecklistItem] = []
    for entry in entries:
        if entry.repeat and entry.fields:
            for n in range(1, entry.repeat + 1):
                group = entry.label.replace("{n}", str(n))
                for f in entry.fields:
                    items.append(
                        ChecklistItem(
                            id=f"{entry.id}-{n}-{f.id}",
                            label=f"{group} – {f.label}",
                            help=f.help,
                            min_words=f.min_words,
                            min_items=f.min_items,
                            item_noun=f.item_noun,
                            group=group,
                        )
                    )
        else:
            items.append(
                ChecklistItem(
                    id=entry.id,
                    label=entry.label,
                    help=entry.help,
                    min_words=entry.min_words,
                    min_items=entry.min_items,
                    item_noun=entry.item_noun,
                )
            )
    ids = [i.id for i in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate checklist ids: {', '.join(dupes)}")
    return items


@dataclass(frozen=True)
class KnowledgeFile:
    """A validated Markdown knowledge file."""

    path: str
    """Path relative to the knowledge directory, POSIX style."""
    front: FrontMatter
    body: str
    sha256: str
    casus: CasusFields | None = None
    opdracht: OpdrachtFields | None = None
    voorbeeld: VoorbeeldFields | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.front.title

    @property
    def topic(self) -> str:
        return self.front.topic

    @property
    def kind(self) -> str:
        return self.front.kind
