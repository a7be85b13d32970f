"""Telegram adapter for questions and answers, /start, /help, /privacy and /vergeet.

Thin: parse the update, call a service, render the reply.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import time
from dataclasses import asdict
from typing import TYPE_CHECKING

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot import texts
from bot.answering import texts as at
from bot.answering.service import Answer, UserFacingError
from bot.telegram.guards import Guards
from bot.telegram.render import (
    esc,
    markdown_to_html,
    render_answer,
    render_section,
    split_message,
)

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

# Callback data prefixes (all callback data stays far below Telegram's 64-byte limit).
CB_MENU = "m"
CB_MORE = "q:more"
CB_CASE = "q:case"
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


DRAFT_INTERVAL = 0.75
"""Seconds between two drafts of a streamed answer in a private chat."""
EDIT_INTERVAL = 1.0
"""Seconds between two edits of a streamed answer in a group."""
MAX_GROUP_EDITS = 10
"""Interim edits per answer in a group (Telegram allows about 20 messages a minute there)."""
PREVIEW_CHARS = 3500
PREVIEW_MIN_CHARS = 20
"""Don't show a preview of just a word or two."""


def html_to_plain(text: str) -> str:
    return html.unescape(re.sub(r"</?[a-z][^>]*>", "", text))


def _bad_markup(exc: BadRequest) -> bool:
    return "can't parse entities" in str(exc).lower()


async def send_answer(message: Message, text: str, markup: InlineKeyboardMarkup) -> Message:
    """`send_html`, resent as plain text if Telegram rejects the markup."""
    try:
        return await send_html(message, text, markup)
    except BadRequest as exc:
        if not _bad_markup(exc):
            raise
        log.warning("answer markup rejected (%s); sending plain text", exc)
        parts = split_message(html_to_plain(text)) or [" "]
        sent = message
        for i, part in enumerate(parts):
            sent = await message.reply_text(part, reply_markup=markup if i == len(parts) - 1
                                            else None, do_quote=False)
        return sent


class AnswerPreview:
    """Shows an answer while it is generated: drafts (sendMessageDraft) in a private chat, one
    message edited about once a second in a group. Updates run in the background and are
    skipped while one is still in flight, so a slow Telegram never slows the model down.
    A failing preview just stops; the final answer is sent as usual by `finish`."""

    def __init__(self, bot: Bot, message: Message, private: bool) -> None:
        self.bot = bot
        self.message = message
        self.private = private
        self.interval = DRAFT_INTERVAL if private else EDIT_INTERVAL
        self.draft_id = message.message_id or 1
        self.sent: Message | None = None
        self.updates = 0
        self.broken = False
        self._last = float("-inf")
        self._task: asyncio.Task[None] | None = None

    async def update(self, text: str) -> None:
        now = time.monotonic()
        if self.broken or len(text.strip()) < PREVIEW_MIN_CHARS or (
                now - self._last < self.interval) or (
                self._task is not None and not self._task.done()) or (
                not self.private and self.updates > MAX_GROUP_EDITS):
            return
        self._last = now
        self.updates += 1
        self._task = asyncio.create_task(self._show(text[:PREVIEW_CHARS] + " …"))

    async def _show(self, text: str) -> None:
        try:
            try:
                await self._send(markdown_to_html(text), ParseMode.HTML)
            except BadRequest as exc:
                if not _bad_markup(exc):
                    raise
                await self._send(text.replace("**", ""), None)
        except TelegramError as exc:
            log.info("answer preview stopped: %s", exc)
            self.broken = True

    async def _send(self, text: str, parse_mode: str | None) -> None:
        if self.private:
            await self.bot.send_message_draft(self.message.chat_id, self.draft_id, text,
                                              parse_mode=parse_mode)
        elif self.sent is None:
            self.sent = await self.message.reply_text(text, parse_mode=parse_mode,
                                                      do_quote=False)
        else:
            await self.sent.edit_text(text, parse_mode=parse_mode)

    async def finish(self, text: str, markup: InlineKeyboardMarkup) -> None:
        """Send the final answer: a new message, or in a group the final edit."""
        if self._task is not None:
            await self._task
        parts = split_message(text) or [" "]
        if self.sent is not None and len(parts) == 1:
            try:
                await self.sent.edit_text(parts[0], parse_mode=ParseMode.HTML,
                                          reply_markup=markup)
                return
            except BadRequest as exc:
                if _bad_markup(exc):
                    await self.sent.edit_text(html_to_plain(parts[0]), reply_markup=markup)
                    return
                log.info("final edit failed (%s); sending the answer as a new message", exc)
        if self.sent is not None:  # too long for one message, or the edit failed
            try:
                await self.sent.delete()
            except TelegramError as exc:
                log.info("could not delete the preview message: %s", exc)
        await send_answer(self.message, text, markup)


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
            postgres = self.services.db.engine.dialect.name == "postgresql"
            await send_html(update.effective_message, texts.PRIVACY.format(
                erasure=texts.PRIVACY_ERASURE_POSTGRES if postgres else texts.PRIVACY_ERASURE))

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
        allowed, warn = await self.guards.allow_question(user.id)
        if not allowed:
            if warn:
                await msg.reply_text(texts.FLOOD)
            return
        await context.bot.send_chat_action(msg.chat_id, ChatAction.TYPING)
        preview = AnswerPreview(context.bot, msg, msg.chat.type == "private")
        try:
            answer: Answer = await self.services.ask(user.id, question,
                                                     on_partial=preview.update)
        except UserFacingError as exc:
            await msg.reply_text(str(exc))
            return
        sources = [asdict(s) for s in answer.sources]
        qid = await asyncio.to_thread(self.participants.log_question, user.id, answer.question,
                                      answer.answer, answer.grounded, sources)
        buttons = self.answer_buttons(answer, qid)
        await preview.finish(render_answer(answer), InlineKeyboardMarkup(buttons))

    def answer_buttons(self, answer: Answer, qid: int) -> list[list[InlineKeyboardButton]]:
        """Objection advice: 🎭 practise (when a scenario fits) and 📖 the whole casus; an
        assignment answer: its checklist; otherwise 'Meer hierover'. Then the rating."""
        rows: list[list[InlineKeyboardButton]] = []
        if answer.casus_path and answer.sources:
            row = []
            roleplay = self.services.roleplay
            if answer.practice and roleplay is not None and \
                    any(s.id == answer.practice for s in roleplay.scenarios()):
                row.append(InlineKeyboardButton(at.BTN_PRACTICE,
                                                callback_data=f"rp:start:{answer.practice}"))
            row.append(InlineKeyboardButton(at.BTN_WHOLE_CASE,
                                            callback_data=f"{CB_CASE}:{qid}"))
            rows.append(row)
            if len(answer.sources) > 1:  # the theory behind it (e.g. Omgaan met weerstanden)
                rows.append([InlineKeyboardButton(texts.BTN_MORE,
                                                  callback_data=f"{CB_MORE}:{qid}:1")])
        elif answer.sources:
            rows.append([InlineKeyboardButton(texts.BTN_MORE,
                                              callback_data=f"{CB_MORE}:{qid}:0")])
        if answer.assignment is not None and any(a.number == answer.assignment
                                                 for a in self.services.catalogue):
            rows.append([InlineKeyboardButton(at.BTN_CHECKLIST,
                                              callback_data=f"a:open:{answer.assignment}")])
        rows.append([
            InlineKeyboardButton(texts.BTN_UP, callback_data=f"{CB_RATE}:{qid}:1"),
            InlineKeyboardButton(texts.BTN_DOWN, callback_data=f"{CB_RATE}:{qid}:-1"),
        ])
        return rows

    async def whole_case(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """📖 Hele casus: the whole casus file of an objection answer."""
        query = update.callback_query
        if query is None or query.data is None:
            return
        try:
            qid = int(query.data.split(":")[2])
            row = await asyncio.to_thread(self.participants.question, qid)
            if row is None or row.user_id != query.from_user.id:
                raise LookupError
            path = row.sources[0]["path"]
            title, body = self.services.answers.document(path)
        except (ValueError, LookupError, KeyError, IndexError, UserFacingError):
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        await query.answer()
        if isinstance(query.message, Message):
            await send_html(query.message, render_section(title, body))

    async def new_conversation(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/nieuw: forget the follow-up history (works offline too: there is just nothing)."""
        msg = update.effective_message
        if msg is None or update.effective_user is None:
            return
        await asyncio.to_thread(self.services.new_conversation, update.effective_user.id)
        await msg.reply_text(texts.NEW_CONVERSATION)

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
            member = await asyncio.to_thread(self.services.forget_user, query.from_user.id)
            text = texts.FORGET_DONE + (f" {texts.FORGET_KEPT_MEMBERSHIP}" if member else "")
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
