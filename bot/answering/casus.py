"""Objection advice from the casussen: match the case, then underneath / approach / pitfall.

A participant who describes resistance ("mijn teamleider zegt dat er geen tijd is") gets:
what often lies underneath, the good approach in 3–5 concrete steps, one example sentence and
the one pitfall to avoid, from the best-matching casus. Matching (``casus_match``) goes by the
concern the story describes, not the role it names: dense over role-free views (objection,
concern, summary, the concern's question keys) plus BM25 with role words left out, mixed with
a smaller whole-case score (the views with the role), the stakeholder words a tie-breaker; so
a case is found in English or Flemish too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from bot.answering import casus_units as cu
from bot.answering.casus_items import (
    QUOTE_MARKS,
    item_lead,
    lead_and_sentences,
    lead_text,
    list_items,
)
from bot.answering.casus_match import OBJECTION, UNDERNEATH, CasusMatcher
from bot.answering.casus_match import split_sentences as _split_sentences
from bot.answering.documents import Document
from bot.knowledge.models import KnowledgeFile
from bot.retrieval.embeddings import Embedder, cache_file, cached_rows
from bot.retrieval.lexical import tokenize

GOOD = re.compile(r"^goede aanpak", re.I)
POOR = re.compile(r"^minder goede aanpak", re.I)
MAX_STEPS = 5
MIN_STEPS = 3
UNDERNEATH_FOCUS_SENTENCES = 10
"""``focus="underneath"``: the whole concern in the skeleton (it is what was asked)."""
LAST_STEP_SENTENCES = 1
"""The last step (the small concrete step) keeps the first sentence of its detail
("Bijvoorbeeld zes weken..."); its further sentences compete in the fill (round 12, dev
weerstand items: 2 sentences in the skeleton 178/268, 1 sentence 182/268)."""
MAX_CHARS = 900
LEXICAL_PART = 0.04
"""Relevance of a casus sentence or item to the story: cosine similarity plus this per shared
word (a word the story repeats from the material is a strong hint)."""
CONCERN_POSITION = 0.02
"""Concern sentences: relevance minus this per position (the concern is a story; its early
sentences carry it, and the embeddings of single sentences differ by a few hundredths)."""
KEEP_FIRST = 2
"""The first steps of *Goede aanpak* (listen, acknowledge) are always shown."""
COMMON_LEAD = 3
"""A step lead found in this many cases ("Vraag open door.") is generic: shown last-resort."""
GENERIC_STEP = 1.0
"""Taken from the closeness of a generic step's sentences: they join only after the case's own
(their long example quotes rarely hold what is asked; as in rounds 9-11)."""


@dataclass(frozen=True)
class Casus:
    path: str
    title: str
    stakeholder: str
    good_responses: tuple[str, ...]
    doc: Document
    summary: str = ""
    tags: tuple[str, ...] = ()
    poor_responses: tuple[str, ...] = ()
    """What one would wrongly say, one per pitfall of *Minder goede aanpak*, in its order."""

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


def _by_relevance(sentences: list[str], relevance: list[float]) -> list[int]:
    """Sentence indices: the first (it introduces the concern), then the most relevant, ties in
    text order."""
    rest = sorted(range(1, len(sentences)), key=lambda i: (-relevance[i], i))
    return [0, *rest] if sentences else []


def _common_leads(cases: list[Casus]) -> frozenset[str]:
    counts: dict[str, int] = {}
    for c in cases:
        good = c.doc.find(GOOD)
        if good is None:
            continue
        leads = {item_lead(ln) for ln in list_items(good.text)}
        for lead in leads:
            counts[lead] = counts.get(lead, 0) + 1
    return frozenset(lead for lead, n in counts.items() if n >= COMMON_LEAD)


class CasusAdvisor:
    def __init__(self, files: list[KnowledgeFile], docs: dict[str, Document],
                 embedder: Embedder, cache_dir: Path | None = None) -> None:
        self.cases: list[Casus] = [
            Casus(f.path, f.front.title, f.casus.stakeholder, tuple(f.casus.good_responses),
                  docs[f.path], f.front.summary, tuple(f.front.tags),
                  tuple(f.casus.poor_responses))
            for f in files if f.casus is not None and f.path in docs
        ]
        self.embedder = embedder
        self.common_leads = _common_leads(self.cases)
        self.unit_vectors: dict[str, np.ndarray] = {}
        """Casus sentence or item -> its document embedding (``_relevance``)."""
        units = [u for c in self.cases for u in self.units(c)]
        if units:
            rows = cached_rows(units, embedder.encode_documents,
                               cache_file(cache_dir, "casus-units", embedder.name),
                               "casus embeddings")
            self.unit_vectors = dict(zip(units, rows, strict=True))
        views = cache_file(cache_dir, "casus-views", embedder.name)

        def embed_views(texts: list[str]) -> np.ndarray:
            """The matcher's casus views, from the disk cache after the first start."""
            return cached_rows(texts, embedder.encode_documents, views, "casus view embeddings")

        self.matcher = CasusMatcher(self.cases, embed_views, self._unit_vectors)

    def rank(self, vector: np.ndarray, question: str, keys: dict[str, float] | None = None,
             sections: dict[str, float] | None = None) -> list[CasusMatch]:
        """Cases best first, by the concern of the story rather than the role it names
        (``casus_match``); ``keys``: file path -> best question-key similarity, ``sections``:
        section id -> the same per section (the concern sections' keys are used when given)."""
        if not self.cases:
            return []
        scores = self.matcher.scores(vector, question, keys, sections)
        order = np.argsort(-scores)
        return [CasusMatch(self.cases[i], float(scores[i])) for i in order]

    def by_path(self, path: str) -> Casus | None:
        return next((c for c in self.cases if c.path == path), None)

    def advise(self, casus: Casus, question: str, similar: list[Casus],
               labels: dict[str, str], focus: str = "",
               vector: np.ndarray | None = None) -> Advice:
        """The advice text (Markdown). ``labels`` holds the Dutch headings (texts.py);
        ``vector``: the story's query embedding (encoded here when None).

        Every part is ranked by relevance to the participant's story (``_relevance``: the
        story's embedding against each sentence or list item, plus the words they share).
        The skeleton (``_greedy``): the first sentence of *De zorg eronder* and the ones
        closest to the story (``casus_units.SKELETON_CONCERN``), the first two steps of
        *Goede aanpak* and the last one (the small concrete step, with its detail) as bold
        leads, the leads of the other steps ("Verder helpt", generic leads left out), one
        example reply close to the story, the pitfall closest to the story ("Vermijd",
        also by its wrong reply, ``_pitfall_relevance``) with its first sentence and
        the other pitfalls' leads ("Ook niet"). Then, while it fits in MAX_CHARS, that
        pitfall's quote and why it goes wrong when the story points at it
        (``casus_units.points_at``, ``first_pitfall``), then single sentences most promising
        first (``casus_units.fill``): a concern sentence, a sentence of a step (which joins
        the list, up to MAX_STEPS) or of a pitfall (what one would say, why it goes wrong).
        Over MAX_CHARS already, the skeleton sheds the small step's detail, the pitfall's
        sentence, concern sentences (least relevant first), the "Ook niet" and the "Verder
        helpt" lines, in that order.
        ``focus="underneath"`` (a follow-up asking what lies behind the objection) shows the
        whole concern and only the fixed steps."""
        doc = casus.doc
        underneath = doc.find(UNDERNEATH)
        good = doc.find(GOOD)
        poor = doc.find(POOR)
        items = list_items(good.text) if good is not None else []
        pitfalls = list_items(poor.text) if poor is not None else []
        concern = _split_sentences(underneath.text) if underneath is not None else []
        story, asked = self._story(casus, question, vector)
        step_rel = self._relevance(items, story, asked)
        chosen = self._steps(items)
        concern_rel = [r - CONCERN_POSITION * i
                       for i, r in enumerate(self._relevance(concern, story, asked))]
        concern_order = _by_relevance(concern, concern_rel)
        pit_rel = self._pitfall_relevance(casus, pitfalls, story, asked)
        pit_order = cu.pitfall_order(pit_rel)
        example = self._example(casus, story, asked)
        return Advice(self._greedy(concern, concern_rel, concern_order, items, step_rel,
                                   chosen, pitfalls, pit_rel, pit_order, example, story,
                                   asked, labels, focus), casus, similar)

    def _greedy(self, concern: list[str], concern_rel: list[float], concern_order: list[int],
                items: list[str], step_rel: list[float], fixed: list[int],
                pitfalls: list[str], pit_rel: list[float], pit_order: list[int], example: str,
                story: np.ndarray, asked: set[str], labels: dict[str, str],
                focus: str) -> str:
        """The advice from a skeleton filled greedily with single sentences (casus_units)."""
        steps = [lead_and_sentences(it) for it in items]
        pits = [lead_and_sentences(p) for p in pitfalls]
        last = len(items) - 1
        step_keys = [(i, j) for i, (_, said) in enumerate(steps) for j in range(len(said))]
        pit_keys = [(i, j) for i, (_, said) in enumerate(pits) for j in range(len(said))]
        step_srel = dict(zip(step_keys, self._relevance(
            [steps[i][1][j] for i, j in step_keys], story, asked), strict=True))
        for i, j in step_keys:  # generic steps ("Vraag open door.") after the case's own
            if item_lead(items[i]) in self.common_leads and i != last:
                step_srel[(i, j)] -= GENERIC_STEP
        pit_srel = dict(zip(pit_keys, self._relevance(
            [pits[i][1][j] for i, j in pit_keys], story, asked), strict=True))
        underneath_focus = focus == "underneath"
        skeleton = UNDERNEATH_FOCUS_SENTENCES if underneath_focus else cu.SKELETON_CONCERN
        lay = cu.Layout(concern=set(concern_order[:skeleton]), steps=list(fixed))
        if last >= 0:
            lay.step_sentences |= {(last, j) for j in range(min(
                1 if underneath_focus else LAST_STEP_SENTENCES, len(steps[last][1])))}
        if pits:  # its first sentence; after a quote, the one saying why (as in round 9)
            said = pits[pit_order[0]][1]
            quoted = bool(said) and said[0].startswith(QUOTE_MARKS)
            lay.pit_sentences |= {(pit_order[0], j) for j in range(min(1 + quoted, len(said)))}

        def render() -> str:
            parts: list[str] = []
            if concern:
                parts.append(f"**{labels['underneath']}** " +
                             " ".join(concern[i] for i in sorted(lay.concern)))
            shown = [" ".join([steps[i][0], *(s for j, s in enumerate(steps[i][1])
                                              if (i, j) in lay.step_sentences)])
                     for i in sorted(lay.steps)]
            if shown:
                parts.append(f"**{labels['approach']}**\n" + "\n".join(shown))
            rest = [lead_text(items[i]) for i in range(len(items))
                    if i not in lay.steps and item_lead(items[i]) not in self.common_leads]
            if rest and lay.more_steps:
                parts.append(f"**{labels['more_steps']}** " + " ".join(rest))
            if example:
                parts.append(f"**{labels['example']}** “{example}”")
            lines = [" ".join([lead_text(pits[i][0]), *(s for j, s in enumerate(pits[i][1])
                                                         if (i, j) in lay.pit_sentences)])
                     for i in pit_order]
            if lines:
                parts.append(f"**{labels['avoid']}** {lines[0]}")
                if lines[1:] and lay.more_avoid:
                    parts.append(f"**{labels['more_avoid']}** " + " · ".join(lines[1:]))
            return "\n\n".join(parts)

        text = render()
        shrink: list[Callable[[], object]] = [lambda: lay.step_sentences.difference_update(
                      {(last, j) for j in range(1, len(steps[last][1]) if steps else 0)}),
                  lay.pit_sentences.clear,
                  *[partial(lay.concern.discard, i) for i in reversed(concern_order[1:])],
                  partial(setattr, lay, "more_avoid", False),
                  partial(setattr, lay, "more_steps", False)]
        for step in shrink:
            if len(text) <= MAX_CHARS:
                break
            step()
            text = render()
        if len(text) > MAX_CHARS:
            return text
        allowed = set(lay.steps) if underneath_focus else set(range(len(items)))
        todo = cu.units(concern_rel, {k: r for k, r in step_srel.items() if k[0] in allowed},
                        step_rel, pit_srel, pit_rel)
        if pits and cu.points_at(pit_rel, pit_order):  # its quote and why first (casus_units)
            todo = cu.first_pitfall(todo, pit_order[0], pits[pit_order[0]][1], QUOTE_MARKS)
        return cu.fill(lay, todo, render, MAX_CHARS, fixed, MAX_STEPS)

    def _story(self, casus: Casus, question: str,
               vector: np.ndarray | None) -> tuple[np.ndarray, set[str]]:
        """The story's query embedding (``vector`` when retrieval made it) and its words, less
        the words naming the case itself ("teamleider", "tijd": they say nothing about which
        part of the case is asked)."""
        story = self.embedder.encode_queries([question])[0] if vector is None else vector
        return story, set(tokenize(question)) - set(tokenize(casus.profile()))

    def _relevance(self, texts: list[str], story: np.ndarray, asked: set[str]) -> list[float]:
        """How close each text (a sentence or list item) is to the story: cosine similarity of
        the embeddings plus LEXICAL_PART per word they share (``asked``: the story's words)."""
        if not texts:
            return []
        dense = self._unit_vectors(texts) @ np.asarray(story, dtype=np.float32)
        return [float(d) + LEXICAL_PART * len(asked & set(tokenize(t)))
                for d, t in zip(dense, texts, strict=True)]

    def _unit_vectors(self, texts: list[str]) -> np.ndarray:
        """Document embeddings of casus sentences and items (all embedded at start-up)."""
        todo = [t for t in dict.fromkeys(texts) if t not in self.unit_vectors]
        if todo:
            self.unit_vectors.update(zip(todo, self.embedder.encode_documents(todo),
                                         strict=True))
        return np.vstack([self.unit_vectors[t] for t in texts]).astype(np.float32)

    def _pitfall_relevance(self, casus: Casus, pitfalls: list[str], story: np.ndarray,
                           asked: set[str]) -> list[float]:
        """How close each pitfall is to the story: the closer of the item itself and its
        wrong reply in the front matter (``poor_responses``, one per pitfall in the same
        order), so "ik zei dat de stad het ons gevraagd heeft" finds the pitfall whose reply
        is "de gemeente heeft ons zelf gevraagd" in other words."""
        relevance = self._relevance(pitfalls, story, asked)
        if len(casus.poor_responses) != len(pitfalls):
            return relevance
        said = self._relevance(list(casus.poor_responses), story, asked)
        return [max(r, s) for r, s in zip(relevance, said, strict=True)]

    @staticmethod
    def _steps(items: list[str]) -> list[int]:
        """The steps of *Goede aanpak* always shown: the first KEEP_FIRST (listen,
        acknowledge) and the last (the small concrete step); others join them with a sentence
        of their detail (at most MAX_STEPS in all, ``_greedy``)."""
        n = len(items)
        return sorted({*range(min(KEEP_FIRST, n)), n - 1}) if n else []

    def _example(self, casus: Casus, story: np.ndarray, asked: set[str]) -> str:
        """An example reply close to the story: the shortest of those within
        ``casus_units.EXAMPLE_MARGIN`` of the closest (the first on a tie)."""
        replies = list(casus.good_responses)
        if not replies:
            return ""
        relevance = self._relevance(replies, story, asked)
        near = [i for i in range(len(replies))
                if relevance[i] >= max(relevance) - cu.EXAMPLE_MARGIN]
        return replies[min(near, key=lambda i: (len(replies[i]), -relevance[i], i))]

    def all_steps(self, casus: Casus, question: str, label: str,
                  vector: np.ndarray | None = None, limit: int = MAX_CHARS) -> str:
        """Every step of *Goede aanpak* (a follow-up: "en hoe doe ik dat dan?"): each bold
        lead, then the sentences of the explanations while they fit in ``limit``: the
        case's own steps and the small last step before the generic ones every case shares
        ("Vraag open door.", whose long example quotes rarely hold what is asked), a step's
        earlier sentences before its later ones, the ones closest to the question first. ""
        without the section."""
        good = casus.doc.find(GOOD)
        items = list_items(good.text) if good is not None else []
        if not items:
            return ""
        split = [lead_and_sentences(item) for item in items]
        units = [(i, j) for i, (_, said) in enumerate(split) for j in range(len(said))]
        texts = [split[i][1][j] for i, j in units]
        relevance = self._relevance(texts, *self._story(casus, question, vector))
        # the last step (the small concrete step) is never generic, however common its lead
        generic = [item_lead(item) in self.common_leads and i < len(items) - 1
                   for i, item in enumerate(items)]
        order = sorted(range(len(units)), key=lambda u: (
            generic[units[u][0]], units[u][1], -relevance[u], units[u][0]))
        shown: set[tuple[int, int]] = set()

        def render() -> str:
            lines = [" ".join([lead, *(s for j, s in enumerate(said) if (i, j) in shown)])
                     for i, (lead, said) in enumerate(split)]
            return f"**{label}**\n" + "\n".join(lines)

        text = render()
        for u in order:
            i, j = units[u]
            if j and (i, j - 1) not in shown:  # a step's sentences from its first on
                continue
            shown.add(units[u])
            candidate = render()
            if len(candidate) <= limit:
                text = candidate
            else:
                shown.discard(units[u])
        return text

    def units(self, casus: Casus) -> list[str]:
        """The texts ``advise`` ranks: concern sentences, steps, pitfalls, example replies."""
        doc = casus.doc
        out = [*casus.good_responses, *casus.poor_responses]
        underneath = doc.find(UNDERNEATH)
        if underneath is not None:
            out += _split_sentences(underneath.text)
        for heading in (GOOD, POOR):
            section = doc.find(heading)
            if section is not None:
                out += list_items(section.text)
        for heading in (GOOD, POOR):  # the explanations' sentences (``all_steps``, ``_greedy``)
            section = doc.find(heading)
            if section is not None:
                out += [s for item in list_items(section.text) for s in lead_and_sentences(item)[1]]
        return out
