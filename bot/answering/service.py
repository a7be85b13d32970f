"""Question answering: retrieval + grounded decision + extractive (or, when configured, LLM) answer.

Knows nothing about Telegram. Adapters call `AnswerService.ask` and render the `Answer`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot import texts
from bot.answering.extractive import extract_answer
from bot.knowledge.taxonomy import Taxonomy
from bot.retrieval.retriever import HybridRetriever, RetrievalResult
from bot.sanitize import clean_text

MAX_QUESTION_CHARS = 1000


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
    if len(q) > MAX_QUESTION_CHARS:
        raise UserFacingError(texts.QUESTION_TOO_LONG.format(limit=MAX_QUESTION_CHARS))
    return q


class AnswerService:
    def __init__(self, retriever: HybridRetriever, taxonomy: Taxonomy, top_k: int = 5,
                 max_sources: int = 3) -> None:
        self.retriever = retriever
        self.taxonomy = taxonomy
        self.top_k = top_k
        self.max_sources = max_sources

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

    def ask(self, question: str) -> Answer:
        result = self.retrieve(question)
        if not result.grounded:
            return Answer(result.question, self.not_in_material(), False, [], result)
        text = extract_answer(result.hits)
        return Answer(result.question, text, True, self.sources_for(result), result)

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
