"""Which casus fits an objection story: matched by its CONCERN, the stakeholder ROLE only a
tie-breaker.

"Mijn directeur zegt dat we daar geen geld voor hebben" is the concern of the teamleider's case
(no money, no staff), not of the directeur's (risk to the library's image). The role a
participant names says who objects, not what the objection is, and the same concern comes from
many roles. So the views a story is compared with are role-free: the objection as said (*Het
bezwaar*), the concern underneath (*De zorg eronder*, whole and its closest sentence), the case
summary and the question keys of those two sections. Words count the same way: BM25 over the
title, objection, concern and summary with every role word left out on both sides (role words:
the stakeholder fields; English and Flemish role names reach them through the glossary, "team
leader"/"diensthoofd" -> "teamleider"). The role words then add a small bonus (BM25 over the
``stakeholder`` field), so a story that names the role and fits two concerns equally gets the
role's case. The role-free concern score dominates; the whole-case score (the same story
against the views with title, stakeholder and *Wie*, as before round 7) is mixed in at
WHOLE_CASE, so a story whose role and concern agree keeps a clear margin. The query itself
keeps its role: with the role words taken out of the query embedding, short role-only questions
("hoe ga ik om met een wethouder die ...") lost their case on the dev sets.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from bot.retrieval.lexical import LexicalIndex, tokenize

if TYPE_CHECKING:
    from bot.answering.casus import Casus

UNDERNEATH = re.compile(r"^de zorg eronder", re.I)
OBJECTION = re.compile(r"^het bezwaar", re.I)
WHO = re.compile(r"^wie$", re.I)

VIEW_MAX = 0.5
"""Case score = VIEW_MAX * best view + (1 - VIEW_MAX) * mean of the views."""
CONCERN_WEIGHT = 0.006
"""BM25 over the role-free concern text; unbounded, so scaled to a small bonus next to the
cosine similarities (dev: 0.004-0.01 alike, 0.015 and up lets single words decide)."""
ROLE_WEIGHT = 0.004
"""BM25 of the story's words over the case's ``stakeholder`` field: the tie-breaker (dev: 0.004
resolves "een bestuurslid wil eerst harde cijfers zien"; 0.01 and up lets roles override
concerns again)."""
CONCERN_SECTIONS = (OBJECTION, UNDERNEATH)
"""Sections whose question keys vote (the keys of *Wie* name the role)."""
WHOLE_CASE = 0.3
"""Case score = (1 - WHOLE_CASE) * concern score + WHOLE_CASE * whole-case score (the views
with title, stakeholder and *Wie*: the matcher before round 7). Chosen on the dev sets'
objection items (docs/benchmarks.md, "Round 7"): 0 gives the most crossed stories (38/40) but
thins the margin of the role-aligned ones, whose role is a real signal (median margin 2.85
score deviations on main, 2.40 at 0); 0.2-0.4 leave the fewest fragile role-aligned items
(3 of 94, 6 on main) and keep 35-36 of the 40 crossed stories (27 on main)."""
WHOLE_LEXICAL = 0.02
"""BM25 over the whole-case profile (title, stakeholder, objection, summary, tags)."""


def split_sentences(text: str) -> list[str]:
    flat = " ".join(line.strip() for line in text.splitlines() if line.strip())
    return [p for p in re.split(r"(?<=[.!?])\s+", flat) if p]


def sentences(text: str, n: int) -> str:
    return " ".join(split_sentences(text)[:n])


def blend(per_view: np.ndarray) -> np.ndarray:
    """Case score from its views' similarities: VIEW_MAX of the best plus the rest of the mean."""
    scores: np.ndarray = (VIEW_MAX * per_view.max(axis=1) +
                          (1 - VIEW_MAX) * per_view.mean(axis=1)).astype(float)
    return scores


def whole_case_views(casus: Casus) -> list[str]:
    """The case with its role: title, stakeholder and objection; title, summary and tags; the
    stakeholder, who it is and the concern's start."""
    who = casus.doc.find(WHO)
    underneath = casus.doc.find(UNDERNEATH)
    return [
        casus.profile(),
        f"{casus.title}. {casus.summary} {' '.join(casus.tags)}",
        f"{casus.stakeholder}. {sentences(who.text, 2) if who else ''} "
        f"{sentences(underneath.text, 3) if underneath else ''}",
    ]


def role_words(cases: list[Casus]) -> frozenset[str]:
    """Word stems that name a role: every case's ``stakeholder`` ("directeur", "teamleider",
    "wethouder" ...). Not the titles: they name the concern too ("tijd en geld")."""
    return frozenset(t for c in cases for t in tokenize(c.stakeholder))


def concern_views(casus: Casus) -> list[str]:
    """The role-free texts a story is compared with: the objection as said, the concern
    underneath, the summary."""
    objection = casus.doc.find(OBJECTION)
    underneath = casus.doc.find(UNDERNEATH)
    return [objection.text.lstrip("> ").strip() if objection else casus.title,
            underneath.text if underneath else casus.title,
            casus.summary or casus.title]


def without_roles(text: str, roles: frozenset[str]) -> str:
    return " ".join(t for t in tokenize(text) if t not in roles)


class CasusMatcher:
    """Scores every casus for a story (``scores``); built once at start-up."""

    def __init__(self, cases: list[Casus], documents: Callable[[list[str]], np.ndarray],
                 unit_vectors: Callable[[list[str]], np.ndarray]) -> None:
        """``documents``: document embeddings of the casus views (cached on disk by the
        advisor); ``unit_vectors``: those of the concern sentences (the advice units)."""
        self.cases = cases
        self.roles = role_words(cases)
        views = [concern_views(c) for c in cases]
        self.n_views = len(views[0]) if views else 1
        flat = [v for vs in views for v in vs]
        self.vectors = np.asarray(documents(flat), dtype=np.float32) \
            if flat else np.zeros((0, 1), dtype=np.float32)
        # The concern's sentences (embedded with the advice units), each with its case.
        sentences: list[str] = []
        owners: list[int] = []
        for i, c in enumerate(cases):
            underneath = c.doc.find(UNDERNEATH)
            found = split_sentences(underneath.text) if underneath else []
            sentences += found
            owners += [i] * len(found)
        self.sentence_vectors = unit_vectors(sentences) if sentences else None
        self.owners = np.asarray(owners, dtype=np.intp)
        self.concern_lexical = LexicalIndex([without_roles(" ".join([c.title, *vs]), self.roles)
                                             for c, vs in zip(cases, views, strict=True)])
        self.role_lexical = LexicalIndex([c.stakeholder for c in cases])
        whole = [whole_case_views(c) for c in cases]
        self.n_whole = len(whole[0]) if whole else 1
        flat = [v for vs in whole for v in vs]
        self.whole_vectors = np.asarray(documents(flat), dtype=np.float32) \
            if flat else np.zeros((0, 1), dtype=np.float32)
        self.whole_lexical = LexicalIndex([" ".join(vs[:2]) for vs in whole])
        self.key_sections = [[s.key for s in c.doc.sections
                              if any(p.search(s.heading) for p in CONCERN_SECTIONS)]
                             for c in cases]

    def scores(self, vector: np.ndarray, question: str, keys: dict[str, float] | None = None,
               sections: dict[str, float] | None = None) -> np.ndarray:
        """One score per case: the concern score, WHOLE_CASE of the whole-case score mixed in.
        ``sections``: section id -> best question-key similarity (the keys of *Het bezwaar* and
        *De zorg eronder* join the concern views); ``keys``: file path -> best key similarity
        (joins the whole-case views; the concern views too when ``sections`` is None)."""
        concern = self.concern_scores(vector, question, keys, sections)
        return (1 - WHOLE_CASE) * concern + WHOLE_CASE * self.whole_scores(vector, question,
                                                                           keys)

    def whole_scores(self, vector: np.ndarray, question: str,
                     keys: dict[str, float] | None = None) -> np.ndarray:
        """The case with its role (``whole_case_views``, the file's keys, BM25)."""
        n = len(self.cases)
        q = np.asarray(vector, dtype=np.float32)
        per_view = (self.whole_vectors @ q).reshape(n, self.n_whole)
        column = self._keys(keys, None)
        if column is not None:
            per_view = np.hstack([per_view, column[:, None]])
        scores = blend(per_view)
        for i, s in self.whole_lexical.search(tokenize(question), n):
            scores[i] += WHOLE_LEXICAL * s
        return scores

    def concern_scores(self, vector: np.ndarray, question: str,
                       keys: dict[str, float] | None = None,
                       sections: dict[str, float] | None = None) -> np.ndarray:
        """The story against the role-free views (plus the stakeholder tie-breaker)."""
        n = len(self.cases)
        q = np.asarray(vector, dtype=np.float32)
        columns = [(self.vectors @ q).reshape(n, self.n_views)]
        if self.sentence_vectors is not None:
            closest = np.full(n, -1.0, dtype=np.float32)
            np.maximum.at(closest, self.owners, self.sentence_vectors @ q)
            columns.append(closest[:, None])
        column = self._keys(keys, sections)
        if column is not None:
            columns.append(column[:, None])
        per_view = np.hstack(columns)
        scores = blend(per_view)
        words = tokenize(question)
        neutral = [t for t in words if t not in self.roles]
        for i, s in self.concern_lexical.search(neutral, n):
            scores[i] += CONCERN_WEIGHT * s
        for i, s in self.role_lexical.search(words, n):
            scores[i] += ROLE_WEIGHT * s
        return scores

    def _keys(self, keys: dict[str, float] | None,
              sections: dict[str, float] | None) -> np.ndarray | None:
        column: np.ndarray
        if sections:
            column = np.asarray([max((sections.get(k, 0.0) for k in ks), default=0.0)
                                 for ks in self.key_sections], dtype=np.float32)
        elif keys:
            column = np.asarray([keys.get(c.path, 0.0) for c in self.cases], dtype=np.float32)
        else:
            return None
        return column if bool(column.any()) else None

