"""Rate limiting: PTB's AIORateLimiter, counting only requests that send a message.

Telegram's ~30/s overall limit is about messages. Chat actions ("typing…") and callback answers
are cheap and must not wait behind a burst of reminders, so they bypass the limiter.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

from bot.telegram.errors import answer_callback_tolerantly

NETWORK_RETRIES = 3

log = logging.getLogger(__name__)

UNLIMITED = frozenset({"sendChatAction", "answerCallbackQuery", "getUpdates", "getMe",
                       "setMyCommands", "deleteWebhook", "setWebhook", "getWebhookInfo",
                       "sendMessageDraft"})
BEST_EFFORT = frozenset({"sendMessageDraft"})
"""Never retried: a failing draft is dropped after the first error and the answer goes out."""


class MessageRateLimiter(AIORateLimiter):
    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint == "getUpdates":  # the updater has its own retry loop
            return await callback(*args, **kwargs)
        for attempt in range(NETWORK_RETRIES + 1):
            try:
                if endpoint == "answerCallbackQuery":  # a late button press is harmless
                    return await answer_callback_tolerantly(callback(*args, **kwargs))
                if endpoint in UNLIMITED:
                    return await callback(*args, **kwargs)
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except NetworkError as exc:  # includes TimedOut; RetryAfter is not a NetworkError
                # RetryAfter is handled (and retried) by the parent class; plain network errors
                # and time-outs are retried here with a short back-off. BadRequest is final.
                if isinstance(exc, BadRequest) or attempt == NETWORK_RETRIES or \
                        endpoint in BEST_EFFORT:
                    raise
                log.warning("%s failed (%s); retry %d/%d", endpoint, exc, attempt + 1,
                            NETWORK_RETRIES)
                await asyncio.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")
