"""The persona's voice: turns 'what kind of reaction' into the words the persona says.

The engine decides the dramaturgy (which `ReactionKind`, how resistance moves); a voice only
phrases it. `ScriptedVoice` picks lines from the scenario file. An LLM voice can implement the
same `PersonaVoice` protocol later and use ``scenario.reactions.lines(kind)`` as examples.
"""

from __future__ import annotations

import random
from typing import Literal, Protocol

from bot.roleplay.analyser import TurnAnalysis
from bot.roleplay.scenarios import Scenario
from bot.roleplay.session import RoleplaySession

ReactionKind = Literal["high", "medium", "low", "on_question", "on_pressure", "agreement"]
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


class ScriptedVoice:
    """Lines from the scenario file; never repeats a line until all of its kind were used.

    ``on_question`` lines are revealed in file order, so the concern surfaces step by step.
    The choice is seeded by the session, so a restored session continues identically.
    """

    def line(
        self,
        scenario: Scenario,
        session: RoleplaySession,
        kind: ReactionKind,
        analysis: TurnAnalysis | None,
    ) -> str:
        lines = scenario.reactions.lines(kind)
        if kind == "on_question":
            if session.revealed < len(lines):
                session.revealed += 1
                return lines[session.revealed - 1]
            kind = level(session.resistance)
            lines = scenario.reactions.lines(kind)
        used = session.used_lines.setdefault(kind, [])
        free = [i for i in range(len(lines)) if i not in used]
        if not free:
            last = used[-1] if used else -1
            used.clear()
            free = [i for i in range(len(lines)) if i != last] or list(range(len(lines)))
        rng = random.Random(f"{session.seed}:{session.turns}:{kind}")
        choice = rng.choice(free)
        used.append(choice)
        return lines[choice]
