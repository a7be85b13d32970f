"""Objection advice from the casussen: match the case, then underneath / approach / pitfall.

A participant who describes resistance ("mijn teamleider zegt dat er geen tijd is") gets:
what often lies underneath, the good approach in 3–5 concrete steps, one example sentence and
the one pitfall to avoid, from the best-matching casus. Matching is dense (the query vector
against one profile vector per casus: title, stakeholder, objection, summary) plus BM25 over
the same profile, so a case is found in English or Flemish too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bot.answering.compose import _shorten_item, clean_lines, strip_marker
from bot.answering.documents import Document
from bot.knowledge.models import KnowledgeFile
from bot.retrieval.embeddings import Embedder
from bot.retrieval.lexical import LexicalIndex, tokenize

UNDERNEATH = re.compile(r"^de zorg eronder", re.I)
GOOD = re.compile(r"^goede aanpak", re.I)
POOR = re.compile(r"^minder goede aanpak", re.I)
OBJECTION = re.compile(r"^het bezwaar", re.I)
MAX_STEPS = 5
MIN_STEPS = 3
UNDERNEATH_SENTENCES = 3
MAX_CHARS = 900
LEXICAL_WEIGHT = 0.02
"""BM25 is unbounded; this scales it to a small bonus next to the cosine similarity."""


@dataclass(frozen=True)
class Casus:
    path: str
    title: str
    stakeholder: str
    good_responses: tuple[str, ...]
    doc: Document

    def profile(self) -> str:
        objection = self.doc.find(OBJECTION)
        quote = objection.text.lstrip("> ").strip() if objection else ""
        return f"{self.title}. {self.stakeholder}. {quote}"


@dataclass(frozen=True)
class CasusMatch:
    casus: Casus
    score: float


@dataclass(frozen=True)
class Advice:
    text: str
    casus: Casus
    similar: list[Casus]


def _sentences(text: str, n: int) -> str:
    flat = " ".join(line.strip() for line in text.splitlines() if line.strip())
    parts = re.split(r"(?<=[.!?])\s+", flat)
    return " ".join(parts[:n])


class CasusAdvisor:
    def __init__(self, files: list[KnowledgeFile], docs: dict[str, Document],
                 embedder: Embedder) -> None:
        self.cases: list[Casus] = [
            Casus(f.path, f.front.title, f.casus.stakeholder, tuple(f.casus.good_responses),
                  docs[f.path])
            for f in files if f.casus is not None and f.path in docs
        ]
        profiles = [c.profile() for c in self.cases]
        self.embedder = embedder
        self.vectors = embedder.encode_documents(profiles) if profiles else np.zeros((0, 1))
        self.lexical = LexicalIndex(profiles)

    def rank(self, vector: np.ndarray, question: str) -> list[CasusMatch]:
        if not self.cases:
            return []
        dense = self.vectors @ np.asarray(vector, dtype=np.float32)
        scores = dense.astype(float)
        for i, s in self.lexical.search(tokenize(question), len(self.cases)):
            scores[i] += LEXICAL_WEIGHT * s
        order = np.argsort(-scores)
        return [CasusMatch(self.cases[i], float(scores[i])) for i in order]

    def by_path(self, path: str) -> Casus | None:
        return next((c for c in self.cases if c.path == path), None)

    def advise(self, casus: Casus, question: str, similar: list[Casus],
               labels: dict[str, str]) -> Advice:
        """The advice text (Markdown). ``labels`` holds the Dutch headings (texts.py)."""
        doc = casus.doc
        parts: list[str] = []
        underneath = doc.find(UNDERNEATH)
        if underneath is not None:
            parts.append(f"**{labels['underneath']}** "
                         f"{_sentences(underneath.text, UNDERNEATH_SENTENCES)}")
        good = doc.find(GOOD)
        steps: list[str] = []
        steps_at = -1
        if good is not None:
            items = [ln for ln in clean_lines(good.text) if ln.lstrip().startswith(("-", "*"))]
            steps = [_shorten_item(ln) for ln in items[:MAX_STEPS]]
            if steps:
                steps_at = len(parts)
                parts.append(f"**{labels['approach']}**\n" + "\n".join(steps))
        example = self._example(casus, question)
        if example:
            parts.append(f"**{labels['example']}** “{example}”")
        poor = doc.find(POOR)
        if poor is not None:
            items = [ln for ln in clean_lines(poor.text) if ln.lstrip().startswith(("-", "*"))]
            if items:
                pitfall = strip_marker(_shorten_item(items[0]))
                parts.append(f"**{labels['avoid']}** {pitfall}")
        text = "\n\n".join(parts)
        while len(text) > MAX_CHARS and len(steps) > MIN_STEPS:  # fewer steps, same structure
            steps.pop()
            parts[steps_at] = f"**{labels['approach']}**\n" + "\n".join(steps)
            text = "\n\n".join(parts)
        return Advice(text, casus, similar)

    @staticmethod
    def _example(casus: Casus, question: str) -> str:
        """The example reply that shares the most words with the question (else the first)."""
        if not casus.good_responses:
            return ""
        q = set(tokenize(question))
        best = max(casus.good_responses, key=lambda r: len(q & set(tokenize(r))))
        return best
