"""Follow-up questions: the last few turns per participant, and the standalone rewrite.

The history lives in the database (``user_state`` key ``history``), so it survives a restart and
is wiped by /vergeet like everything else. /nieuw clears it. Only the last `MAX_TURNS` turns are
kept, each answer shortened: the rewrite needs the topic, not the whole answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.answering.extractive import trim_at_sentence
from bot.answering.service import MAX_QUESTION_CHARS
from bot.llm.answers import content_text, describe, neutralise
from bot.llm.prompts import PromptLibrary
from bot.store.participants import ParticipantStore

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

HISTORY_KEY = "history"
MAX_TURNS = 3
ANSWER_CHARS = 300
_PREFIXES = ("herschreven vraag:", "zelfstandige vraag:", "vraag:", "question:")


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str


class ConversationMemory:
    """Per-participant history of recent questions and (short) answers."""

    def __init__(self, participants: ParticipantStore, max_turns: int = MAX_TURNS) -> None:
        self.participants = participants
        self.max_turns = max_turns

    def history(self, user_id: int) -> list[Turn]:
        raw: Any = self.participants.get_state(user_id, HISTORY_KEY)
        if not isinstance(raw, list):
            return []
        turns = [Turn(str(t["q"]), str(t.get("a", ""))) for t in raw
                 if isinstance(t, dict) and t.get("q")]
        return turns[-self.max_turns:]

    def remember(self, user_id: int, question: str, answer: str) -> None:
        turns = [*self.history(user_id), Turn(question, trim_at_sentence(answer, ANSWER_CHARS))]
        value = [{"q": t.question, "a": t.answer} for t in turns[-self.max_turns:]]
        self.participants.set_state(user_id, HISTORY_KEY, value)

    def clear(self, user_id: int) -> None:
        self.participants.set_state(user_id, HISTORY_KEY, None)


def format_history(turns: list[Turn]) -> str:
    return "\n".join(
        f"Deelnemer: {neutralise(t.question)}\nWijkwijs: {neutralise(t.answer)}" for t in turns
    )


def clean_rewrite(reply: str, question: str) -> str | None:
    """The rewritten question from a model reply, or None when it is unusable."""
    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    if not lines:
        return None
    text = lines[0]
    for prefix in _PREFIXES:
        if text.lower().startswith(prefix):
            text = text[len(prefix):].strip()
    text = text.strip("\"'“”‘’`* ").strip()
    limit = min(MAX_QUESTION_CHARS, max(3 * len(question), len(question) + 200))
    if not text or len(text) > limit:
        return None
    return text


class QuestionRewriter:
    """Turns "en hoe pak ik dat aan?" into "Hoe pak ik een krachtenveldanalyse aan?"."""

    def __init__(self, model: BaseChatModel, prompts: PromptLibrary) -> None:
        self.model = model
        self.prompts = prompts

    def messages(self, question: str, history: list[Turn]) -> list[Any]:
        from langchain_core.messages import HumanMessage

        prompt = self.prompts.render("rewrite_question", history=format_history(history),
                                     question=neutralise(question))
        return [HumanMessage(prompt)]

    async def rewrite(self, question: str, history: list[Turn]) -> str:
        """A standalone question; the original when there is no history or anything fails."""
        if not history:
            return question
        try:
            reply = await self.model.ainvoke(self.messages(question, history))
        except Exception as exc:
            log.warning("question rewrite failed: %s; using the question as asked",
                        describe(exc))
            return question
        rewritten = clean_rewrite(content_text(reply.content), question)
        if rewritten is None:
            log.warning("question rewrite unusable; using the question as asked")
            return question
        log.debug("rewrote %r -> %r", question, rewritten)
        return rewritten
