"""The error handler: log with update context, apologise briefly, keep running."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypeVar

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import ContextTypes

from bot import texts
from bot.telegram.common import reply_plain

log = logging.getLogger(__name__)
T = TypeVar("T")


def is_expired_query(exc: BaseException) -> bool:
    """Telegram's answer to answerCallbackQuery for a button pressed too long ago."""
    text = str(exc).lower()
    return isinstance(exc, BadRequest) and (
        "query is too old" in text or "query id is invalid" in text)


async def answer_callback_tolerantly(call: Awaitable[T]) -> T | bool:
    """Run an answerCallbackQuery call; an expired query is harmless (False), the handler goes on.

    Used for every callback answer (the rate limiter routes answerCallbackQuery through it), so
    a button pressed during downtime still does what it says after the restart.
    """
    try:
        return await call
    except BadRequest as exc:
        if not is_expired_query(exc):
            raise
        log.info("late button press: %s; carrying on without the answer", exc)
        return False


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    err = context.error
    where = ""
    if isinstance(update, Update):
        user = update.effective_user.id if update.effective_user else None
        chat = update.effective_chat.id if update.effective_chat else None
        kind = "callback" if update.callback_query else "message" if update.message else "other"
        where = f" (update {update.update_id}, {kind}, user {user}, chat {chat})"
    if isinstance(err, Forbidden):
        log.info("bot was blocked or removed%s: %s", where, err)
        return
    log.error("error while handling an update%s", where, exc_info=err)
    if not isinstance(update, Update) or isinstance(err, RetryAfter | NetworkError):
        return  # sending an apology over a failing connection would fail too
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.ERROR, show_alert=True)
        elif update.effective_message is not None:
            await reply_plain(update.effective_message, texts.ERROR)
    except Exception:
        log.warning("could not send the apology%s", where, exc_info=True)
