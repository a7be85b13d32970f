"""Telegram adapter for questions and answers, /start, /help, /privacy and /vergeet.

Thin: parse the update, call a service, render the reply.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import ContextTypes

from bot import texts
from bot.answering.service import Answer, UserFacingError
from bot.telegram.guards import Guards
from bot.telegram.render import esc, render_answer, render_section, split_message

if TYPE_CHECKING:
    from bot.app import Services

log = logging.getLogger(__name__)

# Callback data prefixes (all callback data stays far below Telegram's 64-byte limit).
CB_MENU = "m"
CB_MORE = "q:more"
CB_RATE = "q:rate"
CB_FORGET = "forget"


async def send_html(message: Message, text: str,
                    markup: InlineKeyboardMarkup | None = None) -> Message:
    """Reply with HTML, split into ≤4096-character parts; buttons go on the last part."""
    parts = split_message(text) or [" "]
    sent = message
    for i, part in enumerate(parts):
        sent = await message.reply_text(
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if i == len(parts) - 1 else None,
            do_quote=False,
        )
    return sent


class QAHandlers:
    def __init__(self, services: Services, guards: Guards) -> None:
        self.services = services
        self.guards = guards
        self.participants = services.participants

    # Menu ------------------------------------------------------------------------------------
    def menu(self) -> InlineKeyboardMarkup:
        rows = [[InlineKeyboardButton(texts.MENU_ASK, callback_data=f"{CB_MENU}:ask")]]
        extra = [(label, key) for label, key, enabled in self.services.menu_entries() if enabled]
        for label, key in extra:
            rows.append([InlineKeyboardButton(label, callback_data=f"{CB_MENU}:{key}")])
        return InlineKeyboardMarkup(rows)

    def features(self) -> str:
        lines = [texts.FEATURE_QA]
        lines += [f for f, enabled in self.services.feature_lines() if enabled]
        return "\n".join(lines)

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = update.effective_message
        user = update.effective_user
        if msg is None or user is None:
            return
        name = esc(user.first_name or "daar")
        await send_html(msg, texts.WELCOME.format(name=name, features=self.features()),
                        self.menu())

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is None:
            return
        commands = "\n".join(f"/{c} – {esc(d)}" for c, d in self.services.command_list())
        await send_html(update.effective_message, texts.HELP.format(commands=commands))

    async def privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await send_html(update.effective_message, texts.PRIVACY)

    async def menu_ask(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        if query.message is not None and isinstance(query.message, Message):
            await send_html(query.message, texts.ASK_PROMPT)

    # Questions -------------------------------------------------------------------------------
    async def vraag(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        question = " ".join(context.args or [])
        if not question.strip():
            if update.effective_message is not None:
                await update.effective_message.reply_text(texts.VRAAG_EMPTY)
            return
        await self.answer(update, context, question)

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = update.effective_message
        if msg is None:
            return
        await self.answer(update, context, self.guards.strip_mention(msg.text or ""))

    async def answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE,
                     question: str) -> None:
        msg = update.effective_message
        user = update.effective_user
        if msg is None or user is None:
            return
        if not self.guards.flood.allow(user.id):
            if self.guards.flood.should_warn(user.id):
                await msg.reply_text(texts.FLOOD)
            return
        await context.bot.send_chat_action(msg.chat_id, ChatAction.TYPING)
        try:
            answer: Answer = await self.services.ask(user.id, question)
        except UserFacingError as exc:
            await msg.reply_text(str(exc))
            return
        sources = [asdict(s) for s in answer.sources]
        qid = await asyncio.to_thread(self.participants.log_question, user.id, answer.question,
                                      answer.answer, answer.grounded, sources)
        buttons: list[list[InlineKeyboardButton]] = []
        if answer.sources:
            buttons.append([InlineKeyboardButton(texts.BTN_MORE,
                                                 callback_data=f"{CB_MORE}:{qid}:0")])
        buttons.append([
            InlineKeyboardButton(texts.BTN_UP, callback_data=f"{CB_RATE}:{qid}:1"),
            InlineKeyboardButton(texts.BTN_DOWN, callback_data=f"{CB_RATE}:{qid}:-1"),
        ])
        await send_html(msg, render_answer(answer), InlineKeyboardMarkup(buttons))

    async def more(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        try:
            _, _, qid, idx = query.data.split(":")
            row = await asyncio.to_thread(self.participants.question, int(qid))
            if row is None or row.user_id != query.from_user.id:
                raise LookupError
            section = row.sources[int(idx)]["section"]
            title, body = self.services.answers.section(section)
        except (ValueError, LookupError, KeyError, UserFacingError):
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        await query.answer()
        if isinstance(query.message, Message):
            await send_html(query.message, render_section(title, body))

    async def rate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        try:
            _, _, qid, value = query.data.split(":")
            ok = await asyncio.to_thread(self.participants.rate, int(qid), query.from_user.id,
                                         1 if int(value) > 0 else -1)
        except ValueError:
            ok = False
        await query.answer(texts.THANKS_FEEDBACK if ok else texts.STALE_BUTTON)

    # Privacy ---------------------------------------------------------------------------------
    async def forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is None:
            return
        markup = InlineKeyboardMarkup([[
            InlineKeyboardButton(texts.BTN_FORGET_YES, callback_data=f"{CB_FORGET}:yes"),
            InlineKeyboardButton(texts.BTN_FORGET_NO, callback_data=f"{CB_FORGET}:no"),
        ]])
        await send_html(update.effective_message, texts.FORGET_CONFIRM, markup)

    async def forget_confirm(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        if query.data == f"{CB_FORGET}:yes":
            await asyncio.to_thread(self.services.forget_user, query.from_user.id)
            text = texts.FORGET_DONE
        else:
            text = texts.FORGET_CANCELLED
        if isinstance(query.message, Message):
            await query.edit_message_text(text)

    # Fallbacks -------------------------------------------------------------------------------
    async def unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None and update.effective_chat is not None \
                and update.effective_chat.type == "private":
            await update.effective_message.reply_text(texts.UNSUPPORTED_MEDIA)

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(texts.UNKNOWN_COMMAND)

    async def stale_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.STALE_BUTTON, show_alert=True)
