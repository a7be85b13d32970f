"""Telegram adapter for questions and answers, /start, /help, /privacy and /vergeet.

Thin: parse the update, call a service, render the reply.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import TYPE_CHECKING

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import features, texts
from bot.answering import texts as at
from bot.answering.service import Answer, AnswerService, UserFacingError
from bot.features import Catalog
from bot.store.participants import ParticipantStore
from bot.telegram.common import (
    ASSIGNMENTS,
    FORGET,
    MENU,
    QA,
    ROLEPLAY,
    CallbackDataError,
    TelegramFeature,
    reply_plain,
    send_html,
    with_plain_fallback,
)
from bot.telegram.guards import Guards
from bot.telegram.render import (
    esc,
    markdown_to_html,
    render_answer,
    render_section,
    split_message,
)

if TYPE_CHECKING:
    from bot.llm.answers import PartialCallback

    AskFn = Callable[[int, str, PartialCallback | None], Awaitable[Answer]]

log = logging.getLogger(__name__)


DRAFT_INTERVAL = 0.75
"""Seconds between two drafts of a streamed answer in a private chat."""
EDIT_INTERVAL = 1.0
"""Seconds between two edits of a streamed answer in a group."""
MAX_GROUP_EDITS = 10
"""Interim edits per answer in a group (Telegram allows about 20 messages a minute there)."""
PREVIEW_CHARS = 3500
PREVIEW_MIN_CHARS = 20
"""Don't show a preview of just a word or two."""


async def send_answer(message: Message, text: str,
                      markup: InlineKeyboardMarkup | None) -> Message:
    """`send_html`: HTML, resent as plain text if Telegram rejects the markup."""
    return await send_html(message, text, markup)


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
            await with_plain_fallback(self._send, markdown_to_html(text),
                                      plain=text.replace("**", ""))
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

    async def finish(self, text: str, markup: InlineKeyboardMarkup | None) -> None:
        """Send the final answer: a new message, or in a group the final edit."""
        if self._task is not None:
            await self._task
        parts = split_message(text) or [" "]
        if self.sent is not None and len(parts) == 1:
            sent = self.sent

            async def edit(body: str, mode: str | None) -> object:
                return await sent.edit_text(body, parse_mode=mode, reply_markup=markup)

            try:
                await with_plain_fallback(edit, parts[0])
                return
            except BadRequest as exc:
                log.info("final edit failed (%s); sending the answer as a new message", exc)
        if self.sent is not None:  # too long for one message, or the edit failed
            try:
                await self.sent.delete()
            except TelegramError as exc:
                log.info("could not delete the preview message: %s", exc)
        await send_answer(self.message, text, markup)


class QAHandlers:
    """Questions and answers, /start, /help, /privacy, /vergeet and the catch-alls."""

    def __init__(self, *, ask: AskFn, answers: AnswerService, participants: ParticipantStore,
                 guards: Guards, catalog: Catalog, new_conversation: Callable[[int], None],
                 forget_user: Callable[[int], bool], practice_ids: frozenset[str] = frozenset(),
                 assignment_numbers: frozenset[int] = frozenset(), postgres: bool = False,
                 with_dates: Callable[[int, str, Answer], Answer] | None = None) -> None:
        self.ask = ask
        self.with_dates = with_dates
        """The participant's own lesdagen for a date question (`Services.with_dates`)."""
        self.answers = answers
        self.participants = participants
        self.guards = guards
        self.catalog = catalog
        self.new_conversation_of = new_conversation
        self.forget_user = forget_user
        self.practice_ids = practice_ids
        """Scenarios that can be practised (🎭 under an objection answer)."""
        self.assignment_numbers = assignment_numbers
        self.postgres = postgres

    # Menu ------------------------------------------------------------------------------------
    def menu(self) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[MENU.button(e.label, e.key)] for e in self.catalog.menu])

    def features(self) -> str:
        return "\n".join(e.feature_line for e in self.catalog.menu)

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
        commands = "\n".join(f"/{c.name} – {esc(c.description)}" for c in self.catalog.commands)
        await send_html(update.effective_message, texts.HELP.format(commands=commands))

    async def privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await send_html(update.effective_message, texts.PRIVACY.format(
                erasure=texts.PRIVACY_ERASURE_POSTGRES if self.postgres
                else texts.PRIVACY_ERASURE))

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
                await reply_plain(update.effective_message, texts.VRAAG_EMPTY)
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
                await reply_plain(msg, texts.FLOOD)
            return
        await context.bot.send_chat_action(msg.chat_id, ChatAction.TYPING)
        preview = AnswerPreview(context.bot, msg, msg.chat.type == "private")
        try:
            answer: Answer = await self.ask(user.id, question, preview.update)
        except UserFacingError as exc:
            await reply_plain(msg, str(exc))
            return
        if self.with_dates is not None:
            answer = await asyncio.to_thread(self.with_dates, user.id, question, answer)
        if answer.social:  # a greeting or a thank-you: no course question to log or rate
            await preview.finish(render_answer(answer), None)
            return
        sources = [asdict(s) for s in answer.sources]
        if answer.further is not None:  # 'Meer hierover' of objection advice: stored last
            sources.append(asdict(answer.further))
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
            if answer.practice and answer.practice in self.practice_ids:
                row.append(ROLEPLAY.button(at.BTN_PRACTICE, "start", answer.practice))
            row.append(QA.button(at.BTN_WHOLE_CASE, "case", qid))
            rows.append(row)
            if answer.further is not None:  # the theory behind it (Omgaan met weerstanden…)
                rows.append([QA.button(texts.BTN_MORE, "more", qid, len(answer.sources))])
        elif answer.sources:
            rows.append([QA.button(texts.BTN_MORE, "more", qid, 0)])
        if answer.assignment is not None and answer.assignment in self.assignment_numbers:
            rows.append([ASSIGNMENTS.button(at.BTN_CHECKLIST, "open", answer.assignment)])
        rows.append([QA.button(texts.BTN_UP, "rate", qid, 1),
                     QA.button(texts.BTN_DOWN, "rate", qid, -1)])
        return rows

    async def _own_question(self, user_id: int, qid: str) -> list[dict[str, str]]:
        """The sources of one of this user's logged answers (LookupError if not theirs)."""
        row = await asyncio.to_thread(self.participants.question, int(qid))
        if row is None or row.user_id != user_id:
            raise LookupError(qid)
        sources: list[dict[str, str]] = row.sources
        return sources

    async def whole_case(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """📖 Hele casus: the whole casus file of an objection answer."""
        query = update.callback_query
        data = QA.parse(query.data if query is not None else None)
        if query is None or data is None:
            return
        try:
            (qid,) = data.args
            path = (await self._own_question(query.from_user.id, qid))[0]["path"]
            title, body = self.answers.document(path)
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
        await asyncio.to_thread(self.new_conversation_of, update.effective_user.id)
        await reply_plain(msg, texts.NEW_CONVERSATION)

    async def more(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        data = QA.parse(query.data if query is not None else None)
        if query is None or data is None:
            return
        try:
            qid, idx = data.args
            section = (await self._own_question(query.from_user.id, qid))[int(idx)]["section"]
            title, body = self.answers.section(section)
        except (ValueError, LookupError, KeyError, UserFacingError):
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        await query.answer()
        if isinstance(query.message, Message):
            await send_html(query.message, render_section(title, body))

    async def rate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        data = QA.parse(query.data if query is not None else None)
        if query is None or data is None:
            return
        try:
            qid, value = data.ints(2)
            ok = await asyncio.to_thread(self.participants.rate, qid, query.from_user.id,
                                         1 if value > 0 else -1)
        except CallbackDataError:
            ok = False
        await query.answer(texts.THANKS_FEEDBACK if ok else texts.STALE_BUTTON)

    # Privacy ---------------------------------------------------------------------------------
    async def forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is None:
            return
        markup = InlineKeyboardMarkup([[FORGET.button(texts.BTN_FORGET_YES, "yes"),
                                        FORGET.button(texts.BTN_FORGET_NO, "no")]])
        await send_html(update.effective_message, texts.FORGET_CONFIRM, markup)

    async def forget_confirm(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        data = FORGET.parse(query.data)
        if data is not None and data.action == "yes" and not data.args:
            member = await asyncio.to_thread(self.forget_user, query.from_user.id)
            text = texts.FORGET_DONE + (f" {texts.FORGET_KEPT_MEMBERSHIP}" if member else "")
        else:
            text = texts.FORGET_CANCELLED
        if isinstance(query.message, Message):
            await query.edit_message_text(text, parse_mode=None)

    # Fallbacks -------------------------------------------------------------------------------
    async def unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None and update.effective_chat is not None \
                and update.effective_chat.type == "private":
            await reply_plain(update.effective_message, texts.UNSUPPORTED_MEDIA)

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await reply_plain(update.effective_message, texts.UNKNOWN_COMMAND)

    async def stale_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.STALE_BUTTON, show_alert=True)


def register(h: QAHandlers) -> list[TelegramFeature]:
    """Questions (first: its commands and buttons; last: the catch-alls) and /help, /privacy,
    /vergeet."""
    qa = TelegramFeature(features.QA, [
        CommandHandler("start", h.start),
        CommandHandler("vraag", h.vraag),
        CommandHandler("nieuw", h.new_conversation),
        CallbackQueryHandler(h.menu_ask, pattern=MENU.pattern("ask", exact=True)),
        CallbackQueryHandler(h.more, pattern=QA.pattern("more")),
        CallbackQueryHandler(h.whole_case, pattern=QA.pattern("case")),
        CallbackQueryHandler(h.rate, pattern=QA.pattern("rate")),
    ], last=[
        MessageHandler(filters.COMMAND, h.unknown_command),
        MessageHandler(filters.TEXT, h.text),  # in groups Guards.group_filter ran first
        MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL, h.unsupported),
        CallbackQueryHandler(h.stale_button),
    ])
    account = TelegramFeature(features.ACCOUNT, [
        CommandHandler("help", h.help),
        CommandHandler("privacy", h.privacy),
        CommandHandler("vergeet", h.forget),
        CallbackQueryHandler(h.forget_confirm, pattern=FORGET.pattern()),
    ])
    return [qa, account]
