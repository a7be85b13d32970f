"""Offline analysis of one participant reply in a role-play.

Two signals are combined per technique (see `bot.roleplay.techniques`):

1. Cue phrases and question detection on normalised Dutch text (typo tolerant), from
   ``knowledge/rollenspel/_technieken.yaml``.
2. Embedding similarity (`bot.roleplay.similarity`) to labelled example replies: the generic
   exemplars in ``_technieken.yaml`` and the good_responses / poor_responses of every casus. It
   gives a polarity (like replies that work or that backfire) and per-technique votes, which is
   what makes the analyser generalise to phrasings that appear nowhere in the files.

Cues win where they fire (similarity can raise a technique to at most `VOTE_CAP`); a strong
counterproductive move damps the good techniques of the same reply ("Ik begrijp je, maar het is
nu eenmaal besloten"). The result is a strength 0..1 per technique and move, a polarity and the
resistance delta the reply causes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.knowledge.loader import load_knowledge
from bot.roleplay.cues import CueDetector
from bot.roleplay.normalise import clip, short_quote, tokens
from bot.roleplay.scenarios import SCENARIO_DIR, Scenario
from bot.roleplay.similarity import Exemplar, Judgement, QueryEncoder, SimilarityModel
from bot.roleplay.techniques import (
    BAD_MOVES,
    GOOD_TECHNIQUES,
    TECHNIQUES_FILE,
    TechniqueBook,
    load_technique_book,
)

__all__ = ["DETECTED", "Analyser", "Exemplar", "QueryEncoder", "TurnAnalysis", "TurnContext"]

DETECTED = 0.5
"""A technique with at least this strength counts as used in the turn."""
VOTE_FLOOR = 0.25
VOTE_SPAN = 0.45
VOTE_CAP = 0.7
"""Similarity alone never makes a technique stronger than this (cues can reach 1.0)."""

CONCERN_POLARITY = -0.15
"""Naming the concern only counts as serving the other's interest when the reply is not
clearly like replies that backfire ('Cijfers zeggen niets')."""
FALLBACK_POLARITY = -0.35
"""Below this polarity a reply without any recognised technique counts as arguing back."""

GAIN = {"luisteren": 9.0, "samenvatten": 8.0, "doorvragen": 9.0, "belang-ander": 8.0,
        "voorstel": 7.0}
PAIN = {"tegenargumenteren": 12.0, "wegwuiven": 11.0, "druk": 14.0, "zorg-negeren": 7.0}
DIFFICULTY_GAIN = {"makkelijk": 1.1, "gemiddeld": 1.0, "moeilijk": 0.9}
POLARITY_STEP = 5.0
MAX_GAIN = 18.0
MAX_STEP = 28
REPEAT = 0.7


@dataclass(frozen=True)
class TurnContext:
    """What the analyser needs to know about the conversation so far."""

    last_line: str = ""
    """The persona's most recent line (the point the reply should respond to)."""
    resistance: int = 50
    listened: bool = False
    """Whether the participant already listened/summarised/asked in an earlier turn."""
    previous: tuple[str, ...] = ()
    """Earlier participant replies (a repeated reply earns less)."""
    last_used: frozenset[str] = frozenset()
    """Techniques used in the previous turn: the same trick twice in a row earns less."""


@dataclass
class TurnAnalysis:
    """The analysis of one reply. `summary()` is what the session transcript stores."""

    text: str
    scores: dict[str, float]
    """Strength 0..1 for every technique and counterproductive move."""
    open_questions: int = 0
    closed_questions: int = 0
    concern_hits: list[str] = field(default_factory=list)
    polarity: float = 0.0
    resistance_delta: int = 0
    evidence: dict[str, str] = field(default_factory=dict)
    """Per detected technique: the participant's sentence that shows it."""

    def used(self) -> list[str]:
        return [t for t in GOOD_TECHNIQUES if self.scores.get(t, 0.0) >= DETECTED]

    def moves(self) -> list[str]:
        return [m for m in BAD_MOVES if self.scores.get(m, 0.0) >= DETECTED]

    @property
    def asked_open_question(self) -> bool:
        return self.open_questions > 0 and self.scores.get("doorvragen", 0.0) >= DETECTED

    @property
    def pushed(self) -> bool:
        """Pressure, arguing or dismissing (not merely ignoring the point)."""
        return any(self.scores.get(m, 0.0) >= DETECTED for m in BAD_MOVES[:3])

    @property
    def addresses_concern(self) -> bool:
        return bool(self.concern_hits) or any(
            self.scores.get(t, 0.0) >= DETECTED for t in ("belang-ander", "voorstel")
        )

    def summary(self) -> dict[str, Any]:
        return {
            "scores": {k: round(v, 2) for k, v in self.scores.items() if v >= 0.2},
            "open_questions": self.open_questions,
            "closed_questions": self.closed_questions,
            "concern": list(self.concern_hits),
            "polarity": round(self.polarity, 2),
            "delta": self.resistance_delta,
            "evidence": dict(self.evidence),
        }


class Analyser:
    """Scores one reply. Build with `Analyser.from_knowledge`; the embedder is optional
    (without one only cue phrases count, which generalises much worse)."""

    def __init__(
        self,
        book: TechniqueBook,
        exemplars: Sequence[Exemplar] = (),
        encoder: QueryEncoder | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.book = book
        self.cues = CueDetector(book)
        self.similarity = (
            SimilarityModel(exemplars, encoder, cache_dir) if encoder is not None else None
        )

    @classmethod
    def from_knowledge(
        cls,
        knowledge_dir: Path,
        encoder: QueryEncoder | None,
        cache_dir: Path | None = None,
    ) -> Analyser:
        """Technique book + exemplars from ``_technieken.yaml`` and all casus files.

        ``cache_dir`` (e.g. the data dir) keeps the exemplar embeddings between restarts.
        """
        book = load_technique_book(knowledge_dir / SCENARIO_DIR / TECHNIQUES_FILE)
        labeller = CueDetector(book)
        out: list[Exemplar] = []
        for name, entry in book.techniques.items():
            polarity = 1 if name in GOOD_TECHNIQUES else -1
            for text in entry.exemplars:
                out.append(_exemplar(labeller, text, polarity, f"techniek:{name}", {name}))
        for kfile in load_knowledge(knowledge_dir).files:
            if kfile.casus is None:
                continue
            for text in kfile.casus.good_responses:
                out.append(_exemplar(labeller, text, 1, kfile.path, set()))
            for text in kfile.casus.poor_responses:
                out.append(_exemplar(labeller, text, -1, kfile.path, set()))
        return cls(book, out, encoder, cache_dir)

    @property
    def exemplars(self) -> list[Exemplar]:
        return self.similarity.exemplars if self.similarity is not None else []

    def warm_up(self) -> None:
        """Embed the exemplars now instead of on the first reply (call at start-up)."""
        if self.similarity is not None:
            self.similarity.warm_up()

    # Analysis -----------------------------------------------------------------------------------
    def analyse(
        self, scenario: Scenario, text: str, context: TurnContext | None = None
    ) -> TurnAnalysis:
        """Analyse one reply of the participant in the context of ``scenario``."""
        ctx = context or TurnContext(
            last_line=scenario.opening, resistance=scenario.start_resistance
        )
        found = self.cues.detect(text)
        scores = {t: found.strengths.get(t, 0.0) for t in (*GOOD_TECHNIQUES, *BAD_MOVES)}
        evidence = dict(found.evidence)
        judgement = self.similarity.judge(text) if self.similarity is not None else Judgement()
        _merge(scores, evidence, judgement, text, rhetorical=found.rhetorical)

        toks = tokens(text)
        concern = [kw for kw in scenario.concern_keywords if self.cues.keyword(kw, toks)]
        worst = max(scores[m] for m in BAD_MOVES[:3])
        if concern and worst < DETECTED and judgement.polarity > CONCERN_POLARITY:
            scores["belang-ander"] = max(scores["belang-ander"], 0.5)
            evidence.setdefault("belang-ander", short_quote(text))
        engaged = any(scores[t] >= DETECTED for t in GOOD_TECHNIQUES[:4]) or bool(concern)
        overlap = self.cues.overlap(text, ctx.last_line) if ctx.last_line else 1
        if not engaged and overlap == 0 and judgement.polarity < 0.5:
            scores["zorg-negeren"] = max(scores["zorg-negeren"], 0.6)
            evidence.setdefault("zorg-negeren", short_quote(text))
        if (
            judgement.polarity < FALLBACK_POLARITY
            and max(scores[m] for m in BAD_MOVES) < DETECTED
            and max(scores[t] for t in GOOD_TECHNIQUES) < DETECTED
        ):
            # clearly like replies that backfire, yet no specific move recognised: most poor
            # example replies argue back or lecture
            scores["tegenargumenteren"] = max(scores["tegenargumenteren"], 0.5)
            evidence.setdefault("tegenargumenteren", short_quote(text))
        if worst >= DETECTED:
            for t in GOOD_TECHNIQUES:
                scores[t] *= 1.0 - 0.5 * worst
        analysis = TurnAnalysis(
            text=text,
            scores={k: round(clip(v), 3) for k, v in scores.items()},
            open_questions=found.open_questions,
            closed_questions=found.closed_questions,
            concern_hits=concern,
            polarity=judgement.polarity,
            evidence={k: v for k, v in evidence.items() if scores.get(k, 0.0) >= DETECTED},
        )
        analysis.resistance_delta = _delta(analysis, scenario, ctx)
        return analysis


def _exemplar(
    labeller: CueDetector, text: str, polarity: int, source: str, labels: set[str]
) -> Exemplar:
    """Label an example reply by its declared technique plus the cues it contains."""
    found = labeller.detect(text).strengths
    side = GOOD_TECHNIQUES if polarity > 0 else BAD_MOVES
    labels |= {t for t in side if found.get(t, 0.0) >= DETECTED}
    return Exemplar(text, polarity, frozenset(labels), source)


def _merge(
    scores: dict[str, float],
    evidence: dict[str, str],
    judgement: Judgement,
    text: str,
    *,
    rhetorical: bool,
) -> None:
    """Raise technique strengths where similar examples agree (never lower a cue hit)."""
    good_side = clip((judgement.polarity + 1.0) / 2.0)
    for name in scores:
        if rhetorical and name == "doorvragen":
            continue
        share = judgement.votes.get(name, 0.0)
        side = good_side if name in GOOD_TECHNIQUES else 1.0 - good_side
        strength = clip((share - VOTE_FLOOR) / VOTE_SPAN) * VOTE_CAP * clip(side / 0.6)
        if strength > scores[name]:
            scores[name] = strength
            if strength >= DETECTED:
                evidence.setdefault(name, short_quote(text))


def _delta(analysis: TurnAnalysis, scenario: Scenario, ctx: TurnContext) -> int:
    """Resistance change caused by the reply (negative = less resistance)."""
    s = analysis.scores
    gains = {t: GAIN[t] * s[t] * (REPEAT if t in ctx.last_used else 1.0) for t in GOOD_TECHNIQUES}
    if not ctx.listened and ctx.resistance >= 60 and max(
        s["luisteren"], s["samenvatten"], s["doorvragen"]
    ) < DETECTED:
        gains["voorstel"] *= 0.4  # a proposal before listening lands badly
        gains["belang-ander"] *= 0.6
    gain = min(sum(gains.values()), MAX_GAIN) * DIFFICULTY_GAIN[scenario.difficulty]
    norm = " ".join(tokens(analysis.text))
    if norm and any(" ".join(tokens(p)) == norm for p in ctx.previous):
        gain *= 0.3
    pain = min(sum(PAIN[m] * s[m] for m in BAD_MOVES), 26.0)
    delta = pain - gain - POLARITY_STEP * analysis.polarity
    if gain < 3 and pain < 3:
        delta += 2.0
    return round(max(-MAX_STEP, min(MAX_STEP, delta)))
