"""The role-play engine: start a scenario, react to replies, give hints and feedback.

Knows nothing about Telegram. All state lives in `RoleplaySession` (JSON via ``to_dict``), so a
handler can store it between messages and after a restart (see `bot.roleplay.store`).
The engine is synchronous and CPU-bound (embedding a reply takes ~10-50 ms); from async code
call it via ``asyncio.to_thread``.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass
from typing import NamedTuple

from bot.roleplay import texts
from bot.roleplay.analyser import Analyser, TurnAnalysis, TurnContext
from bot.roleplay.feedback import AGREEMENT_BELOW, Evaluator, Feedback, ScriptedEvaluator
from bot.roleplay.scenarios import Scenario, ScenarioSet
from bot.roleplay.session import RoleplaySession, TurnRecord
from bot.roleplay.techniques import GOOD_TECHNIQUES
from bot.roleplay.voice import PersonaVoice, ReactionKind, ScriptedVoice, level

MAX_REPLY_CHARS = 1000
HIGH_RESISTANCE = 60
PROPOSE_BELOW = 40


class RoleplayError(Exception):
    """A request the engine cannot honour; ``str(exc)`` is a Dutch message for the participant."""


class Start(NamedTuple):
    session: RoleplaySession
    intro: str
    """Situation and goal for the participant ("je"), plain text."""
    opening: str
    """The persona's first line."""


@dataclass
class TurnResult:
    persona: str
    """The persona's reaction (plain text, without the name)."""
    resistance: int
    delta: int
    ended: bool
    status: str
    """active | agreement | max_turns (a reply never stops a session; use `stop`)."""
    kind: ReactionKind
    analysis: TurnAnalysis
    feedback: Feedback | None = None
    """Set when the conversation ended with this turn."""


class RoleplayEngine:
    """Drives conversations for all scenarios. Stateless itself: safe to share between users."""

    def __init__(
        self,
        scenarios: ScenarioSet,
        analyser: Analyser,
        max_turns: int = 8,
        voice: PersonaVoice | None = None,
        evaluator: Evaluator | None = None,
    ) -> None:
        if max_turns < 1:
            raise ValueError("max_turns must be at least 1")
        self.scenarios = scenarios
        self.analyser = analyser
        self.max_turns = max_turns
        self.voice: PersonaVoice = voice or ScriptedVoice()
        self.evaluator: Evaluator = evaluator or ScriptedEvaluator()

    # Scenarios ----------------------------------------------------------------------------------
    def list_scenarios(self) -> list[Scenario]:
        """All valid scenarios, easiest first."""
        return list(self.scenarios)

    def scenario(self, session: RoleplaySession) -> Scenario:
        """The scenario of a session; `RoleplayError` when it no longer exists."""
        scenario = self.scenarios.get(session.scenario_id)
        if scenario is None:
            raise RoleplayError(texts.UNKNOWN_SCENARIO)
        return scenario

    @staticmethod
    def intro(scenario: Scenario) -> str:
        return texts.INTRO.format(
            title=scenario.title,
            situation=scenario.situation,
            goal=scenario.goal,
            name=scenario.persona.name,
            role=scenario.persona.role,
            organisation=scenario.persona.organisation,
        )

    # Conversation -------------------------------------------------------------------------------
    def start(
        self,
        scenario_id: str | None = None,
        rng: random.Random | None = None,
        exclude: Collection[str] = (),
    ) -> Start:
        """Start a scenario; ``None`` = "Verras me": a random one, avoiding ``exclude`` (e.g.
        scenarios done before) while others are left."""
        rng = rng or random.Random()
        if scenario_id is None:
            pool = [s for s in self.scenarios if s.id not in exclude] or list(self.scenarios)
            if not pool:
                raise RoleplayError(texts.NO_SCENARIOS)
            scenario = rng.choice(pool)
        else:
            found = self.scenarios.get(scenario_id)
            if found is None:
                raise RoleplayError(texts.UNKNOWN_SCENARIO)
            scenario = found
        session = RoleplaySession(
            scenario_id=scenario.id,
            resistance=scenario.start_resistance,
            start_resistance=scenario.start_resistance,
            seed=rng.randrange(2**31),
            last_line=scenario.opening,
        )
        return Start(session, self.intro(scenario), scenario.opening)

    def reply(self, session: RoleplaySession, text: str) -> TurnResult:
        """Process one participant message; updates ``session`` in place."""
        scenario = self.scenario(session)
        if not session.active:
            raise RoleplayError(texts.SESSION_ENDED)
        text = " ".join(text.split())
        if not text:
            raise RoleplayError(texts.EMPTY_REPLY.format(name=scenario.persona.name))
        if len(text) > MAX_REPLY_CHARS:
            raise RoleplayError(
                texts.REPLY_TOO_LONG.format(length=len(text), limit=MAX_REPLY_CHARS)
            )
        context = TurnContext(
            last_line=session.last_line or scenario.opening,
            resistance=session.resistance,
            listened=session.listened,
            previous=tuple(t.user for t in session.transcript),
            last_used=frozenset(
                t for t in GOOD_TECHNIQUES if session.transcript and session.transcript[-1].used(t)
            ),
        )
        analysis = self.analyser.analyse(scenario, text, context)
        session.resistance = max(0, min(100, session.resistance + analysis.resistance_delta))
        session.turns += 1
        if analysis.addresses_concern and not analysis.pushed:
            session.concern_addressed = True
        kind = self._reaction(session, analysis)
        if kind == "agreement":
            session.status = "agreement"
        line = self.voice.line(scenario, session, kind, analysis)
        session.transcript.append(
            TurnRecord(text, line, session.resistance, analysis.summary(), kind)
        )
        session.last_line = line
        if session.active and session.turns >= self.max_turns:
            session.status = "max_turns"
        feedback = self.evaluator.evaluate(scenario, session) if session.ended else None
        return TurnResult(
            persona=line,
            resistance=session.resistance,
            delta=analysis.resistance_delta,
            ended=session.ended,
            status=session.status,
            kind=kind,
            analysis=analysis,
            feedback=feedback,
        )

    @staticmethod
    def _reaction(session: RoleplaySession, analysis: TurnAnalysis) -> ReactionKind:
        if (
            session.resistance < AGREEMENT_BELOW
            and session.concern_addressed
            and not analysis.pushed
        ):
            return "agreement"
        if analysis.pushed:
            return "on_pressure"
        if analysis.asked_open_question and analysis.resistance_delta <= 0:
            return "on_question"
        return level(session.resistance)

    def stop(self, session: RoleplaySession) -> Feedback:
        """End the conversation (if still active) and return the feedback."""
        scenario = self.scenario(session)
        if session.active:
            session.status = "stopped"
        return self.evaluator.evaluate(scenario, session)

    def feedback(self, session: RoleplaySession) -> Feedback:
        """Feedback on the conversation so far, without ending it."""
        return self.evaluator.evaluate(self.scenario(session), session)

    # Hints --------------------------------------------------------------------------------------
    def hint(self, session: RoleplaySession) -> str:
        """A tip for this moment: repair a push first, then acknowledge (high resistance), ask an
        open question, propose a small step (resistance low); otherwise the scenario's own hints
        in order, general to specific."""
        scenario = self.scenario(session)
        name = scenario.persona.name.split()[0]
        last = session.transcript[-1] if session.transcript else None
        candidates: list[tuple[str, str]] = []
        if last is not None and any(last.used(m) for m in
                                    ("tegenargumenteren", "wegwuiven", "druk")):
            move = max(("tegenargumenteren", "wegwuiven", "druk"), key=last.score)
            label = texts.TECHNIQUE_LABELS[move].lower()
            candidates.append(
                (f"push:{session.turns}", texts.HINT_AFTER_PUSH.format(move=label, name=name))
            )
        if session.resistance >= HIGH_RESISTANCE and not (
            session.used("luisteren") or session.used("samenvatten")
        ):
            candidates.append(("acknowledge", texts.HINT_ACKNOWLEDGE.format(name=name)))
        if not session.asked_open_question:
            candidates.append(("open-question", texts.HINT_OPEN_QUESTION))
        if session.resistance < PROPOSE_BELOW and not session.used("voorstel"):
            candidates.append(("propose", texts.HINT_PROPOSE))
        candidates += [(f"scenario:{i}", h) for i, h in enumerate(scenario.hints)]
        for key, hint in candidates:
            if key not in session.hints_given:
                session.hints_given.append(key)
                return hint
        return texts.HINT_NO_MORE
