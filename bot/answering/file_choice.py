"""Which retrieved file answers: the composer's file choice among the files retrieval found.

Each candidate file starts from its fused retrieval score (its best chunk), boosted when its
title or one of its own headings names what is asked, lowered for the assignment how-to files
unless an assignment is asked about (``file_score``), and weighed by how close its question keys
(``knowledge/vragen/``) are to the question compared with the candidate whose keys are closest
(``KEY_FILE_SHARPNESS``). Lesson files overlap in topic (networking / building relationships /
finding partners; promotion / involving visitors ...): the question keys, written per file for
what that file answers, separate them where the passages' wording does not.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from bot.answering.compose import specific_section, title_tokens
from bot.answering.documents import Document
from bot.retrieval.retriever import Hit

TITLE_BOOST = 1.5
HEADING_BOOST = 1.3
ASSIGNMENT_FILE_PENALTY = 0.6
ASSIGNMENT_WORDS = frozenset({"opdracht", "assignment", "inleveren", "indienen"})
CLOSE_FILE = 0.75
"""A lower-ranked file may answer instead of the top one if its fused score is this close."""
KEY_FILE_SHARPNESS = 10.0
"""File choice: a candidate file's score is multiplied by exp(sharpness * (its best question-key
similarity - the best candidate's)); 0 = keys vote only through retrieval. Round 13 (was 3.0,
where a key 0.05 closer weighed less than the title boost): over the questions of every dev set
that the composer answers from a lesson file (375 with key facts), 10 gives +3 answers with
every key fact and the question's own file 7 times more (with ``PREVIOUS_FILE``; "Ik ben bang
dat ons repaircafé leeg blijft. Wat zijn typische fouten bij het promoten?" gets *Promotie*, not
*Inspirerende voorbeelden*); 15-20 gained one more but lost one each on answers.yaml and dev 3.
A learned weighting of the same signals (conditional logit over retrieval score, title,
heading, key gap, intent-section and best-section similarity) did no better than this one
constant when each dev set was left out in turn."""
PREVIOUS_FILE = 1.25
"""A question asked right after an answer: the previous answer's file, when retrieval finds it
too, has its score multiplied by this (a conversation stays on its topic unless the question
clearly leaves it). Round 13, dev sets: with ``KEY_FILE_SHARPNESS`` 10, "en waarom zou ge de
mensen hoger op die ladder zetten?" after the participation ladder of *User generated content*
went to *Inspirerende voorbeelden*, whose question keys are 0.02 closer; 1.25-2.0 keep it, no
other answer of the 31 such questions changes."""


def file_score(hit_score: float, doc: Document, tokens: set[str], intent: str) -> float:
    """Fused score, boosted when the file's title or one of its own headings names what is
    asked, lowered for the assignment how-to files unless an assignment is asked about."""
    score = hit_score
    if tokens & title_tokens(doc):
        score *= TITLE_BOOST
    if specific_section(doc, list(tokens)) is not None:
        score *= HEADING_BOOST
    if doc.topic.startswith("opdracht") and intent != "opdracht" and \
            not tokens & ASSIGNMENT_WORDS:
        score *= ASSIGNMENT_FILE_PENALTY
    return score


def rank_files(candidates: list[Hit], docs: Mapping[str, Document], tokens: set[str],
               intent: str, key_files: Mapping[str, float] | None = None,
               previous: str = "") -> list[Hit]:
    """The candidates best first: ``file_score``, lowered by how much farther a file's
    question keys are than the candidate with the closest key (``KEY_FILE_SHARPNESS``),
    raised for the previous answer's file (``previous``, ``PREVIOUS_FILE``)."""
    keys = key_files or {}
    best_key = max((keys.get(h.chunk.path, 0.0) for h in candidates), default=0.0)

    def score(h: Hit) -> float:
        base = file_score(h.score, docs[h.chunk.path], tokens, intent)
        if previous and h.chunk.path == previous:
            base *= PREVIOUS_FILE
        if not keys:
            return base
        return base * math.exp(KEY_FILE_SHARPNESS * (keys.get(h.chunk.path, 0.0) - best_key))

    return sorted(candidates, key=lambda h: -score(h))


def choose_file(candidates: list[Hit], docs: Mapping[str, Document], tokens: set[str],
                intent: str, key_files: Mapping[str, float] | None = None,
                previous: str = "") -> Hit:
    """The file that answers (``candidates`` not empty): the best ranked one; for an example
    question an example file among the best three whose fused score is close
    (``CLOSE_FILE``)."""
    ranked = rank_files(candidates, docs, tokens, intent, key_files, previous)
    top = ranked[0]
    if intent == "voorbeeld":
        return next((h for h in ranked[:3] if h.score >= CLOSE_FILE * top.score and
                     docs[h.chunk.path].kind == "voorbeeld"), top)
    return top
