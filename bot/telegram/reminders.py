"""Telegram adapter for daily reminders (/herinnering) and the job that sends them.

Callback data:

    r:t:<HHMM>      preset time (08:00, 12:00, 19:00)
    r:other         the next plain text message is the time (the "reminder-time" conversation,
                    bot.telegram.flows: survives restarts, ends with /annuleer or when the
                    participant moves on: another command, or text that is no time)
    r:d:<days>      daily | weekdays
    r:pause / r:resume / r:off

The dispatcher lives in ``application.bot_data`` (see `bot.telegram.common.reminder_dispatcher`)
and is called once a minute from the JobQueue. The due logic and the "claim before send" in the
database make restarts and overlapping runs safe.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import Forbidden, RetryAfter
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import features
from bot.assignments import texts as assignment_texts
from bot.quiz import texts as quiz_texts
from bot.quiz.service import QuizService
from bot.reminders import (
    CourseSchedule,
    ReminderDispatcher,
    ReminderError,
    ReminderService,
    looks_like_time,
)
from bot.reminders import texts as rt
from bot.reminders.models import Reminder
from bot.store.leader import Leader
from bot.store.outbox import Outbox
from bot.store.participants import ParticipantStore
from bot.telegram.common import (
    DISPATCHER_KEY,
    MENU,
    QUIZ,
    TelegramFeature,
    private_chat_id,
    reply_plain,
    send_html,
    send_new,
    show,
)
from bot.telegram.common import REMINDERS as CB
from bot.telegram.flows import WaitingConversation, not_text_reply
from bot.telegram.leadership import on_lead
from bot.telegram.ratelimit import proves_not_delivered
from bot.telegram.render import esc, markdown_to_html

log = logging.getLogger(__name__)

PRESETS = ("08:00", "12:00", "19:00")
CHECK_EVERY = 60.0
TIME = "time"
"""The state of the "reminder-time" conversation: waiting for a time."""
FIRST_CHECK = 5.0




def status_markup(reminder: Reminder | None) -> InlineKeyboardMarkup:
    b = CB.button
    on = reminder is not None and reminder.enabled
    rows = [[b(t, "t", t.replace(":", "")) for t in PRESETS], [b(rt.BTN_OTHER, "other")]]
    if reminder is not None:
        weekdays = reminder.days == "weekdays"
        rows.append([b(rt.BTN_DAILY if weekdays else rt.CHOSEN.format(label=rt.BTN_DAILY),
                       "d", "daily"),
                     b(rt.CHOSEN.format(label=rt.BTN_WEEKDAYS) if weekdays else rt.BTN_WEEKDAYS,
                       "d", "weekdays")])
        paused = not on or reminder.paused
        row = [b(rt.BTN_RESUME, "resume")] if paused else [b(rt.BTN_PAUSE, "pause")]
        if on:
            row.append(b(rt.BTN_OFF, "off"))
        rows.append(row)
    return InlineKeyboardMarkup(rows)


def _retry_after(exc: BaseException) -> float | None:
    if not isinstance(exc, RetryAfter):
        return None
    value: Any = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def make_dispatcher(reminders: ReminderService, quiz: QuizService | None, bot: Bot,
                    outbox: Outbox | None = None) -> ReminderDispatcher:
    markup = InlineKeyboardMarkup([[MENU.button(rt.BTN_TO_ASSIGNMENTS, "opdrachten")]])

    async def send(chat_id: int, text: str) -> None:
        extra = await asyncio.to_thread(quiz.reminder_question, chat_id) if quiz else None
        rows = [[QUIZ.button(quiz_texts.BTN_ANSWER, "ans", extra.question_id)]] if extra else []
        await bot.send_message(chat_id, esc(text) + (extra.html if extra else ""),
                               reply_markup=InlineKeyboardMarkup([*rows, *markup.inline_keyboard]))

    async def send_broadcast(chat_id: int, text: str) -> None:  # ready-made HTML, no button
        await bot.send_message(chat_id, text)

    return ReminderDispatcher(reminders, send,
                              is_blocked=lambda e: isinstance(e, Forbidden),
                              retry_after=_retry_after, rate=20.0, outbox=outbox,
                              not_delivered=proves_not_delivered if outbox else None,
                              broadcast_send=send_broadcast)


def install_reminder_job(application: Application[Any, Any, Any, Any, Any, Any],
                         reminders: ReminderService, quiz: QuizService | None, *,
                         every: float = CHECK_EVERY, leader: Leader | None = None,
                         outbox: Outbox | None = None) -> ReminderDispatcher:
    """Create the dispatcher and check for due reminders every ``every`` seconds (only in the
    leader process when ``leader`` is given; a new leader first adopts what the old one left)."""
    dispatcher = make_dispatcher(reminders, quiz, application.bot, outbox)
    application.bot_data[DISPATCHER_KEY] = dispatcher

    async def run() -> None:
        try:
            await dispatcher.run_once()
        except Exception:
            log.exception("reminder run failed; trying again in a minute")

    async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
        if leader is None or leader.is_leader:
            await run()

    async def became_leader() -> None:
        adopted = await asyncio.to_thread(dispatcher.adopt)
        if adopted:
            log.info("adopted %d reminders a previous leader had claimed", adopted)
        if application.running:  # otherwise the next tick sends them
            application.create_task(run(), name="reminders-on-lead")

    if leader is not None:
        on_lead(application, became_leader)
        dispatcher.is_leader = lambda: leader.is_leader

    if application.job_queue is None:
        log.warning("no JobQueue (install python-telegram-bot[job-queue]): reminders are off")
    else:
        application.job_queue.run_repeating(tick, interval=every, first=min(FIRST_CHECK, every),
                                            name="reminders")
    return dispatcher


class _TimeLike(filters.MessageFilter):
    """Text that reads as reminder settings ("19u30", "pauze") rather than a question."""

    def filter(self, message: Message) -> bool:
        return message.text is not None and looks_like_time(message.text)


TIME_LIKE = _TimeLike(name="TimeLike")


class ReminderHandlers:
    def __init__(self, reminders: ReminderService, participants: ParticipantStore,
                 quiz: QuizService | None, schedule: CourseSchedule) -> None:
        self.reminders = reminders
        self.participants = participants
        self.quiz = quiz
        self.schedule = schedule

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        return [
            self.conversation(),
            CommandHandler("herinnering", self.command),
            CommandHandler("lesdagen", self.lesdagen),
            CallbackQueryHandler(self.menu, pattern=MENU.pattern("herinnering", exact=True)),
            # "Annuleer" after the wait already ended: the same answer as during the wait.
            CallbackQueryHandler(self.cancel_button, pattern=CB.pattern("cancel", exact=True)),
            CallbackQueryHandler(self.button, pattern=CB.pattern()),
        ]

    def conversation(self) -> WaitingConversation:
        """"🕒 Andere tijd" -> the next text message that reads as a time sets it. Text that is
        no time (a question) goes to the Q&A and ends the wait, so nobody is stuck."""
        private = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
        text = filters.TEXT & ~filters.COMMAND
        return WaitingConversation(
            "reminder-time",
            entry_points=[CallbackQueryHandler(self.ask_time,
                                               pattern=CB.pattern("other", exact=True))],
            states={TIME: [
                MessageHandler(private & text & TIME_LIKE, self.time_text),
                not_text_reply(rt.TIME_NOT_TEXT, TIME, private),
                CallbackQueryHandler(self.cancel_button, pattern=CB.pattern("cancel", exact=True)),
            ]},
            fallbacks=[CommandHandler("annuleer", self.cancel_command)],
            ends_on=filters.COMMAND | (text & ~TIME_LIKE))

    async def status(self, user_id: int, prefix: str = "") -> tuple[str, InlineKeyboardMarkup]:
        reminder = await asyncio.to_thread(self.reminders.get, user_id)
        sentence = await asyncio.to_thread(self.reminders.describe, user_id)
        lines = [prefix] if prefix else []
        lines += [rt.HEADER, esc(sentence), "", rt.HINT]
        return "\n".join(lines), status_markup(reminder)

    @staticmethod
    def _chat(update: Update, user_id: int) -> int:
        """Reminders go to the private chat, also when set from a group."""
        return private_chat_id(update, user_id)

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return
        arg = " ".join(context.args or []).strip()
        if not arg:
            await send_html(msg, *await self.status(user.id))
            return
        if arg.lower().split()[0] == "tijdzone":
            await self.set_timezone(msg, user.id, arg.split()[1:])
            return
        if arg.lower().split()[0] == "oefenvraag" and self.quiz is not None:
            reply = await asyncio.to_thread(self.quiz.toggle_in_reminder, user.id, arg)
            await reply_plain(msg, reply)
            return
        try:
            request = await asyncio.to_thread(self.reminders.apply, user.id,
                                              self._chat(update, user.id), arg)
        except ReminderError as exc:
            await reply_plain(msg, str(exc))
            return
        if request.action == "off":
            await reply_plain(msg, rt.OFF)
            return
        await send_html(msg, *await self.status(user.id, rt.SAVED))

    async def lesdagen(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/lesdagen: the dates of the participant's cohort and what happens on each lesdag."""
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return
        text = await asyncio.to_thread(self.schedule.overview, user.id)
        await send_html(msg, markdown_to_html(text))

    async def set_timezone(self, msg: Message, user_id: int, args: list[str]) -> None:
        """/herinnering tijdzone Europe/Brussels: the participant's own time zone."""
        if len(args) != 1:
            await reply_plain(msg, rt.TZ_USAGE)
            return
        try:
            await asyncio.to_thread(self.reminders.set_timezone, user_id, args[0])
        except ReminderError as exc:
            await reply_plain(msg, str(exc))
            return
        await reply_plain(msg, rt.TZ_SAVED.format(tz=args[0]))

    async def menu(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        await send_new(query, *await self.status(query.from_user.id))

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        user_id = query.from_user.id
        r = self.reminders
        data = CB.parse(query.data)
        parts = [data.action, *data.args] if data is not None else []
        try:
            if parts[:1] == ["t"] and len(parts) == 2 and len(parts[1]) == 4:
                await asyncio.to_thread(r.set_time, user_id, self._chat(update, user_id),
                                        f"{parts[1][:2]}:{parts[1][2:]}")
            elif parts[:1] == ["d"] and len(parts) == 2:
                await asyncio.to_thread(r.set_days, user_id, parts[1])
            elif parts == ["pause"]:
                await asyncio.to_thread(r.pause, user_id)
            elif parts == ["resume"]:
                await asyncio.to_thread(r.resume, user_id)
            elif parts == ["off"]:
                await asyncio.to_thread(r.off, user_id)
            else:
                await query.answer(rt.STALE, show_alert=True)
                return
        except ReminderError as exc:
            await query.answer(str(exc), show_alert=True)
            return
        await query.answer(rt.SAVED)
        await show(query, *await self.status(user_id))

    # Waiting for a time (the "reminder-time" conversation) -----------------------------------
    async def ask_time(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        query = update.callback_query
        if query is None:
            return None
        await query.answer()
        markup = InlineKeyboardMarkup([[CB.button(rt.BTN_CANCEL, "cancel")]])
        await send_new(query, rt.ASK_TIME, markup)
        return TIME

    async def time_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return None
        try:
            await asyncio.to_thread(self.reminders.apply, user.id, self._chat(update, user.id),
                                    msg.text or "")
        except ReminderError as exc:  # keep waiting: a near miss ("25:99") deserves a retry
            await reply_plain(msg, str(exc))
            return TIME
        await send_html(msg, *await self.status(user.id, rt.SAVED))
        return ConversationHandler.END

    async def cancel_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        if update.effective_message is not None:
            await reply_plain(update.effective_message, assignment_texts.WAITING_CANCELLED)
        return ConversationHandler.END

    async def cancel_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        query = update.callback_query
        if query is not None:
            await query.answer()
            await show(query, rt.TIME_CANCELLED, None)
        return ConversationHandler.END


def register(reminders: ReminderService, participants: ParticipantStore,
             quiz: QuizService | None, schedule: CourseSchedule) -> TelegramFeature:
    """/herinnering and its buttons, /lesdagen (the job that sends reminders:
    `install_reminder_job`)."""
    h = ReminderHandlers(reminders, participants, quiz, schedule)
    return TelegramFeature(features.REMINDERS, h.handlers())
