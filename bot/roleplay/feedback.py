"""Feedback after a role-play: a structured `Feedback` and the scripted `Evaluator`.

Judgements are deliberately coarse: a technique never used scores 0, used once about 60, used
well in several turns 80-100. The overall score blends the techniques (45 %), avoiding the
counterproductive moves (25 %) and how far the resistance came down (30 %).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.roleplay import texts
from bot.roleplay.normalise import short_quote
from bot.roleplay.scenarios import Scenario
from bot.roleplay.session import RoleplaySession, TurnRecord
from bot.roleplay.techniques import TechniqueBook

AGREEMENT_BELOW = 20
"""Resistance under which the persona can agree (see the engine)."""
WEIGHT_TECHNIQUES = 0.45
WEIGHT_AVOID = 0.25
WEIGHT_PROGRESS = 0.30
BEST_OF = 3
"""The technique part is the mean of the best three techniques: nobody needs all five."""
MAX_QUOTES = 3
QUIET_MOVE = 0.5
"""A counterproductive move without the 'pushes' role (ignoring the concern) weighs half."""


@dataclass(frozen=True)
class Quote:
    """The participant's own words as evidence for a technique or move."""

    text: str
    technique: str

    def to_dict(self) -> dict[str, str]:
        return {"quote": self.text, "technique": self.technique}


@dataclass
class Feedback:
    """Structured feedback; the scripted and a future LLM evaluator both produce this."""

    scenario_id: str
    title: str
    persona: str
    score: int
    criteria: dict[str, int]
    """0-100 per technique (`GOOD_TECHNIQUES`) plus ``vermijden``."""
    outcome: str
    """agreement | max_turns | stopped (or active for an interim judgement)."""
    hidden_concern: str
    next_time: str
    tips: list[str] = field(default_factory=list)
    quotes_good: list[Quote] = field(default_factory=list)
    quotes_poor: list[Quote] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    """Knowledge-relative paths, e.g. ``lesstof/omgaan-met-weerstanden.md``."""
    turns: int = 0
    start_resistance: int = 0
    end_resistance: int = 0
    names: dict[str, str] = field(default_factory=dict, compare=False)
    """Display name per technique/criterion id (from the technique book; not serialised)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON shape used by the CLI and stored with the finished session."""
        return {
            "scenario": self.scenario_id,
            "title": self.title,
            "persona": self.persona,
            "score": self.score,
            "criteria": dict(self.criteria),
            "tips": list(self.tips),
            "next_time": self.next_time,
            "quotes_good": [q.to_dict() for q in self.quotes_good],
            "quotes_poor": [q.to_dict() for q in self.quotes_poor],
            "hidden_concern": self.hidden_concern,
            "related": list(self.related),
            "outcome": self.outcome,
            "turns": self.turns,
            "resistance": {"start": self.start_resistance, "end": self.end_resistance},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Feedback:
        resistance = data.get("resistance") or {}
        return cls(
            scenario_id=str(data.get("scenario", "")),
            title=str(data.get("title", "")),
            persona=str(data.get("persona", "")),
            score=int(data.get("score", 0)),
            criteria={str(k): int(v) for k, v in dict(data.get("criteria", {})).items()},
            outcome=str(data.get("outcome", "")),
            hidden_concern=str(data.get("hidden_concern", "")),
            next_time=str(data.get("next_time", "")),
            tips=[str(t) for t in data.get("tips", [])],
            quotes_good=[Quote(str(q["quote"]), str(q["technique"]))
                         for q in data.get("quotes_good", [])],
            quotes_poor=[Quote(str(q["quote"]), str(q["technique"]))
                         for q in data.get("quotes_poor", [])],
            related=[str(r) for r in data.get("related", [])],
            turns=int(data.get("turns", 0)),
            start_resistance=int(resistance.get("start", 0)),
            end_resistance=int(resistance.get("end", 0)),
        )

    def render_text(self, titles: Mapping[str, str] | None = None) -> str:
        """Readable Dutch feedback message (plain text, no markup).

        ``titles`` maps knowledge paths to titles, so "Lees verder" names the material."""
        titles = titles or {}
        label = self.names
        outcome = texts.OUTCOME_TEXT.get(self.outcome, texts.OUTCOME_TEXT["stopped"])
        out = [
            texts.FEEDBACK_HEADER.format(title=self.title),
            outcome.format(name=self.persona, turns=self.turns),
            texts.RESISTANCE_LINE.format(start=self.start_resistance, end=self.end_resistance),
            "",
            texts.SCORE_LINE.format(score=self.score),
        ]
        if self.turns == 0:
            out.append(texts.NO_TURNS)
        out += ["", texts.CRITERIA_HEADER]
        out += [texts.CRITERION_LINE.format(label=label.get(k, k), value=v)
                for k, v in self.criteria.items()]
        for header, quotes in ((texts.GOOD_QUOTES_HEADER, self.quotes_good),
                               (texts.POOR_QUOTES_HEADER, self.quotes_poor)):
            if quotes:
                out += ["", header]
                out += [texts.QUOTE_LINE.format(quote=q.text, label=label.get(q.technique, ""))
                        for q in quotes]
        out += ["", texts.CONCERN_HEADER, self.hidden_concern]
        out += ["", texts.NEXT_TIME_HEADER, self.next_time]
        if self.tips:
            out += ["", texts.TIPS_HEADER] + [texts.TIP_LINE.format(tip=t) for t in self.tips]
        if self.related:
            out += ["", texts.RELATED_HEADER]
            out += [texts.RELATED_LINE.format(title=titles.get(p, p)) for p in self.related]
        return "\n".join(out)


class Evaluator(Protocol):
    """Judges a (finished or stopped) conversation."""

    def evaluate(self, scenario: Scenario, session: RoleplaySession) -> Feedback: ...


def technique_criterion(turns: list[TurnRecord], technique: str) -> int:
    """0 never used; about 60 used once; 80-100 used well in several turns."""
    strengths = [max(0.5, t.score(technique)) for t in turns if t.used(technique)]
    if not strengths:
        return 0
    return min(100, round(40 + 20 * min(sum(strengths), 3.0)))


def _badness(turn: TurnRecord, book: TechniqueBook) -> float:
    push = 1.0 if any(turn.used(m) for m in book.with_role("pushes")) else 0.0
    quiet = QUIET_MOVE if any(turn.used(m) for m in book.bad
                              if m not in book.with_role("pushes")) else 0.0
    return min(1.0, push + quiet)


def avoid_criterion(turns: list[TurnRecord], book: TechniqueBook) -> int:
    """100 when no turn used a counterproductive move; lower per slip."""
    if not turns:
        return 100
    return round(100 * (1.0 - sum(_badness(t, book) for t in turns) / len(turns)))


def progress_score(session: RoleplaySession) -> int:
    """100 on agreement; 50 = resistance unchanged; lower when it went up."""
    if session.status == "agreement":
        return 100
    start, end = session.start_resistance, session.resistance
    if end <= start:
        value = 50 + 50 * (start - end) / max(start - AGREEMENT_BELOW, 10)
    else:
        value = 50 - 50 * (end - start) / 30
    return round(max(0.0, min(100.0, value)))


def _quotes(turns: list[TurnRecord], names: tuple[str, ...]) -> list[Quote]:
    """Evidence quotes from the per-turn labels, strongest first: at most one per turn,
    different techniques first."""
    found: list[tuple[float, int, Quote]] = []
    for index, turn in enumerate(turns):
        evidence = turn.analysis.get("evidence", {})
        for name in names:
            if turn.used(name):
                text = evidence.get(name) if isinstance(evidence, dict) else None
                quote = Quote(short_quote(str(text or turn.user)), name)
                found.append((turn.score(name), index, quote))
    found.sort(key=lambda item: -item[0])
    out: list[Quote] = []
    used_turns: set[int] = set()
    for allow_repeat in (False, True):
        for _score, index, quote in found:
            if len(out) == MAX_QUOTES:
                return out
            if index in used_turns or (
                not allow_repeat and any(q.technique == quote.technique for q in out)
            ):
                continue
            out.append(quote)
            used_turns.add(index)
    return out


class ScriptedEvaluator:
    """Rule-based evaluator working only from the per-turn technique labels in the transcript,
    so scores, quotes and tips always agree with each other."""

    def __init__(self, book: TechniqueBook) -> None:
        self.book = book

    def evaluate(self, scenario: Scenario, session: RoleplaySession) -> Feedback:
        book, register = self.book, scenario.address
        turns = session.transcript
        criteria = {t: technique_criterion(turns, t) for t in book.good}
        criteria[book.avoid.id] = avoid_criterion(turns, book)
        best = sorted((criteria[t] for t in book.good), reverse=True)[:BEST_OF]
        score = 0
        if turns:
            score = round(
                WEIGHT_TECHNIQUES * sum(best) / max(1, len(best))
                + WEIGHT_AVOID * criteria[book.avoid.id]
                + WEIGHT_PROGRESS * progress_score(session)
            )
        pushes = book.with_role("pushes")
        moves = {m: sum(1.0 if m in pushes else QUIET_MOVE for t in turns if t.used(m))
                 for m in book.bad}
        made = [m for m in book.bad if moves[m] > 0]
        focus = max(made, key=lambda m: moves[m]) if made else ""
        if not focus:
            missing = [t for t in book.good if criteria[t] == 0]
            weakest = min(book.good, key=lambda t: criteria[t])
            focus = missing[0] if missing else weakest if criteria[weakest] < 60 else ""
        entries = book.techniques
        next_time = entries[focus].next_time.get(register) if focus else scenario.hints[-1]
        tips = [entries[m].tip.get(register) for m in made if m != focus][:1]
        tips += [entries[t].tip.get(register)
                 for t in sorted(book.good, key=lambda t: criteria[t])
                 if criteria[t] < 60 and t != focus][: 2 - len(tips)]
        if scenario.hints[-1] != next_time:
            tips.append(scenario.hints[-1])
        return Feedback(
            scenario_id=scenario.id,
            title=scenario.title,
            persona=scenario.persona.name,
            score=score,
            criteria={k: criteria[k] for k in book.criteria},
            outcome=session.status,
            hidden_concern=scenario.hidden_concern,
            next_time=next_time,
            tips=tips,
            quotes_good=_quotes(turns, book.good),
            quotes_poor=_quotes(turns, book.bad),
            related=scenario.related_links(),
            turns=session.turns,
            start_resistance=session.start_resistance,
            end_resistance=session.resistance,
            names=book.names(),
        )
