"""Answers from a file known before retrieval ranks anything: the course information (course
questions, questions about the bot itself) and an assignment's own file; with the section
helpers the composer shares. A mixin of ``AnswerComposer`` (composer.py), like ``Grounding``.
"""

from __future__ import annotations

import numpy as np

from bot.answering import texts
from bot.answering.assignment_ref import named_assignment
from bot.answering.compose import Composed, add_extra, compose_section, section_scores
from bot.answering.documents import Document, Section
from bot.answering.draft import Draft
from bot.answering.followup import AnswerContext
from bot.answering.grounding import Grounding
from bot.answering.route import course_info_by_keys
from bot.answering.sections import SectionVectors
from bot.answering.text_fit import fit
from bot.folding import fold_words
from bot.retrieval.keys import KeyMatch
from bot.retrieval.lexical import tokenize
from bot.retrieval.retriever import HybridRetriever, RetrievalResult


class KnownFiles(Grounding):
    """Section helpers and the answers from the course information and assignment files; the
    composer provides the retriever, the documents, the section vectors and the assignments."""

    retriever: HybridRetriever
    docs: dict[str, Document]
    sections: SectionVectors | None
    assignments: dict[str, int]

    def _use(self, draft: Draft, composed: Composed) -> None:
        if not composed.text:
            return
        draft.text = composed.text
        draft.docs = [composed.doc]
        draft.section_keys = [s.key for s in composed.sections]
        draft.related = composed.related

    def section_sims(self, doc: Document, vector: np.ndarray | None) -> dict[str, float] | None:
        if self.sections is None or vector is None:
            return None
        return self.sections.similarities([s.key for s in doc.sections], vector)

    def key_sims(self, doc: Document, keys: KeyMatch | None) -> dict[str, float] | None:
        """Section key -> best question-key similarity (None without keys)."""
        if keys is None:
            return None
        return {s.key: keys.section(s.key) for s in doc.sections}

    def _course_info_by_keys(self, draft: Draft, result: RetrievalResult,
                             keys: KeyMatch | None, tokens: list[str]) -> bool:
        """A course question whose words retrieval matched elsewhere ("wat kan jij
        allemaal?" found the pitfalls of *What's in it for me*) is answered from the course
        information when that file holds the closest question key of all files."""
        doc = course_info_by_keys(keys, self.docs)
        return doc is not None and \
            self._use_course_info(draft, doc, None, result.vector, keys, tokens)

    def about_bot(self, text: str, k: int) -> Draft:
        """A question about the bot itself (``social.asks_about_bot``: "wat kun je?", "what
        can you do?"): the course information's section whose heading names the bot, else its
        section closest to the question. Retrieval and the scope models would refuse it or
        find a lesson that shares a word ("wat kun je voor me doen?" got the pitfalls of
        *What's in it for me*)."""
        result = self.retriever.retrieve(text, k=k, normalised=True)
        draft = Draft(True, "cursus", None, result)
        doc = next((d for d in self.docs.values() if d.kind == "cursusinfo"), None)
        if doc is None:
            return Draft(False, "buiten_scope", None, result)
        section = next((s for s in doc.sections
                        if texts.BOT_NAME in fold_words(s.heading).split()), None)
        if not self._use_course_info(draft, doc, section, result.vector,
                                     self._retrieved_keys(result), tokenize(text)):
            return Draft(False, "buiten_scope", None, result)
        draft.context = AnswerContext(text, doc.path, "cursus")
        return draft

    def _use_course_info(self, draft: Draft, doc: Document, section: Section | None,
                         vector: np.ndarray | None, keys: KeyMatch | None,
                         tokens: list[str]) -> bool:
        """A section of the course information as the answer, with a second one when it is
        as close and there is room (``add_extra``). ``section`` None: the section closest to
        the question by passage and question-key similarity."""
        scores = section_scores(self.section_sims(doc, vector), self.key_sims(doc, keys))
        if section is None:
            sections = [s for s in doc.sections if not s.is_links]
            if not scores or not sections:
                return False
            section = max(sections, key=lambda s: scores.get(s.key, 0.0))
        self._use(draft, add_extra(Composed(fit(section.text), doc, [section]), scores, tokens))
        return bool(draft.docs)

    def _assignment(self, draft: Draft, result: RetrievalResult, text: str) -> bool:
        """The assignment's own file: the one ``text`` names ("opdracht 2"), else the best
        retrieved assignment file."""
        named = named_assignment(text)
        doc = next((self.docs[p] for p, n in self.assignments.items()
                    if n == named and p in self.docs), None)
        if doc is None:
            topics = [h.chunk.topic for h in result.files()
                      if h.chunk.topic.startswith("opdracht")]
            if not topics:
                return False
            doc = next((d for d in self.docs.values()
                        if d.kind == "opdracht" and d.topic == topics[0]), None)
        if doc is None:
            return False
        keys = self._retrieved_keys(result)
        self._use(draft, compose_section(doc, "opdracht", [], "",
                                         sims=self.section_sims(doc, result.vector),
                                         keys=self.key_sims(doc, keys)))
        draft.assignment = self.assignments.get(doc.path)
        return bool(draft.docs)
