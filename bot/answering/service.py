"""Question answering: retrieval + grounded decision + extractive (or, when configured, LLM) answer.

Knows nothing about Telegram. Adapters call `AnswerService.ask` and render the `Answer`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from bot import texts
from bot.answering.extractive import extract_answer
from bot.answering.followup import AnswerContext
from bot.answering.social import asks_about_bot
from bot.knowledge.taxonomy import Taxonomy
from bot.retrieval.retriever import HybridRetriever, RetrievalResult
from bot.sanitize import clean_text

if TYPE_CHECKING:
    from bot.answering.composer import AnswerComposer
    from bot.answering.draft import Draft

MAX_QUESTION_CHARS = 1000
HAS_WORDS = re.compile(r"[^\W\d_]{2,}|\d")
"""A question has a word of two or more letters, or a number."""


class UserFacingError(Exception):
    """An error whose message is meant for the participant (Dutch)."""


@dataclass(frozen=True)
class Source:
    title: str
    topic: str
    kind: str
    path: str
    score: float
    section: str = ""
    topic_label: str = ""


@dataclass
class Answer:
    question: str
    answer: str
    grounded: bool
    sources: list[Source] = field(default_factory=list)
    retrieval: RetrievalResult | None = None
    generated: bool = False
    intent: str = ""
    """Recognised intent (definitie, stappen, ..., weerstand, buiten_scope); '' without model."""
    related: list[str] = field(default_factory=list)
    """Titles of related files ("Lees ook:"), never part of the body."""
    further: Source | None = None
    """Objection advice: the theory behind it (a non-casus file retrieval found), offered as
    "Meer hierover" but not listed as a source, because the body does not use it."""
    casus_path: str = ""
    """For objection advice: the casus it comes from ("📖 Hele casus")."""
    practice: str = ""
    """Role-play scenario id that practises this casus ("🎭 Oefen dit gesprek"), or ''."""
    assignment: int | None = None
    """For assignment answers: the assignment number (button to its checklist)."""
    context: AnswerContext | None = None
    """What a follow-up question needs; store it per participant."""
    social: bool = False
    """A greeting or a thank-you answered as such (bot.answering.social): no sources, no
    rating, not logged as a course question."""

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "grounded": self.grounded,
            "sources": [
                {k: v for k, v in asdict(s).items() if k in {"title", "topic", "kind", "path",
                                                          "score"}}
                for s in self.sources
            ],
        }


def clean_question(question: str) -> str:
    q = " ".join(clean_text(question).split())
    if not q:
        raise UserFacingError(texts.EMPTY_QUESTION)
    if not HAS_WORDS.search(q):  # ";;; <b>", "?!": nothing to look up or to follow up on
        raise UserFacingError(texts.NO_WORDS)
    if len(q) > MAX_QUESTION_CHARS:
        raise UserFacingError(texts.QUESTION_TOO_LONG.format(limit=MAX_QUESTION_CHARS))
    return q


class AnswerService:
    def __init__(self, retriever: HybridRetriever, taxonomy: Taxonomy, top_k: int = 5,
                 max_sources: int = 3, composer: AnswerComposer | None = None,
                 practice: dict[str, str] | None = None) -> None:
        self.retriever = retriever
        self.taxonomy = taxonomy
        self.top_k = top_k
        self.max_sources = max_sources
        self.composer = composer
        """Intent-aware answers from whole sections; None = the best passages (legacy)."""
        self.practice = practice or {}
        """casus path -> role-play scenario id."""

    def not_in_material(self) -> str:
        themes = [label for slug, label in self.taxonomy.theme_labels.items()
                  if slug not in {"opdrachten", "cursus"}]
        return texts.NOT_IN_MATERIAL.format(themes=", ".join(themes))

    def sources_for(self, result: RetrievalResult) -> list[Source]:
        return [
            Source(
                title=h.chunk.title,
                topic=h.chunk.topic,
                kind=h.chunk.kind,
                path=h.chunk.path,
                score=round(h.score, 4),
                section=h.chunk.section,
                topic_label=self.taxonomy.label(h.chunk.topic),
            )
            for h in result.files()[: self.max_sources]
        ]

    def retrieve(self, question: str) -> RetrievalResult:
        return self.retriever.retrieve(clean_question(question), k=self.top_k)

    def ask(self, question: str, context: AnswerContext | None = None) -> Answer:
        """Answer ``question``; ``context`` is the previous answer's (follow-ups)."""
        if self.composer is None:
            result = self.retrieve(question)
            if not result.grounded:
                return Answer(result.question, self.not_in_material(), False, [], result)
            text = extract_answer(result.hits)
            return Answer(result.question, text, True, self.sources_for(result), result)
        asked = clean_question(question)
        if asks_about_bot(asked):
            return self.from_draft(asked, self.composer.about_bot(asked, self.top_k))
        draft = self.composer.draft(asked, context, self.top_k)
        return self.from_draft(asked, draft)

    def from_draft(self, asked: str, draft: Draft) -> Answer:
        if not draft.grounded:
            return Answer(asked, self.not_in_material(), False, [], draft.result,
                          intent="buiten_scope")
        if not draft.text:
            text = extract_answer(draft.result.hits)
            return Answer(asked, text, True, self.sources_for(draft.result), draft.result,
                          intent=draft.intent, context=draft.context)
        scores = {h.chunk.path: h.score for h in draft.result.files()}
        sources = [
            Source(title=d.title, topic=d.topic, kind=d.kind, path=d.path,
                   score=round(scores.get(d.path, 0.0), 4),
                   section=draft.section_keys[0] if i == 0 and draft.section_keys else
                   (d.sections[0].key if d.sections else ""),
                   topic_label=self.taxonomy.label(d.topic))
            for i, d in enumerate(draft.docs)
        ]
        # Only the files the body comes from: a source the text does not use misleads.
        sources = sources[: self.max_sources]
        used = {src.path for src in sources}
        further = next((src for src in self.sources_for(draft.result)
                        if src.path not in used and src.kind != "casus"),
                       None) if draft.casus_path else None
        return Answer(asked, draft.text, True, sources, draft.result, intent=draft.intent,
                      related=draft.related, casus_path=draft.casus_path, further=further,
                      practice=self.practice.get(draft.casus_path, ""),
                      assignment=draft.assignment, context=draft.context)

    def answer_for(self, result: RetrievalResult) -> Answer:
        """The offline answer for an already retrieved question (the LLM's fallback). A result
        without its query embedding (not from `retrieve`) gets the passage answer."""
        if self.composer is None or not result.grounded or result.vector is None:
            if not result.grounded:
                return Answer(result.question, self.not_in_material(), False, [], result)
            return Answer(result.question, extract_answer(result.hits), True,
                          self.sources_for(result), result)
        return self.from_draft(result.question, self.composer.draft_for(result))

    def document(self, path: str) -> tuple[str, str]:
        """Title and whole text of one file without its link list ('📖 Hele casus')."""
        doc = self.composer.docs.get(path) if self.composer is not None else None
        if doc is None:
            raise UserFacingError(texts.SECTION_GONE)
        return doc.title, doc.body()

    def section(self, section: str) -> tuple[str, str]:
        """Title and full text of one source section ('Meer hierover')."""
        chunks = self.retriever.section_text(section)
        if not chunks:
            raise UserFacingError(texts.SECTION_GONE)
        title = chunks[0].title + (f" – {chunks[0].heading}" if chunks[0].heading else "")
        parts: list[str] = []
        for c in chunks:  # overlapping split pieces: drop the repeated lead-in
            text = c.text
            if parts:
                prev = parts[-1]
                for n in range(min(len(prev), len(text), 120), 10, -1):
                    if prev.endswith(text[:n]):
                        text = text[n:].lstrip()
                        break
            parts.append(text)
        return title, "\n\n".join(parts)
