"""Telegram adapter for practice questions: /oefenvraag, /mijnvoortgang, the reminder's question.

A PTB ConversationHandler: ``/oefenvraag`` (or the "✍️ Beantwoorden" button under a reminder's
question) asks; the participant's next text message is the answer; ``/annuleer`` stops.

Callback data (far below 64 bytes; question ids are short slugs):

    z:ans:<question id>    answer this question (under the daily reminder)
    z:more:<question id>   "📖 Meer hierover": the question's source section
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Collection
from html import escape
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.answering.service import UserFacingError
from bot.quiz import texts
from bot.quiz.service import QuizService
from bot.telegram.qa import send_html
from bot.telegram.render import render_section

if TYPE_CHECKING:
    from bot.services import Services

CB = "z"
ANSWERING = 1
STALE = "Deze knop werkt niet meer. Typ /oefenvraag."


def more_markup(question_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        texts.BTN_MORE, callback_data=f"{CB}:more:{question_id}")]])


def reminder_addition(quiz: QuizService, user_id: int
                      ) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """HTML to append to a daily reminder and the button row to answer it ('' when none)."""
    if not quiz.in_reminder(user_id):
        return "", []
    question = quiz.schedule.pick(user_id, quiz.bank.questions, quiz.calendar.dates(),
                                  only_due=True)
    if question is None:
        return "", []
    html = texts.REMINDER_QUESTION.format(theme=escape(quiz.theme_label(question)),
                                          question=escape(question.question))
    if quiz.announce_once(user_id):
        html += texts.ANNOUNCE
    button = InlineKeyboardButton(texts.BTN_ANSWER, callback_data=f"{CB}:ans:{question.id}")
    return html, [[button]]


class PendingFilter(filters.MessageFilter):
    """Messages from participants with an open practice question."""

    def __init__(self, quiz: QuizService) -> None:
        super().__init__(name="QuizPending")
        self.quiz = quiz

    def filter(self, message: Message) -> bool:
        user = message.from_user
        return user is not None and self.quiz.pending(user.id) is not None


class QuizHandlers:
    def __init__(self, services: Services, quiz: QuizService) -> None:
        self.services = services
        self.quiz = quiz

    async def ask(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return ConversationHandler.END
        question = await asyncio.to_thread(self.quiz.next_question, user.id)
        if question is None:
            await msg.reply_text(texts.NO_QUESTION)
            return ConversationHandler.END
        await send_html(msg, self.quiz.render_question(question))
        return ANSWERING

    async def answer_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        query = update.callback_query
        if query is None or query.data is None:
            return ConversationHandler.END
        question = self.quiz.bank.get(query.data.split(":", 2)[2])
        if question is None:
            await query.answer(STALE, show_alert=True)
            return ConversationHandler.END
        await asyncio.to_thread(self.quiz.set_pending, query.from_user.id, question.id)
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.reply_text(texts.ANSWER_PROMPT.format(question=question.question))
        return ANSWERING

    async def answer_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return ConversationHandler.END
        question = await asyncio.to_thread(self.quiz.pending, user.id)
        if question is None:  # e.g. the question was removed from knowledge/
            await msg.reply_text(texts.GONE)
            return ConversationHandler.END
        text = (msg.text or "").strip()
        if not text:
            await msg.reply_text(texts.EMPTY_ANSWER)
            return ANSWERING
        feedback = await asyncio.to_thread(self.quiz.answer, user.id, question.id, text)
        await send_html(msg, self.quiz.render_feedback(feedback), more_markup(question.id))
        return ConversationHandler.END

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        if update.effective_message is not None:
            await update.effective_message.reply_text(texts.EMPTY_ANSWER)
        return ANSWERING

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        if update.effective_user is not None:
            await asyncio.to_thread(self.quiz.set_pending, update.effective_user.id, None)
        if update.effective_message is not None:
            await update.effective_message.reply_text(texts.CANCELLED)
        return ConversationHandler.END

    async def more(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        question = self.quiz.bank.get(query.data.split(":", 2)[2])
        try:
            if question is None:
                raise LookupError
            title, body = await asyncio.to_thread(self.services.answers.section,
                                                  self.quiz.source_section(question))
        except (LookupError, UserFacingError):
            await query.answer(STALE, show_alert=True)
            return
        await query.answer()
        if isinstance(query.message, Message):
            await send_html(query.message, render_section(title, body))

    async def drop_pending(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_user is not None:
            await asyncio.to_thread(self.quiz.set_pending, update.effective_user.id, None)

    async def progress(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return
        await send_html(msg, await asyncio.to_thread(self.quiz.render_progress, user.id))


def register_quiz_handlers(application: Application[Any, Any, Any, Any, Any, Any],
                           services: Services) -> None:
    """Register /oefenvraag, /mijnvoortgang and the quiz buttons (before other text handlers)."""
    if services.quiz is None:
        return
    h = QuizHandlers(services, services.quiz)
    with warnings.catch_warnings():  # per-user tracking is what we want for the reminder button
        warnings.filterwarnings("ignore", message="If 'per_message=False'")
        conversation = _conversation(h)
    application.add_handlers([
        conversation,
        CommandHandler("mijnvoortgang", h.progress),
        CallbackQueryHandler(h.more, pattern=rf"^{CB}:more:"),
    ])
    # Another command while a question is open: stop waiting, so the next text is Q&A again.
    application.add_handler(MessageHandler(
        filters.COMMAND & ~filters.Regex(r"^/(oefenvraag|annuleer)\b") & PendingFilter(h.quiz),
        h.drop_pending), group=1)


def _conversation(h: QuizHandlers) -> ConversationHandler[Any]:
    # The open question lives in the database (QuizService.pending), so an answer after a
    # restart (the conversation state is in memory) is still judged: it is also an entry point.
    pending_text = filters.TEXT & ~filters.COMMAND & PendingFilter(h.quiz)
    return ConversationHandler(
        entry_points=[CommandHandler("oefenvraag", h.ask),
                      CallbackQueryHandler(h.answer_button, pattern=rf"^{CB}:ans:"),
                      MessageHandler(pending_text, h.answer_text)],
        states={ANSWERING: [
            MessageHandler(pending_text, h.answer_text),
            MessageHandler(~filters.COMMAND & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                           h.not_text),
        ]},
        fallbacks=[CommandHandler("annuleer", h.cancel)],
        allow_reentry=True,
        name="quiz",
    )


def reminder_quiz(services: Services, chat_id: int
                  ) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """The daily reminder's practice question (reminders go to the private chat: id = user)."""
    if services.quiz is None:
        return "", []
    return reminder_addition(services.quiz, chat_id)


def quiz_toggle(quiz: QuizService, user_id: int, arg: str) -> str:
    """``/herinnering oefenvraag aan|uit``."""
    words = arg.lower().split()
    if len(words) != 2 or words[1] not in {"aan", "uit"}:
        return texts.TOGGLE_USAGE
    return quiz.set_in_reminder(user_id, words[1] == "aan")


def quiz_missed_html(services: Services, cohort_ids: Collection[int]) -> str:
    """For /overzicht: the practice questions the chosen cohorts missed most ('' when none)."""
    if services.quiz is None:
        return ""
    from bot.store.cohorts import CohortStore

    store = CohortStore(services.db)
    members = set().union(*(store.members(c) for c in cohort_ids)) if cohort_ids else set()
    text = services.quiz.render_most_missed(user_ids=members)
    return f"\n\n{text}" if text else ""
