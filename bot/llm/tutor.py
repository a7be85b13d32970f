"""The LLM question flow used by `bot.services.Services.ask` when an LLM is configured.

history -> standalone rewrite (only with history) -> retrieval -> grounded answer -> remember.
Every LLM step has an offline fallback, so this never fails where the offline flow would not.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.answering.service import Answer, AnswerService, clean_question
from bot.llm.answers import LLMAnswerer, PartialCallback
from bot.llm.memory import ConversationMemory, QuestionRewriter
from bot.llm.prompts import PromptError, PromptLibrary
from bot.llm.providers import build_chat_model
from bot.settings import Settings
from bot.store.participants import ParticipantStore

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)


class LLMTutor:
    def __init__(self, model: BaseChatModel, prompts: PromptLibrary, answers: AnswerService,
                 participants: ParticipantStore, timeout: float = 30.0) -> None:
        self.model = model
        self.prompts = prompts
        self.answers = answers
        self.answerer = LLMAnswerer(model, prompts, answers, timeout=timeout)
        self.rewriter = QuestionRewriter(model, prompts)
        self.memory = ConversationMemory(participants)

    async def ask(self, user_id: int, question: str,
                  on_partial: PartialCallback | None = None) -> Answer:
        """Answer like `AnswerService.ask`, generated when possible. `UserFacingError` for an
        empty or too long question, exactly as offline."""
        asked = clean_question(question)
        history = await asyncio.to_thread(self.memory.history, user_id)
        standalone = await self.rewriter.rewrite(asked, history)
        result = await asyncio.to_thread(self.answers.retrieve, standalone)
        if not result.grounded and standalone != asked:
            # A bad rewrite must not cost an answer the question as asked would get.
            original = await asyncio.to_thread(self.answers.retrieve, asked)
            if original.grounded:
                log.info("rewritten question not grounded; using the question as asked")
                standalone, result = asked, original
        answer = await self.answerer.answer(result, on_partial)
        answer.question = asked  # the log keeps the participant's words
        await asyncio.to_thread(self.memory.remember, user_id, standalone, answer.answer)
        return answer


def build_tutor(settings: Settings, answers: AnswerService, participants: ParticipantStore,
                model: BaseChatModel | None = None) -> LLMTutor | None:
    """The tutor for ``settings.llm_provider``; None when it is ``none`` or the prompts are
    broken (logged as an error: the bot then runs offline rather than not at all)."""
    model = model or build_chat_model(settings)
    if model is None:
        return None
    prompts = PromptLibrary(settings.prompts_dir)
    try:
        prompts.validate()
    except PromptError as exc:
        log.error("LLM disabled, the prompt files are not usable: %s", exc)
        return None
    log.info("LLM answers on: %s model %r at %s", settings.llm_provider, settings.llm_model,
             settings.llm_base_url or "the provider's default URL")
    return LLMTutor(model, prompts, answers, participants, timeout=settings.llm_timeout)
