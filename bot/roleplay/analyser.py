"""Offline analysis of one participant reply in a role-play.

The trained classifier (`bot.roleplay.classifier`) decides which techniques the reply uses; those
per-turn labels are the only source for the resistance change, the persona's reaction and the
feedback. Besides the labels the analysis measures how close the reply comes to the persona's
hidden concern (embedding similarity to the concern and to the scenario's reveal steps, plus the
scenario's concern keywords), whether it is an insult, and picks a key phrase the persona can
refer to.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.roleplay.classifier import QueryEncoder, TechniqueClassifier, load_or_train
from bot.roleplay.cues import CueDetector
from bot.roleplay.normalise import keyword_hit, short_quote, tokens
from bot.roleplay.persona import PersonaBook, key_phrase, load_persona_book, proposal_phrase
from bot.roleplay.scenarios import SCENARIO_DIR, Scenario
from bot.roleplay.techniques import TECHNIQUES_FILE, TechniqueBook, load_technique_book

__all__ = ["DETECTED", "Analyser", "QueryEncoder", "TurnAnalysis", "TurnContext"]

DETECTED = 0.5
"""A technique with at least this strength counts as used (the classifier's threshold)."""
DIFFICULTY_GAIN = {"makkelijk": 1.1, "gemiddeld": 1.0, "moeilijk": 0.9}
MAX_GAIN = 18.0
MAX_PAIN = 26.0
MAX_STEP = 30
REPEAT_TRICK = 0.7
"""The same technique in two turns in a row earns less."""
REPEATED_REPLY = 0.3
BAD_DAMPS_GOOD = 0.3
"""When a reply also pushes, its good parts count for this much ("Ik snap je, maar …")."""


@dataclass(frozen=True)
class TurnContext:
    """What the analyser needs to know about the conversation so far."""

    last_line: str = ""
    """The persona's most recent line."""
    resistance: int = 50
    listened: bool = False
    """Whether the participant already listened/summarised/asked in an earlier turn."""
    previous: tuple[str, ...] = ()
    """Earlier participant replies (a repeated reply earns less)."""
    last_used: frozenset[str] = frozenset()
    """Techniques used in the previous turn."""
    revealed: int = 0
    """How many reveal steps of the concern the persona already gave."""


@dataclass
class TurnAnalysis:
    """The analysis of one reply. `summary()` is what the session transcript stores."""

    text: str
    techniques: list[str]
    """The classifier's decision: the techniques this reply uses (may be empty)."""
    scores: dict[str, float]
    """Strength 0..1 per technique; >= `DETECTED` exactly for `techniques`."""
    good: tuple[str, ...] = ()
    bad: tuple[str, ...] = ()
    open_questions: int = 0
    closed_questions: int = 0
    concern_hits: list[str] = field(default_factory=list)
    relevance: float = 0.0
    """How much the reply moves towards the hidden concern (0..1, see `Analyser`)."""
    insult: bool = False
    phrase: str = ""
    """A key phrase of the reply the persona can refer to."""
    proposal: str = ""
    """The concrete proposal in the reply (when it uses a proposal technique)."""
    resistance_delta: int = 0
    evidence: dict[str, str] = field(default_factory=dict)
    """Per used technique: the participant's words that show it."""

    def used(self) -> list[str]:
        return [t for t in self.techniques if t in self.good]

    def moves(self) -> list[str]:
        return [t for t in self.techniques if t in self.bad]

    def summary(self) -> dict[str, Any]:
        return {
            "techniques": list(self.techniques),
            "scores": {k: round(v, 2) for k, v in self.scores.items() if v >= 0.2},
            "open_questions": self.open_questions,
            "closed_questions": self.closed_questions,
            "concern": list(self.concern_hits),
            "relevance": round(self.relevance, 2),
            "insult": self.insult,
            "delta": self.resistance_delta,
            "evidence": dict(self.evidence),
        }


class Analyser:
    """Analyses replies. Build with `Analyser.from_knowledge`; without an embedder only the
    cue phrases count (a much weaker fallback, for tools and tests without the model)."""

    def __init__(self, book: TechniqueBook, persona: PersonaBook,
                 classifier: TechniqueClassifier | None = None,
                 encoder: QueryEncoder | None = None) -> None:
        self.book = book
        self.persona = persona
        self.classifier = classifier
        self.encoder = encoder
        self.cues = CueDetector(book)
        self._lock = threading.Lock()
        self._concern: dict[str, np.ndarray] = {}
        self._anchors: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def from_knowledge(cls, knowledge_dir: Path, encoder: QueryEncoder | None,
                       cache_dir: Path | None = None) -> Analyser:
        folder = knowledge_dir / SCENARIO_DIR
        book = load_technique_book(folder / TECHNIQUES_FILE)
        persona = load_persona_book(folder)
        classifier = load_or_train(folder, book, encoder, cache_dir) if encoder else None
        return cls(book, persona, classifier, encoder)

    def warm_up(self) -> None:
        """Load the embedding model now instead of on the first reply."""
        if self.encoder is not None:
            self.encoder.encode_queries(["warm-up"])

    def _anchor_matrices(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Embeddings of the generic concern questions and of the small-talk anchors."""
        if self.encoder is None:
            return None
        if self._anchors is None:
            concern = np.asarray(self.encoder.encode_queries(self.persona.concern_questions),
                                 dtype=np.float64)
            small = np.asarray(self.encoder.encode_queries(self.persona.small_talk),
                               dtype=np.float64)
            self._anchors = (concern, small)
        return self._anchors

    def _concern_matrix(self, scenario: Scenario) -> np.ndarray | None:
        """Embeddings of the hidden concern and the reveal steps (cached per scenario)."""
        if self.encoder is None:
            return None
        with self._lock:
            found = self._concern.get(scenario.id)
        if found is None:
            texts = [scenario.hidden_concern, *scenario.reactions.on_question]
            found = np.asarray(self.encoder.encode_queries(texts), dtype=np.float64)
            with self._lock:
                self._concern[scenario.id] = found
        return found

    # Analysis -----------------------------------------------------------------------------------
    def analyse(self, scenario: Scenario, text: str,
                context: TurnContext | None = None) -> TurnAnalysis:
        ctx = context or TurnContext(last_line=scenario.opening,
                                     resistance=scenario.start_resistance)
        found = self.cues.detect(text)
        embedding: np.ndarray | None = None
        if self.classifier is not None and self.encoder is not None:
            embedding = np.asarray(self.encoder.encode_queries([text]), dtype=np.float64)[0]
            probabilities = self.classifier.probabilities(text, embedding)
            scores = self.classifier.strengths(probabilities)
        else:
            scores = {t: found.strengths.get(t, 0.0) for t in self.book.ids}
        techniques = [t for t in self.book.ids if scores.get(t, 0.0) >= DETECTED]
        toks = tokens(text)
        concern = [kw for kw in scenario.concern_keywords if keyword_hit(kw, toks)]
        analysis = TurnAnalysis(
            text=text,
            techniques=techniques,
            scores={k: round(min(1.0, v), 3) for k, v in scores.items()},
            good=self.book.good,
            bad=self.book.bad,
            open_questions=found.open_questions,
            closed_questions=found.closed_questions,
            concern_hits=concern,
            relevance=self._relevance(scenario, embedding, concern, ctx),
            insult=self.persona.is_insult(toks),
            phrase=key_phrase(text, self.cues.content_stems),
            evidence={t: found.evidence.get(t) or short_quote(text) for t in techniques},
        )
        if any(t in self.book.with_role("proposal") for t in techniques):
            analysis.proposal = proposal_phrase(text, self.persona.proposal_cues)
        analysis.resistance_delta = self._delta(analysis, scenario, ctx)
        return analysis

    def _relevance(self, scenario: Scenario, embedding: np.ndarray | None,
                   concern: list[str], ctx: TurnContext) -> float:
        """0..1: how much more the reply resembles the concern, the next reveal step or a
        generic question about what bothers someone than small talk; a concern keyword counts
        as at least `keyword_relevance`."""
        value = self.persona.keyword_relevance if concern else 0.0
        matrix = self._concern_matrix(scenario) if embedding is not None else None
        anchors = self._anchor_matrices()
        if matrix is not None and anchors is not None and embedding is not None:
            steps = len(scenario.reactions.on_question)
            rows = [0, 1 + min(ctx.revealed, steps - 1)]
            towards = max(float(max(matrix[r] @ embedding for r in rows)),
                          float((anchors[0] @ embedding).max()))
            margin = towards - float((anchors[1] @ embedding).max())
            span = self.persona.similarity_full - self.persona.similarity_floor
            value = max(value, (margin - self.persona.similarity_floor) / span)
        return max(0.0, min(1.0, value))

    def _delta(self, analysis: TurnAnalysis, scenario: Scenario, ctx: TurnContext) -> int:
        """Resistance change (negative = less resistance). Weights come from the data."""
        entries = self.book.techniques
        used, moves = analysis.used(), analysis.moves()
        gains = {t: entries[t].weight * (REPEAT_TRICK if t in ctx.last_used else 1.0)
                 for t in used}
        for t in self.book.with_role("question"):
            if t in gains:  # a question about something else (small talk) earns nothing
                gains[t] *= min(1.0, analysis.relevance / max(self.persona.reveal_from, 1e-6))
        listening = set(self.book.with_role("listening"))
        if not ctx.listened and ctx.resistance >= 60 and not listening & set(used):
            for t in self.book.with_role("proposal"):
                gains[t] = gains.get(t, 0.0) * 0.4  # a proposal before listening lands badly
            for t in self.book.with_role("concern"):
                gains[t] = gains.get(t, 0.0) * 0.6
        gain = min(sum(gains.values()), MAX_GAIN) * DIFFICULTY_GAIN[scenario.difficulty]
        norm = " ".join(tokens(analysis.text))
        if norm and any(" ".join(tokens(p)) == norm for p in ctx.previous):
            gain *= REPEATED_REPLY
        pain = min(sum(entries[m].weight for m in moves), MAX_PAIN)
        if moves:
            gain *= BAD_DAMPS_GOOD
        if analysis.insult:
            pain += self.persona.insult_weight
        return round(max(-MAX_STEP, min(MAX_STEP, pain - gain)))
