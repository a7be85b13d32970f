"""Telegram adapter for practice questions: /oefenvraag, /mijnvoortgang, the reminder's question.

A persistent PTB ConversationHandler ("quiz", bot.telegram.flows): ``/oefenvraag`` (or the
"✍️ Beantwoorden" button under a reminder's question) asks; the participant's next text message is
the answer; ``/annuleer`` stops, and so does any other command.

Callback data (far below 64 bytes; question ids are short slugs):

    z:ans:<question id>    answer this question (under the daily reminder)
    z:more:<question id>   "📖 Meer hierover": the question's source section
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import features
from bot.answering.service import AnswerService, UserFacingError
from bot.quiz import texts
from bot.quiz.service import QuizService
from bot.telegram.common import QUIZ as CB
from bot.telegram.common import TelegramFeature, reply_plain, send_html
from bot.telegram.flows import Preloaded, WaitingConversation, not_text_reply
from bot.telegram.render import render_section

ANSWERING = 1


def more_markup(question_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        texts.BTN_MORE, callback_data=CB.data("more", question_id))]])


class QuizHandlers:
    def __init__(self, quiz: QuizService, answers: AnswerService) -> None:
        self.quiz = quiz
        self.answers = answers

    def _question_of(self, data: str | None) -> Any:
        """The question of a ``z:<action>:<id>`` button (None when unknown)."""
        parsed = CB.parse(data)
        if parsed is None or len(parsed.args) != 1:
            return None
        return self.quiz.bank.get(parsed.args[0])

    async def ask(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return ConversationHandler.END
        question = await asyncio.to_thread(self.quiz.next_question, user.id)
        if question is None:
            await reply_plain(msg, texts.NO_QUESTION)
            return ConversationHandler.END
        await send_html(msg, self.quiz.render_question(question))
        return ANSWERING

    async def answer_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        query = update.callback_query
        if query is None or query.data is None:
            return ConversationHandler.END
        question = self._question_of(query.data)
        if question is None:
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return ConversationHandler.END
        await asyncio.to_thread(self.quiz.set_pending, query.from_user.id, question.id)
        await query.answer()
        if isinstance(query.message, Message):
            await reply_plain(query.message,
                              texts.ANSWER_PROMPT.format(question=question.question))
        return ANSWERING

    async def answer_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return ConversationHandler.END
        question = await asyncio.to_thread(self.quiz.pending, user.id)
        if question is None:  # e.g. the question was removed from knowledge/
            await reply_plain(msg, texts.GONE)
            return ConversationHandler.END
        text = (msg.text or "").strip()
        if not text:
            await reply_plain(msg, texts.EMPTY_ANSWER)
            return ANSWERING
        feedback = await asyncio.to_thread(self.quiz.answer, user.id, question.id, text)
        await send_html(msg, self.quiz.render_feedback(feedback), more_markup(question.id))
        return ConversationHandler.END

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        if update.effective_user is not None:
            await asyncio.to_thread(self.quiz.set_pending, update.effective_user.id, None)
        if update.effective_message is not None:
            await reply_plain(update.effective_message, texts.CANCELLED)
        return ConversationHandler.END

    async def more(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        question = self._question_of(query.data)
        try:
            if question is None:
                raise LookupError
            title, body = await asyncio.to_thread(self.answers.section,
                                                  self.quiz.source_section(question))
        except (LookupError, UserFacingError):
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        await query.answer()
        if isinstance(query.message, Message):
            await send_html(query.message, render_section(title, body))

    def has_pending(self, message: Message) -> bool:
        """Runs in a worker thread (bot.telegram.flows.Preloaded)."""
        return message.from_user is not None and \
            self.quiz.pending(message.from_user.id) is not None

    async def progress(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return
        await send_html(msg, await asyncio.to_thread(self.quiz.render_progress, user.id))


def register(quiz: QuizService | None, answers: AnswerService) -> TelegramFeature | None:
    """/oefenvraag, /mijnvoortgang and the quiz buttons (before other text handlers); None
    without practice questions."""
    if quiz is None:
        return None
    h = QuizHandlers(quiz, answers)
    return TelegramFeature(features.QUIZ, [
        _conversation(h),
        CommandHandler("mijnvoortgang", h.progress),
        CallbackQueryHandler(h.more, pattern=CB.pattern("more")),
    ])


def _conversation(h: QuizHandlers) -> WaitingConversation:
    # The open question itself lives in the database (QuizService.pending). A question set
    # without the conversation (e.g. before this was a persistent conversation) is still
    # judged: text while a question is pending is also an entry point (a pre-loaded fact).
    text = filters.TEXT & ~filters.COMMAND
    pending = Preloaded("quiz-pending", h.has_pending, applies=text)
    return WaitingConversation(
        "quiz",
        entry_points=[CommandHandler("oefenvraag", h.ask),
                      CallbackQueryHandler(h.answer_button, pattern=CB.pattern("ans")),
                      MessageHandler(text & pending, h.answer_text)],
        states={ANSWERING: [
            MessageHandler(text, h.answer_text),
            not_text_reply(texts.EMPTY_ANSWER, ANSWERING),
        ]},
        fallbacks=[CommandHandler("annuleer", h.cancel)],
        ends_on=filters.COMMAND,  # another command: the next text is a question again
        on_end=lambda user_id: h.quiz.set_pending(user_id, None),
    )
