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
from bot.roleplay.voice import PersonaVoice, ReactionKind, ScriptedVoice, level

MAX_REPLY_CHARS = 1000
HIGH_RESISTANCE = 60
PROPOSE_BELOW = 40
AGREE_ON_PROPOSAL_BELOW = 30
"""A concrete proposal (with the concern addressed) is accepted below this resistance."""


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
    techniques: list[str]
    """The classifier's decision for this reply (technique ids)."""
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
        self.book = analyser.book
        self.voice: PersonaVoice = voice or ScriptedVoice(analyser.persona)
        self.evaluator: Evaluator = evaluator or ScriptedEvaluator(analyser.book)

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
        book = self.book
        previous = session.transcript[-1] if session.transcript else None
        context = TurnContext(
            last_line=session.last_line or scenario.opening,
            resistance=session.resistance,
            listened=session.used_any(book.with_role("listening")),
            previous=tuple(t.user for t in session.transcript),
            last_used=frozenset(
                t for t in book.good if previous is not None and previous.used(t)
            ),
            revealed=session.revealed,
        )
        analysis = self.analyser.analyse(scenario, text, context)
        session.resistance = max(0, min(100, session.resistance + analysis.resistance_delta))
        session.turns += 1
        pushed = self._pushed(analysis)
        serves = set(book.with_role("concern")) | set(book.with_role("proposal"))
        if not pushed and (serves & set(analysis.techniques) or (
                analysis.concern_hits and analysis.used())):
            session.concern_addressed = True
        kind = self._reaction(session, analysis, scenario)
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
            techniques=list(analysis.techniques),
            analysis=analysis,
            feedback=feedback,
        )

    def _pushed(self, analysis: TurnAnalysis) -> bool:
        return analysis.insult or bool(set(self.book.with_role("pushes")) & set(
            analysis.techniques))

    def _reaction(self, session: RoleplaySession, analysis: TurnAnalysis,
                  scenario: Scenario) -> ReactionKind:
        """What the persona reacts to: the content of the reply, not its form."""
        book = self.book
        used = set(analysis.techniques)
        if analysis.insult:
            return "on_insult"
        if self._pushed(analysis):
            return "on_pressure"
        if not used:
            return "off_topic"
        proposes = bool(used & set(book.with_role("proposal")))
        if session.concern_addressed:
            if proposes and analysis.proposal and session.resistance < AGREE_ON_PROPOSAL_BELOW:
                return "agreement"  # agreement only on a concrete proposal, and it names it
            if session.resistance < AGREEMENT_BELOW and not proposes:
                return "ask_proposal"
        if used & set(book.with_role("question")):
            steps = scenario.reactions.on_question
            if (analysis.relevance >= self.analyser.persona.reveal_from
                    and session.revealed < len(steps)):
                return "on_question"
            if not used & set(book.with_role("softens")):
                return "question_elsewhere"
        if used & set(book.with_role("softens")):
            return "acknowledged"
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
        book, register = self.book, scenario.address
        name = scenario.persona.name.split()[0]
        last = session.transcript[-1] if session.transcript else None
        pushes = book.with_role("pushes")
        candidates: list[tuple[str, str]] = []
        if last is not None and any(last.used(m) for m in pushes):
            move = next(m for m in pushes if last.used(m))
            candidates.append((f"push:{session.turns}", book.hint("after_push", register).format(
                move=book.techniques[move].name.lower(), name=name)))
        if session.resistance >= HIGH_RESISTANCE and not session.used_any(
                book.with_role("softens")):
            candidates.append(("acknowledge", book.hint("acknowledge", register).format(
                name=name)))
        if not session.used_any(book.with_role("question")):
            candidates.append(("open-question", book.hint("open_question", register).format(
                name=name)))
        if session.resistance < PROPOSE_BELOW and not session.used_any(
                book.with_role("proposal")):
            candidates.append(("propose", book.hint("propose", register).format(name=name)))
        candidates += [(f"scenario:{i}", h) for i, h in enumerate(scenario.hints)]
        for key, hint in candidates:
            if key not in session.hints_given:
                session.hints_given.append(key)
                return hint
        return book.hint("no_more", register).format(name=name)
