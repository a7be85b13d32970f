"""The persona's voice: turns 'what kind of reaction' into the words the persona says.

The engine decides the dramaturgy (which `ReactionKind`, how resistance moves); a voice only
phrases it. `ScriptedVoice` combines the scenario's own lines with the generic reactions of
``_persona.yaml`` that quote what the participant just said. An LLM voice implements the same
`PersonaVoice` protocol (`bot.llm.roleplay`).
"""

from __future__ import annotations

import random
from typing import Literal, Protocol

from bot.roleplay.analyser import TurnAnalysis
from bot.roleplay.persona import LineKind, PersonaBook
from bot.roleplay.scenarios import Scenario
from bot.roleplay.session import RoleplaySession

ReactionKind = Literal["high", "medium", "low", "on_question", "on_pressure", "agreement",
                       "acknowledged", "off_topic", "on_insult", "question_elsewhere",
                       "ask_proposal"]
LEVELS: tuple[ReactionKind, ...] = ("high", "medium", "low")
HIGH_FROM = 60
MEDIUM_FROM = 30


def level(resistance: int) -> ReactionKind:
    """Reaction level for a resistance value: high >= 60, medium 30-59, low < 30."""
    if resistance >= HIGH_FROM:
        return "high"
    if resistance >= MEDIUM_FROM:
        return "medium"
    return "low"


class PersonaVoice(Protocol):
    """Produces the persona's next line."""

    def line(
        self,
        scenario: Scenario,
        session: RoleplaySession,
        kind: ReactionKind,
        analysis: TurnAnalysis | None,
    ) -> str:
        """The persona's line of the given kind. ``session`` already holds the new resistance
        and turn count; the voice may record what it used in ``session.used_lines`` /
        ``session.revealed``. ``analysis`` is the participant's reply just analysed."""
        ...


def _pick(session: RoleplaySession, key: str, lines: list[str]) -> str:
    """A line not used before (per key) until all were used; seeded by the session."""
    used = session.used_lines.setdefault(key, [])
    free = [i for i in range(len(lines)) if i not in used]
    if not free:
        last = used[-1] if used else -1
        used.clear()
        free = [i for i in range(len(lines)) if i != last] or list(range(len(lines)))
    rng = random.Random(f"{session.seed}:{session.turns}:{key}")
    choice = rng.choice(free)
    used.append(choice)
    return lines[choice]


class ScriptedVoice:
    """Lines from the scenario file plus the generic reactions of the persona book.

    ``on_question`` lines are revealed in file order, so the concern surfaces step by step.
    """

    def __init__(self, persona: PersonaBook | None = None) -> None:
        self.persona = persona

    def scenario_line(self, scenario: Scenario, session: RoleplaySession, kind: str) -> str:
        if kind == "on_question":
            lines = scenario.reactions.on_question
            if session.revealed < len(lines):
                session.revealed += 1
                return lines[session.revealed - 1]
            kind = level(session.resistance)
        return _pick(session, kind, scenario.reactions.lines(kind))

    def generic(self, scenario: Scenario, session: RoleplaySession, kind: LineKind,
                **values: str) -> str:
        assert self.persona is not None
        template = _pick(session, f"generic:{kind}",
                         self.persona.options(kind, scenario.address))
        return template.format(**values)

    def line(
        self,
        scenario: Scenario,
        session: RoleplaySession,
        kind: ReactionKind,
        analysis: TurnAnalysis | None,
    ) -> str:
        phrase = analysis.phrase if analysis is not None else ""
        here = level(session.resistance)
        if self.persona is None or kind in (*LEVELS, "on_question"):
            plain = kind if kind in (*LEVELS, "on_question", "on_pressure", "agreement") else here
            return self.scenario_line(scenario, session, plain)
        if kind == "agreement":
            proposal = analysis.proposal if analysis is not None else ""
            if proposal:
                return self.generic(scenario, session, "agreement", proposal=proposal)
            return self.scenario_line(scenario, session, "agreement")
        if kind == "on_pressure":
            own = self.scenario_line(scenario, session, "on_pressure")
            if not phrase:
                return own
            return f"{self.generic(scenario, session, 'pushed', phrase=phrase)} {own}"
        if kind == "on_insult":
            return self.generic(scenario, session, "insult", phrase=phrase or "…")
        if kind == "ask_proposal":
            return self.generic(scenario, session, "ask_proposal")
        rest = self.scenario_line(scenario, session, here)
        if kind == "acknowledged" and phrase:
            return f"{self.generic(scenario, session, 'acknowledged', phrase=phrase)} {rest}"
        if kind == "off_topic":
            return f"{self.generic(scenario, session, 'off_topic')} {rest}"
        if kind == "question_elsewhere":
            return f"{self.generic(scenario, session, 'question_elsewhere')} {rest}"
        return rest
