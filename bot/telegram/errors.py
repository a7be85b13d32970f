"""The error handler: log with update context, apologise briefly, keep running."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter
from telegram.ext import ContextTypes

from bot import texts

log = logging.getLogger(__name__)


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
            await update.effective_message.reply_text(texts.ERROR)
    except Exception:
        log.warning("could not send the apology%s", where, exc_info=True)
