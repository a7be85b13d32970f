"""Grounded generated answers: retrieval result -> numbered passages -> chat model -> checked text.

The retrieval decides *whether* the material covers the question (no LLM call when it doesn't:
the same "not in the material" reply as offline). The model only phrases an answer from the
passages, which are sent as delimited data (``<bron id="n">``) with the rules in the system
message. Any failure (time-out, connection error, HTTP error, empty, malformed or ungrounded
reply) is logged and answered with the offline extractive answer; the participant never sees
an error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.answering.extractive import trim_at_sentence
from bot.answering.service import Answer, AnswerService, Source
from bot.llm.postprocess import UngroundedReply, finish, preview
from bot.llm.prompts import PromptLibrary
from bot.retrieval.retriever import RetrievalResult

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

log = logging.getLogger(__name__)

PartialCallback = Callable[[str], Awaitable[None]]
"""Receives the growing answer text (cleaned, cumulative) while the model streams."""

MAX_WORDS = 150
PASSAGE_CHARS = 1800
"""Per source: enough for the best chunk(s) of a file, small enough for small models."""
TOTAL_TIMEOUT_FACTOR = 3
"""The client time-out bounds each wait for data; the whole generation gets this many times it."""


@dataclass(frozen=True)
class Passage:
    number: int
    source: Source
    text: str


def neutralise(text: str) -> str:
    """Data can't open or close our delimiters: angle brackets become look-alikes."""
    return text.replace("<", "‹").replace(">", "›")


def content_text(content: Any) -> str:
    """The text of a LangChain message content (a string or a list of content blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for block in content:
            if isinstance(block, str):
                parts.append(block)
            elif isinstance(block, dict) and block.get("type") == "text":
                parts.append(str(block.get("text", "")))
        return "".join(parts)
    return ""


def describe(exc: BaseException) -> str:
    """A short reason for the log: time-out, HTTP status, connection error, bad reply."""
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None),
                                                          "status_code", None)
    name = type(exc).__name__
    if isinstance(exc, TimeoutError) or "timeout" in name.lower():
        return f"timeout ({name})"
    if status:
        return f"HTTP {status} ({name})"
    if "connect" in name.lower():
        return f"connection error ({name})"
    return f"{name}: {str(exc)[:200]}"


def passages_for(result: RetrievalResult, sources: list[Source]) -> list[Passage]:
    """One passage per source (same order and numbering as the source list)."""
    out: list[Passage] = []
    for number, source in enumerate(sources, 1):
        chunks = [h.chunk for h in result.hits if h.chunk.path == source.path]
        text = "\n\n".join(c.text.strip() for c in chunks)
        out.append(Passage(number, source, trim_at_sentence(text, PASSAGE_CHARS)))
    return out


class LLMAnswerer:
    """Writes the answer for a grounded retrieval result with a chat model."""

    def __init__(self, model: BaseChatModel, prompts: PromptLibrary, answers: AnswerService,
                 timeout: float = 30.0, max_words: int = MAX_WORDS) -> None:
        self.model = model
        self.prompts = prompts
        self.answers = answers
        self.total_timeout = timeout * TOTAL_TIMEOUT_FACTOR
        self.max_words = max_words

    def messages(self, question: str, passages: list[Passage]) -> list[BaseMessage]:
        from langchain_core.messages import HumanMessage, SystemMessage

        blocks = "\n\n".join(
            f'<bron id="{p.number}" titel="{neutralise(p.source.title).replace(chr(34), "")}">\n'
            f"{neutralise(p.text)}\n</bron>"
            for p in passages
        )
        system = self.prompts.render("answer_system", max_words=self.max_words)
        user = self.prompts.render("answer_user", sources=blocks, question=neutralise(question))
        return [SystemMessage(system), HumanMessage(user)]

    def extractive(self, result: RetrievalResult, sources: list[Source]) -> Answer:
        """The offline answer for a grounded result (what `AnswerService.ask` returns)."""
        del sources  # the offline answer picks its own (the file it answers from first)
        return self.answers.answer_for(result)

    async def answer(self, result: RetrievalResult,
                     on_partial: PartialCallback | None = None) -> Answer:
        if not result.grounded:
            return Answer(result.question, self.answers.not_in_material(), False, [], result)
        sources = self.answers.sources_for(result)
        passages = passages_for(result, sources)
        if not passages:
            return self.extractive(result, sources)
        messages = self.messages(result.question, passages)
        context = "\n".join(p.source.title + "\n" + p.text for p in passages)
        try:
            async with asyncio.timeout(self.total_timeout):
                raw = await self._generate(messages, len(passages), on_partial)
            done = finish(raw, len(passages), context, result.question)
        except UngroundedReply as exc:
            log.warning("LLM reply not used (%s); extractive answer instead", exc)
            return self.extractive(result, sources)
        except Exception as exc:
            log.warning("LLM answer failed: %s; extractive answer instead", describe(exc))
            return self.extractive(result, sources)
        return Answer(result.question, done.text, True, [sources[i] for i in done.keep], result,
                      generated=True)

    async def _generate(self, messages: list[BaseMessage], sources: int,
                        on_partial: PartialCallback | None) -> str:
        if on_partial is None:
            reply = await self.model.ainvoke(messages)
            return content_text(reply.content)
        parts: list[str] = []
        notify: PartialCallback | None = on_partial
        async for chunk in self.model.astream(messages):
            piece = content_text(chunk.content)
            if not piece:
                continue
            parts.append(piece)
            if notify is not None:
                try:
                    await notify(preview("".join(parts), sources))
                except Exception:
                    log.warning("showing the partial answer failed; continuing without",
                                exc_info=True)
                    notify = None
        return "".join(parts)
