"""Practice questions ("Oefenvraag van de dag"): the YAML files in ``knowledge/quiz/``.

One file per theme (docs/knowledge-format.md, "Quiz questions"). A bad file or question is
reported as ``path: reason`` and skipped, like the other knowledge loaders do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.knowledge.loader import LoadError, validation_reason
from bot.knowledge.models import Slug
from bot.knowledge.taxonomy import Taxonomy

QUIZ_DIR = "quiz"
MAX_LESDAG = 4


class KeyPoint(BaseModel):
    """A phrase a good answer contains; ``text`` occurs in the source section."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=80)
    also: list[str] = Field(default_factory=list)
    """Synonyms or other wordings that count as this key point."""


class QuizQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: Slug
    lesdag: int = Field(ge=1, le=MAX_LESDAG)
    topic: str
    source: str
    """Knowledge file, relative to knowledge/ (e.g. ``lesstof/netwerken.md``)."""
    section: str = Field(min_length=1)
    """A ``## `` heading of the source file."""
    question: str = Field(min_length=5, max_length=300)
    key_points: list[KeyPoint] = Field(min_length=1)
    needed: int | None = Field(default=None, ge=1)
    """How many key points make a complete answer; default: all."""
    model_answer: str = Field(min_length=10, max_length=600)
    theme: str = ""

    @field_validator("key_points", mode="before")
    @classmethod
    def _plain_strings(cls, value: object) -> object:
        if isinstance(value, list):
            return [{"text": v} if isinstance(v, str) else v for v in value]
        return value

    @property
    def required(self) -> int:
        return min(self.needed or len(self.key_points), len(self.key_points))


class QuizFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    theme: str
    questions: list[QuizQuestion] = Field(min_length=1)


@dataclass
class QuizBank:
    questions: list[QuizQuestion] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)

    def get(self, question_id: str) -> QuizQuestion | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def by_theme(self) -> dict[str, list[QuizQuestion]]:
        out: dict[str, list[QuizQuestion]] = {}
        for q in self.questions:
            out.setdefault(q.theme, []).append(q)
        return out


def normalise_markdown(text: str) -> str:
    """Lower-case text without Markdown emphasis, links targets and extra whitespace."""
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"[*_`\[\]]", "", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def section_text(markdown: str, heading: str) -> str | None:
    """The text under ``## heading`` up to the next ``## `` heading, or None."""
    lines = markdown.split("\n")
    start = None
    for i, line in enumerate(lines):
        if line.startswith("## ") and line[3:].strip() == heading.strip():
            start = i + 1
            break
    if start is None:
        return None
    end = next((j for j in range(start, len(lines)) if lines[j].startswith("## ")), len(lines))
    return "\n".join(lines[start:end])


def load_quiz(knowledge_dir: Path, taxonomy: Taxonomy | None = None) -> QuizBank:
    """Load every ``knowledge/quiz/*.yaml``; checks topics, sources, sections and key points."""
    taxonomy = taxonomy or Taxonomy.load(knowledge_dir)
    bank = QuizBank()
    seen: set[str] = set()
    for path in sorted((knowledge_dir / QUIZ_DIR).glob("*.yaml")):
        rel = path.relative_to(knowledge_dir).as_posix()
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            quiz = QuizFile.model_validate(raw)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            bank.errors.append(LoadError(rel, 1, f"cannot read quiz file: {exc}"))
            continue
        except ValidationError as exc:
            bank.errors.append(LoadError(rel, 1, validation_reason(exc)[2]))
            continue
        if quiz.theme not in taxonomy.theme_labels:
            bank.errors.append(LoadError(rel, 1, f"unknown theme '{quiz.theme}'"))
            continue
        for q in quiz.questions:
            reason = _problem(q, quiz.theme, knowledge_dir, taxonomy, seen)
            if reason:
                bank.errors.append(LoadError(rel, 1, f"question '{q.id}': {reason}"))
                continue
            seen.add(q.id)
            bank.questions.append(q.model_copy(update={"theme": quiz.theme}))
    return bank


def _problem(q: QuizQuestion, theme: str, knowledge_dir: Path, taxonomy: Taxonomy,
             seen: set[str]) -> str | None:
    if q.id in seen:
        return "duplicate id"
    if taxonomy.topic_theme.get(q.topic) != theme:
        return f"topic '{q.topic}' does not belong to theme '{theme}'"
    source = knowledge_dir / q.source
    if ".." in Path(q.source).parts or not source.is_file():
        return f"source '{q.source}' not found"
    section = section_text(source.read_text(encoding="utf-8"), q.section)
    if section is None:
        return f"section '{q.section}' not found in {q.source}"
    body = normalise_markdown(section)
    missing = [k.text for k in q.key_points if normalise_markdown(k.text) not in body]
    if missing:
        return f"key point(s) not in the source section: {', '.join(missing)}"
    return None
