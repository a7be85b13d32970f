"""Per-participant role-play: the engine plus persistence, shared by every adapter.

Each call loads the participant's active session from the database and saves it again, so a
conversation survives a restart and works the same from Telegram or the terminal.

No lock here. Turns of one participant never overlap because the adapters already serialise a
participant: Telegram handles each user's updates one at a time, in order
(bot.telegram.concurrency.PerUserUpdateProcessor, which also keeps the replies in order, something
a lock in this service could not do), and the terminal chat is one user typing. A second,
per-user lock in this layer only duplicated that one; it was removed (issue 12).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from bot.roleplay import texts
from bot.roleplay.engine import RoleplayEngine, RoleplayError
from bot.roleplay.feedback import Feedback
from bot.roleplay.scenarios import Scenario
from bot.roleplay.store import RoleplayStore


@dataclass(frozen=True)
class Opening:
    scenario: Scenario
    intro: str
    line: str
    """The persona's first line, with the persona's name."""


@dataclass(frozen=True)
class Turn:
    line: str
    """The persona's reply, with the persona's name."""
    resistance: int
    ended: bool
    feedback: Feedback | None
    techniques: tuple[str, ...] = ()
    """The classifier's labels for the participant's reply."""


class RoleplayService:
    def __init__(self, engine: RoleplayEngine, store: RoleplayStore, timezone: str,
                 rng: random.Random | None = None,
                 titles: Mapping[str, str] | None = None) -> None:
        self.engine = engine
        self.titles = dict(titles or {})
        """Knowledge path -> title, so feedback names the material to read."""
        self.store = store
        self.timezone = timezone
        self._rng = rng or random.Random()

    def scenarios(self) -> list[Scenario]:
        return self.engine.list_scenarios()

    def is_active(self, user_id: int) -> bool:
        return self.store.has_active(user_id)

    def end_notice_pending(self, user_id: int) -> bool:
        """A message now comes right after a finished conversation (see `take_end_notice`)."""
        return self.store.end_notice_pending(user_id)

    def take_end_notice(self, user_id: int) -> str | None:
        """The 'conversation is over' notice, once, for the first message after the end."""
        if not self.store.end_notice_pending(user_id):
            return None
        self.store.clear_end_notice(user_id)
        return texts.SESSION_OVER

    def dismiss_end_notice(self, user_id: int) -> None:
        """The participant moved on (sent a command) after the end: text is a question again."""
        self.store.clear_end_notice(user_id)

    def _named(self, scenario: Scenario, line: str) -> str:
        return texts.PERSONA_LINE.format(name=scenario.persona.name, line=line)

    def start(self, user_id: int, scenario_id: str | None) -> Opening:
        """Start (or restart) a conversation; ``None`` picks one ("Verras me")."""
        self.store.discard_active(user_id)
        done = [h.scenario_id for h in self.store.history(user_id)]
        session, intro, opening = self.engine.start(scenario_id, rng=self._rng, exclude=done)
        self.store.save_active(user_id, session)
        scenario = self.engine.scenario(session)
        return Opening(scenario, intro, self._named(scenario, opening))

    def reply(self, user_id: int, text: str) -> Turn:
        session = self.store.load_active(user_id)
        if session is None:
            raise RoleplayError(texts.SESSION_ENDED)
        scenario = self.engine.scenario(session)
        result = self.engine.reply(session, text)
        if result.ended and result.feedback is not None:
            self.store.finish(user_id, session, result.feedback)
        else:
            self.store.save_active(user_id, session)
        return Turn(self._named(scenario, result.persona), result.resistance, result.ended,
                    result.feedback, tuple(result.techniques))

    def hint(self, user_id: int) -> str:
        session = self.store.load_active(user_id)
        if session is None:
            raise RoleplayError(texts.SESSION_ENDED)
        hint = self.engine.hint(session)
        self.store.save_active(user_id, session)
        return hint

    def stop(self, user_id: int) -> Feedback | None:
        """End the active conversation and return its feedback (None when there was none)."""
        session = self.store.load_active(user_id)
        if session is None:
            return None
        feedback = self.engine.stop(session)
        self.store.finish(user_id, session, feedback)
        return feedback

    def render(self, feedback: Feedback) -> str:
        return feedback.render_text(self.titles)

    def history(self, user_id: int) -> str:
        return self.store.render_history(user_id, self.timezone)
