"""Telegram adapter for role-play: /oefenen, the conversation, 💡 Tip, /stop, /mijnoefeningen."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import features, texts
from bot.roleplay import texts as rp_texts
from bot.roleplay.engine import RoleplayError
from bot.roleplay.service import RoleplayService
from bot.telegram.common import MENU, TelegramFeature, reply_plain, send_html
from bot.telegram.common import ROLEPLAY as CB
from bot.telegram.flows import Preloaded
from bot.telegram.render import esc


def _user_of(message: Message) -> int | None:
    return message.from_user.id if message.from_user is not None else None


def _turn_buttons() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(texts.RP_BTN_HINT, callback_data=CB.data("hint")),
        InlineKeyboardButton(texts.RP_BTN_STOP, callback_data=CB.data("stop")),
    ]])


def _after_buttons() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(texts.RP_BTN_AGAIN, callback_data=CB.data("list")),
        InlineKeyboardButton(texts.RP_BTN_HISTORY, callback_data=CB.data("history")),
    ]])


class RoleplayHandlers:
    def __init__(self, service: RoleplayService) -> None:
        self.service = service
        self.active = Preloaded("roleplay-active", self._is_active)
        """Text from a participant in the middle of a role-play conversation."""
        self.just_ended = Preloaded("roleplay-just-ended", self._just_ended)
        """Text right after a conversation ended (it would otherwise go to the Q&A)."""
        self.ended_before_command = Preloaded("roleplay-ended-before-command", self._just_ended,
                                              applies=filters.COMMAND)
        """A command while the end notice was pending: the participant moved on."""

    def _is_active(self, message: Message) -> bool:
        user = _user_of(message)
        return user is not None and self.service.is_active(user)

    def _just_ended(self, message: Message) -> bool:
        user = _user_of(message)
        return user is not None and self.service.end_notice_pending(user)

    def watchers(self) -> list[BaseHandler[Any, Any, Any]]:
        """After any command (answered as usual) that came while the end notice was pending,
        the notice is dropped: the participant moved on, so their next text is a question."""
        return [MessageHandler(filters.COMMAND & self.ended_before_command, self.moved_on)]

    async def moved_on(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_user is not None:
            await asyncio.to_thread(self.service.dismiss_end_notice, update.effective_user.id)

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        return [
            CommandHandler("oefenen", self.list),
            CommandHandler("stop", self.stop),
            CommandHandler("mijnoefeningen", self.history),
            CallbackQueryHandler(self.list, pattern=CB.pattern("list", exact=True)),
            CallbackQueryHandler(self.list, pattern=MENU.pattern("oefenen", exact=True)),
            CallbackQueryHandler(self.start, pattern=CB.pattern("start")),
            CallbackQueryHandler(self.hint, pattern=CB.pattern("hint", exact=True)),
            CallbackQueryHandler(self.stop, pattern=CB.pattern("stop", exact=True)),
            CallbackQueryHandler(self.history, pattern=CB.pattern("history", exact=True)),
            # Whether a conversation is active / just ended is read from the database before
            # the handlers run (bot.telegram.flows.Preloaded), never inside a filter.
            MessageHandler(filters.TEXT & ~filters.COMMAND & self.active, self.reply),
            MessageHandler(filters.TEXT & ~filters.COMMAND & self.just_ended, self.after_end),
        ]

    @staticmethod
    async def _target(update: Update) -> Message | None:
        query = update.callback_query
        if query is not None:
            await query.answer()
            return query.message if isinstance(query.message, Message) else None
        return update.effective_message

    async def list(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = await self._target(update)
        if msg is None:
            return
        rows = [
            [InlineKeyboardButton(
                rp_texts.SCENARIO_BUTTON.format(
                    title=s.title, difficulty=rp_texts.DIFFICULTY_LABELS[s.difficulty]),
                callback_data=CB.data("start", s.id))]
            for s in self.service.scenarios()
        ]
        rows.append([InlineKeyboardButton(f"🎲 {rp_texts.SURPRISE_ME}",
                                          callback_data=CB.data("start", "*"))])
        await send_html(msg, texts.RP_CHOOSE, InlineKeyboardMarkup(rows))

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        data = CB.parse(query.data if query is not None else None)
        if query is None or data is None or update.effective_user is None:
            return
        if len(data.args) != 1:
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        scenario_id = data.args[0]
        try:
            opening = await asyncio.to_thread(
                self.service.start, update.effective_user.id,
                None if scenario_id == "*" else scenario_id)
        except RoleplayError as exc:
            await query.answer(str(exc), show_alert=True)
            return
        await query.answer()
        if not isinstance(query.message, Message):
            return
        await send_html(query.message, esc(opening.intro))
        await send_html(query.message, f"🎭 {esc(opening.line)}", _turn_buttons())

    async def reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = update.effective_message
        user = update.effective_user
        if msg is None or user is None:
            return
        await context.bot.send_chat_action(msg.chat_id, ChatAction.TYPING)
        try:
            turn = await asyncio.to_thread(self.service.reply, user.id, msg.text or "")
        except RoleplayError as exc:
            await reply_plain(msg, str(exc))
            return
        if turn.ended and turn.feedback is not None:
            await send_html(msg, f"🎭 {esc(turn.line)}")
            await send_html(msg, esc(self.service.render(turn.feedback)), _after_buttons())
        else:
            await send_html(msg, f"🎭 {esc(turn.line)}", _turn_buttons())

    async def after_end(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = update.effective_message
        if msg is None or update.effective_user is None:
            return
        notice = await asyncio.to_thread(self.service.take_end_notice, update.effective_user.id)
        await send_html(msg, esc(notice or rp_texts.SESSION_OVER), _after_buttons())

    async def hint(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        try:
            hint = await asyncio.to_thread(self.service.hint, query.from_user.id)
        except RoleplayError:
            await query.answer(texts.RP_NOT_ACTIVE, show_alert=True)
            return
        await query.answer()
        if isinstance(query.message, Message):
            await send_html(query.message, f"💡 {esc(hint)}", _turn_buttons())

    async def stop(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if user is None:
            return
        feedback = await asyncio.to_thread(self.service.stop, user.id)
        if feedback is None:
            if update.callback_query is not None:
                await update.callback_query.answer(texts.RP_NOT_ACTIVE, show_alert=True)
            elif update.effective_message is not None:
                await reply_plain(update.effective_message, texts.RP_NOT_ACTIVE)
            return
        msg = await self._target(update)
        if msg is not None:
            await send_html(msg, esc(self.service.render(feedback)), _after_buttons())

    async def history(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = await self._target(update)
        if msg is None or update.effective_user is None:
            return
        text = await asyncio.to_thread(self.service.history, update.effective_user.id)
        await send_html(msg, esc(text))


def register(service: RoleplayService | None) -> TelegramFeature | None:
    """/oefenen, /stop, /mijnoefeningen, the conversation (after the "waiting for text"
    handlers, before the Q&A text handler); None without scenarios."""
    if service is None:
        return None
    handlers = RoleplayHandlers(service)
    return TelegramFeature(features.ROLEPLAY, handlers.handlers(), watchers=handlers.watchers())
