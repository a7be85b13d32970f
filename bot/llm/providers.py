"""Build a LangChain chat model from the settings. Nothing connects until the first request.

* ``openai``: `langchain_openai.ChatOpenAI` against any OpenAI-compatible endpoint (OpenAI,
  vLLM, llama.cpp server, LM Studio, LiteLLM and other gateways) via ``llm_base_url``.
* ``ollama``: `langchain_ollama.ChatOllama` against an Ollama server.

``max_retries=0``: a failed call falls back to the offline answer at once, which serves the
participant better than waiting through back-off retries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

NO_KEY = "not-needed"
"""Placeholder API key for local OpenAI-compatible servers that don't check one."""


class ProviderError(Exception):
    """The LLM settings cannot produce a chat model (one line, for the start-up log)."""


def build_chat_model(settings: Settings) -> BaseChatModel | None:
    """The configured chat model, or None when ``llm_provider`` is ``none``."""
    provider = settings.llm_provider
    if provider == "none":
        return None
    if provider == "openai":
        from langchain_openai import ChatOpenAI
        from pydantic import SecretStr

        return ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url or None,
            api_key=SecretStr(settings.llm_api_key or NO_KEY),
            timeout=settings.llm_timeout,
            max_retries=0,
            max_completion_tokens=settings.llm_max_tokens,
            temperature=settings.llm_temperature,
        )
    if provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(
            model=settings.llm_model,
            base_url=settings.llm_base_url or None,
            temperature=settings.llm_temperature,
            num_predict=settings.llm_max_tokens,
            client_kwargs={"timeout": settings.llm_timeout},
        )
    raise ProviderError(f"unknown LLM provider {provider!r}")  # pragma: no cover - Literal
