"""Intent-aware offline answers: the brain behind `AnswerService.ask` (no Telegram, no LLM).

question -> glossary -> follow-up? -> retrieval -> intent -> grounded? -> the section (or casus
advice) that answers that intent, in the best-matching file.
"""

from __future__ import annotations

import logging

import numpy as np

from bot.answering.ask import ASK_INTENTS, ASK_MIN, ask_sentence
from bot.answering.casus import CasusAdvisor, CasusMatch
from bot.answering.casus_draft import casus_more, use_advice
from bot.answering.casus_followup import CasusPartModel
from bot.answering.compose import (
    compose_section,
)
from bot.answering.documents import Document
from bot.answering.draft import Draft
from bot.answering.facts import FactKinds
from bot.answering.file_choice import choose_file
from bot.answering.followup import (
    WORD,
    AnswerContext,
    FollowUpKind,
    content_tokens,
    follow_up_kind,
    leaves_previous,
)
from bot.answering.glossary import Glossary
from bot.answering.grounding import LEAVE_RESCUE_DENSE, VETO_OOS
from bot.answering.intent import IntentModel, IntentPrediction
from bot.answering.known_files import KnownFiles
from bot.answering.route import (
    APPROACH_INTENTS,
    CASUS_LEAD,
    casus_lead,
    casus_leads,
    course_question,
    lesson_follow_up_intent,
    lesson_intent,
    lesson_leads,
)
from bot.answering.scope import ScopeModel
from bot.answering.sections import SectionVectors
from bot.retrieval.keys import KeyMatch
from bot.retrieval.lexical import tokenize
from bot.retrieval.retriever import HybridRetriever, RetrievalResult

log = logging.getLogger(__name__)

FOLLOW_UP_OWN_INTENT = 0.45
"""A pure follow-up keeps the previous intent unless its own intent is at least this sure.
Round 5: 0.45 (was 0.40) with the round-5 intent batches, whose follow-up-like examples ("hoe
doe ik dat", "welke stappen dan?") made short follow-ups surer of a new intent: on the 44
follow-ups of the four dev sets the own-or-previous intent was right 31 times at 0.40, 34 at
0.45."""
REFINE_OWN_INTENT = 0.60
REFINE_PREVIOUS_PLAUSIBLE = 0.05
"""A short follow-up ("en hoe word ik dat?") keeps the previous question's intent unless it
clearly asks something else: its own intent reaches REFINE_OWN_INTENT, or the previous intent
is implausible for it (its probability below this) — "hoe" after "wat is" asks for steps, not
for another definition."""
UNDERNEATH_INTENTS = frozenset({"definitie", "waarom"})
"""A follow-up on a casus whose own intent is what/why ("wat zit daar achter?") gets the whole
concern under the objection."""
PART_INTENT = {"zorg": "waarom", "aanpak": "stappen", "zinnen": "voorbeeld",
               "valkuilen": "valkuilen"}
"""The answer intent for each casus part a follow-up asks for (``casus_part``): the concern
(with ``focus="underneath"``), every step, the example replies, the pitfalls."""
REFER_FILES = 3
"""A referring follow-up stays in the previous file when it is among this many best files."""
FALLBACK_WORDS = 16
FALLBACK_MAX_OOS = VETO_OOS
"""A short question (at most FALLBACK_WORDS words) that would be refused on its own while a
previous answer is stored is answered as a follow-up of it ("OK, so what's the very first thing
I should do?"), unless the intent model finds it off-topic at this probability or more. Round 6:
the veto's value (was 0.5): with the round-5 intent batches "hoe bak ik een taart" after "wat
is netwerken" gets 0.46 and was answered from the networking file; the follow-ups of the five
dev sets this fallback answers reach 0.19 at most."""
FALLBACK_MIN_WORDS = 2
"""Fewer words than this (a lone "?", stray symbols) is never taken for a follow-up."""
REFINE_PREVIOUS = 0.35
"""Weight of the previous question when "en bij een school?" picks a new casus."""
USE_SCOPE_MODEL = True
"""Round 8: the scope model (bot/answering/scope.py) joins the intent model in the
in-scope/off-topic decision (``scope.decide``); False: round 6's decision alone."""


class AnswerComposer(KnownFiles):
    def __init__(self, retriever: HybridRetriever, docs: dict[str, Document],
                 intents: IntentModel | None, glossary: Glossary,
                 advisor: CasusAdvisor | None, assignments: dict[str, int],
                 sections: SectionVectors | None = None,
                 scope: ScopeModel | None = None,
                 parts: CasusPartModel | None = None,
                 facts: FactKinds | None = None) -> None:
        self.retriever = retriever
        self.parts = parts
        """Which part of a casus a follow-up on advice asks for (None: the intent alone)."""
        self.facts = facts
        """Kinds of fact the material holds only where it says so (facts.py); None: not checked."""
        self.scope = scope
        """The in-scope/off-topic model (bot/answering/scope.py); None: round 6's decision."""
        self.sections = sections
        """Section-level similarity (None: sections are picked by intent only)."""
        self.docs = docs
        self.intents = intents
        self.glossary = glossary
        self.advisor = advisor
        self.assignments = assignments
        """opdracht file path -> assignment number."""
        self.use_keys = True
        """Let question keys pick files, sections and casussen (``knowledge/vragen/``)."""
        self._words: dict[str, frozenset[str]] = {}
        """File path -> its word stems (``doc_words``)."""
        self._material: frozenset[str] | None = None
        """The word stems of every file (``material_words``), made once."""

    # Decisions ------------------------------------------------------------------------------
    def asked_for(self, text: str, pred: IntentPrediction | None) -> IntentPrediction | None:
        """A story recognised as an objection whose asking sentence asks what something is or
        why ("... Wat bedoelt ze daarmee?") gets that intent (one extra query embedding, only
        for questions of two or more sentences recognised as ``weerstand``)."""
        return self._asked(text, pred)[0]

    def _asked(self, text: str, pred: IntentPrediction | None,
               ) -> tuple[IntentPrediction | None, IntentPrediction | None]:
        """``asked_for``, and the asking sentence's own prediction when it was made."""
        if pred is None or pred.intent != "weerstand" or self.intents is None:
            return pred, None
        ask = ask_sentence(text)
        if not ask:
            return pred, None
        own = self.intents.predict(ask)
        if own.intent not in ASK_INTENTS or own.confidence < ASK_MIN:
            return pred, own
        merged = {k: (v + own.p(k)) / 2 for k, v in pred.probabilities.items()}
        return IntentPrediction(own.intent, merged[own.intent], merged), own

    @staticmethod
    def answer_intent(pred: IntentPrediction | None) -> str:
        """The intent to compose for (the best in-scope one when retrieval overrules)."""
        if pred is None:
            return ""
        if pred.intent != "buiten_scope":
            return pred.intent
        ranked = sorted(pred.probabilities.items(), key=lambda kv: -kv[1])
        return next(label for label, _ in ranked if label != "buiten_scope")

    # Main entry -----------------------------------------------------------------------------
    def draft(self, asked: str, context: AnswerContext | None, k: int) -> Draft:
        text = self.glossary.normalise(asked)
        kind: FollowUpKind = "none"
        if context is not None and context.path in self.docs:
            kind = follow_up_kind(text, lambda own: self.new_topic(own, context, False))
        draft = self._draft(text, context, k, kind)
        if kind == "none" and not draft.grounded and context is not None and \
                context.path in self.docs and \
                FALLBACK_MIN_WORDS <= len(WORD.findall(text)) <= FALLBACK_WORDS and \
                draft.prediction is not None and \
                draft.prediction.p("buiten_scope") < FALLBACK_MAX_OOS and \
                not self.off_topic_agreed(draft.result, draft.prediction) and \
                not self.unheld_in_file(text, context.path):
            retry = self._draft(text, context, k, "pure", vector=draft.result.vector)
            if retry.grounded and retry.docs:
                return retry
        return draft

    def _draft(self, text: str, context: AnswerContext | None, k: int,
               kind: FollowUpKind, retrieved: RetrievalResult | None = None,
               vector: np.ndarray | None = None) -> Draft:
        """``retrieved``: the retrieval for ``text`` alone, when done already (kind "none");
        ``vector``: ``text``'s query embedding, when made already (each text is embedded once
        per question)."""
        query = text if kind == "none" else f"{context.question} {text}"  # type: ignore[union-attr]
        result = retrieved if retrieved is not None else \
            self.retriever.retrieve(query, k=k, normalised=True)
        # A referring follow-up is also retrieved on its own words (``_leaves``); that
        # retrieval's query embedding is the follow-up's own vector, so it is embedded once.
        own = self.retriever.retrieve(text, k=k, normalised=True) \
            if kind == "refer" and context is not None else None
        own_vector = result.vector
        if kind != "none" and self.intents is not None:
            own_vector = own.vector if own is not None else vector if vector is not None \
                else self.intents.embedder.encode_queries([text])[0]
        pred = self.predict(text, own_vector)
        # A follow-up on casus advice that asks for a part of it ("waar komt dat vandaan bij
        # hem?": the concern) and names nothing the casus lacks stays in the casus.
        if own is not None and context is not None and (
                self.new_topic(content_tokens(text), context) or
                self.casus_part(context.path, text, own_vector) is None) and \
                self._leaves(text, context, own):
            new = self._draft(text, None, k, "none", own)  # its own topic, answered elsewhere
            if new.grounded and new.docs and (new.result.grounded or
                                              new.result.best_dense >= LEAVE_RESCUE_DENSE):
                return new  # its own topic, firmly (``LEAVE_RESCUE_DENSE``)
        asks_what_why, ask = False, None
        if kind == "none":
            asked, ask = self._asked(text, pred)
            asks_what_why = asked is not pred
            pred = asked
        if kind == "refer" and context is not None and context.path not in \
                [h.chunk.path for h in result.files()[:REFER_FILES]] and \
                self.new_topic(content_tokens(text), context):
            kind = "refine"  # the previous file is not about this: a new question with context
        if kind in ("pure", "refer"):
            assert context is not None
            intent = context.intent
            if self.docs[context.path].kind != "casus" and \
                    self.unheld_in_file(text, context.path):  # "en hoe laat gaan ze open?"
                return Draft(False, intent, pred, result, follow_up=kind)
            if pred is not None and pred.intent != "buiten_scope" and \
                    pred.confidence >= FOLLOW_UP_OWN_INTENT:
                intent = pred.intent
            elif kind == "pure" and self.docs[context.path].kind == "lesstof":
                intent = lesson_follow_up_intent(pred, intent)
            focus = "underneath" if self.answer_intent(pred) in UNDERNEATH_INTENTS else ""
            part = self.casus_part(context.path, text, own_vector)
            if part is not None:
                intent, focus = PART_INTENT[part], "underneath" if part == "zorg" else ""
            draft = Draft(True, intent, pred, result, follow_up=kind)
            self._compose_in(draft, self.docs[context.path], tokenize(text), "", own_vector,
                             focus)
            draft.context = AnswerContext(context.question, context.path, intent)
            return draft
        intent = self.answer_intent(pred)
        grounded = self.grounded(result, pred, after_answer=context is not None)
        if kind == "refine":
            assert context is not None
            grounded = (grounded or bool(result.hits)) and not self.unheld_fact(result, pred)
            if pred is None or pred.intent == "buiten_scope" or (
                    pred.confidence < REFINE_OWN_INTENT and
                    pred.p(context.intent) >= REFINE_PREVIOUS_PLAUSIBLE):
                intent = context.intent
        draft = Draft(grounded, intent, pred, result, follow_up=kind,
                      asks_what_why=asks_what_why, ask=ask)
        if not grounded:
            return draft
        self._compose(draft, query, result, own_vector if kind == "refine" else None, text,
                      context.path if context is not None else "")
        if draft.docs:
            draft.context = AnswerContext(query, draft.docs[0].path, intent)
        return draft

    def casus_part(self, path: str, text: str, vector: np.ndarray | None) -> str | None:
        """For a follow-up on casus advice: the part of the casus it asks for
        (bot/answering/casus_followup.py), or None (not a casus, no model, or unsure)."""
        doc = self.docs.get(path)
        if self.parts is None or doc is None or doc.kind != "casus":
            return None
        return self.parts.part(text, vector)

    def _leaves(self, text: str, context: AnswerContext, own: RetrievalResult) -> bool:
        """A referring follow-up with a topic of its own (``own``: its retrieval alone) that
        another file answers clearly better than the previous one
        (``followup.leaves_previous``)."""
        closeness: dict[str, float] = {}
        for hit in own.hits:
            closeness[hit.chunk.path] = max(closeness.get(hit.chunk.path, 0.0), hit.dense)
        files = own.files()
        return leaves_previous(text, context, closeness, files[0].chunk.path if files else "",
                               self.doc_words)

    def new_topic(self, own: list[str], context: AnswerContext,
                  in_file: bool = True) -> list[str]:
        """Of a follow-up's topic words (``own``), those that are a topic of their own: the
        material has them (``material_words``) while the previous question (and, with
        ``in_file``, its file) does not. Words the material never uses ("hmm", an English
        verb) cannot take the conversation to another file."""
        before = set(tokenize(context.question))
        if in_file:
            before |= self.doc_words(context.path)
        material = self.material_words()
        return [t for t in own if t in material and t not in before]

    def material_words(self) -> frozenset[str]:
        """The word stems of every file (cached)."""
        if self._material is None:
            self._material = frozenset().union(*(self.doc_words(p) for p in self.docs))
        return self._material

    def doc_words(self, path: str) -> frozenset[str]:
        """The word stems of a file's text (cached)."""
        if path not in self._words:
            doc = self.docs.get(path)
            self._words[path] = frozenset(tokenize(doc.text if doc is not None else ""))
        return self._words[path]

    def draft_for(self, result: RetrievalResult) -> Draft:
        """Compose for an existing retrieval result (no follow-up context, no new retrieval)."""
        pred = self.predict(self.glossary.normalise(result.question), result.vector)
        draft = Draft(True, self.answer_intent(pred), pred, result)
        self._compose(draft, result.question, result, None, result.question)
        return draft

    def _compose(self, draft: Draft, query: str, result: RetrievalResult,
                 refine: np.ndarray | None, text: str, previous: str = "") -> None:
        """``previous``: the file of the answer this question was asked after ("": none)."""
        if refine is None and self.advisor is not None:
            self._route(draft, result, text)
        intent = draft.intent
        if draft.asks_what_why and intent == "weerstand" and self.advisor is not None:
            self._advise(draft, query, result, focus="underneath")
        elif intent == "weerstand" and self.advisor is not None:
            self._advise(draft, query, result, refine, text)
        elif intent == "opdracht" and self._assignment(draft, result, text):
            pass
        else:
            self._compose_best(draft, query, result, refine, previous)
        if not draft.docs:  # nothing composable: the best passage's section
            self._compose_best(draft, query, result, refine, previous)

    def _route(self, draft: Draft, result: RetrievalResult, text: str) -> None:
        """Lesson question or objection (bot/answering/route.py): a ``weerstand`` question
        whose lesson files lead (``lesson_leads``) gets its best lesson intent; a what/why
        story whose casus leads clearly is an objection again (answered with the concern); a
        steps or pitfalls question whose casus leads by far (``casus_leads``) is an objection;
        a question whose closest question key is the course information's and that the intent
        model finds plausibly about the course is a course question (``course_question``)."""
        pred = draft.prediction
        if pred is None:
            return
        if draft.intent != "cursus" and course_question(pred, result, self.docs):
            draft.intent = "cursus"
        elif draft.intent == "weerstand" and lesson_leads(result, self.docs):
            own = draft.ask
            if own is None and self.intents is not None and (ask := ask_sentence(text)):
                own = self.intents.predict(ask)
            draft.intent = lesson_intent(pred, own)
        elif (draft.asks_what_why and casus_lead(result, self.docs) >= CASUS_LEAD) or (
                draft.intent in APPROACH_INTENTS and casus_leads(result, self.docs)):
            draft.intent = "weerstand"

    # Composition ----------------------------------------------------------------------------
    def _compose_in(self, draft: Draft, doc: Document, tokens: list[str],
                    fallback: str, vector: np.ndarray | None = None, focus: str = "") -> None:
        """A follow-up's answer from the previous file. On a casus: the advice with the whole
        concern when the follow-up asks what or why (``focus="underneath"``), else what the
        advice left out (``_casus_more``)."""
        if doc.kind == "casus" and draft.intent != "valkuilen" and self.advisor is not None:
            casus = self.advisor.by_path(doc.path)
            if casus is not None:
                if focus or not casus_more(self.advisor, draft, casus, tokens):
                    use_advice(self.advisor, draft, casus, [], draft.result.question, focus)
                return
        self._use(draft, compose_section(doc, draft.intent, tokens, fallback,
                                         sims=self.section_sims(doc, vector), follow_up=True,
                                         keys=self.key_sims(doc, self._keys(vector)),
                                         intents=self._intents(draft)))
        if doc.kind == "casus" and draft.docs:
            draft.intent = "weerstand"  # the casus's pitfalls: still objection advice

    @staticmethod
    def _intents(draft: Draft) -> dict[str, float] | None:
        """Intent -> probability for the section choice (``compose.key_section``)."""
        return draft.prediction.probabilities if draft.prediction is not None else None

    def _keys(self, vector: np.ndarray | None) -> KeyMatch | None:
        return self.retriever.key_match(vector) if self.use_keys else None

    def _compose_best(self, draft: Draft, query: str, result: RetrievalResult,
                      own: np.ndarray | None = None, previous: str = "") -> None:
        """The intent's section (or a closer specific one) of the best file
        (``file_choice.choose_file``; ``previous``: the previous answer's file); ``own`` is a
        refining follow-up's own embedding, which picks the section."""
        files = [h for h in result.files() if h.chunk.path in self.docs]
        if not files:
            return
        tokens = tokenize(query)
        intent = draft.intent
        candidates = files
        if intent != "weerstand":  # cases answer objections, not "wat is ..." questions
            candidates = [h for h in files if self.docs[h.chunk.path].kind != "casus"] or files
        retrieved = self._retrieved_keys(result)
        if intent == "cursus":
            info = [h for h in candidates if self.docs[h.chunk.path].kind == "cursusinfo"]
            if not info and self._course_info_by_keys(draft, result, retrieved, tokens):
                return
            candidates = info or candidates
        key_files = retrieved.files if retrieved is not None else None
        chosen = choose_file(candidates, self.docs, set(tokens), intent, key_files, previous)
        doc = self.docs[chosen.chunk.path]
        keys = self._keys(own) if own is not None else self._retrieved_keys(result)
        if doc.kind == "cursusinfo":
            section = doc.section(chosen.chunk.section)
            if section is not None:
                self._use_course_info(draft, doc, section,
                                      own if own is not None else result.vector, keys, tokens)
                return
        self._use(draft, compose_section(doc, intent, tokens, chosen.chunk.section,
                                         sims=self.section_sims(
                                             doc, own if own is not None else result.vector),
                                         follow_up=own is not None,
                                         keys=self.key_sims(doc, keys),
                                         intents=self._intents(draft)))

    def _advise(self, draft: Draft, query: str, result: RetrievalResult,
                refine: np.ndarray | None = None, new_words: str = "",
                focus: str = "") -> None:
        """Advice from the best-matching casus; for "en bij een school?" the new words weigh
        as much as the previous question; ``focus="underneath"``: the whole concern."""
        assert self.advisor is not None
        vector = result.vector
        if vector is None:
            return
        words = query
        if refine is not None:
            vector = REFINE_PREVIOUS * np.asarray(vector) + (1 - REFINE_PREVIOUS) * \
                np.asarray(refine)
            words = new_words
        keys = self._keys(vector) if refine is not None else self._retrieved_keys(result)
        ranked: list[CasusMatch] = self.advisor.rank(vector, words,
                                                     keys.files if keys else None,
                                                     keys.sections if keys else None)
        if not ranked:
            return
        use_advice(self.advisor, draft, ranked[0].casus, [m.casus for m in ranked[1:3]], query,
                   focus, vector=vector)
