"""Update-level guards: access control, flood control, group etiquette.

(Idempotency lives in the update inbox: bot.store.inbox, bot.telegram.inbox.)

They run as TypeHandlers in negative groups before the feature handlers and stop an update with
`ApplicationHandlerStop` when it must not be handled.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque

from telegram import Chat, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import texts
from bot.settings import Settings
from bot.store.participants import ParticipantStore

log = logging.getLogger(__name__)


class FloodGuard:
    """At most ``limit`` questions per ``window`` seconds per user (sliding window)."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[int, deque[float]] = defaultdict(deque)
        self._warned: dict[int, float] = {}

    def allow(self, user_id: int, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        q = self._events[user_id]
        while q and now - q[0] > self.window:
            q.popleft()
        if len(q) >= self.limit:
            return False
        q.append(now)
        return True

    def should_warn(self, user_id: int, now: float | None = None) -> bool:
        """Warn once per window, not on every extra message."""
        now = time.monotonic() if now is None else now
        last = self._warned.get(user_id)
        if last is not None and now - last < self.window:
            return False
        self._warned[user_id] = now
        return True


class Guards:
    def __init__(self, settings: Settings, participants: ParticipantStore) -> None:
        self.settings = settings
        self.participants = participants
        self.flood = FloodGuard(settings.questions_per_minute)
        self.bot_username = ""

    # Access -----------------------------------------------------------------------------------
    def is_admin(self, user_id: int) -> bool:
        return user_id in self.settings.admin_ids

    @property
    def restricted(self) -> bool:
        return bool(self.settings.allowed_user_ids or self.settings.invite_code)

    async def access(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not isinstance(update, Update) or update.effective_user is None:
            return
        user = update.effective_user
        chat = update.effective_chat
        participant = await asyncio.to_thread(
            self.participants.touch, user.id, chat.id if chat else None,
            user.first_name or "", user.username or "",
        )
        if not self.restricted or self.is_admin(user.id):
            return
        if user.id in self.settings.allowed_user_ids or participant.authorized:
            return
        msg = update.effective_message
        text = (msg.text or "") if msg else ""
        code = self.settings.invite_code
        if code and text.startswith("/start") and text.split(maxsplit=1)[1:] == [code]:
            await asyncio.to_thread(self.participants.authorize, user.id)
            if msg is not None:
                await msg.reply_text(texts.INVITE_OK)
            return  # /start goes on to the welcome
        if await asyncio.to_thread(self.participants.mark_refused, user.id):
            if update.callback_query:
                await update.callback_query.answer(texts.NOT_ALLOWED, show_alert=True)
            elif msg is not None and chat is not None and chat.type == ChatType.PRIVATE:
                await msg.reply_text(texts.NOT_ALLOWED)
        elif update.callback_query:
            await update.callback_query.answer()
        raise ApplicationHandlerStop

    # Groups -----------------------------------------------------------------------------------
    def addressed_in_group(self, update: Update) -> bool:
        """In groups, only messages that mention the bot or reply to it are for us."""
        chat = update.effective_chat
        msg = update.effective_message
        if chat is None or msg is None or chat.type == Chat.PRIVATE:
            return True
        if msg.reply_to_message and msg.reply_to_message.from_user and \
                msg.reply_to_message.from_user.username == self.bot_username:
            return True
        text = msg.text or ""
        if self.bot_username and f"@{self.bot_username}".lower() in text.lower():
            return True
        return bool(text.startswith("/") and "@" not in text.split()[0])

    async def group_filter(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update) and update.message and not self.addressed_in_group(update):
            raise ApplicationHandlerStop

    def strip_mention(self, text: str) -> str:
        if self.bot_username:
            text = text.replace(f"@{self.bot_username}", " ")
        return text.strip()
