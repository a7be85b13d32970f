"""Telegram adapter for trainers (``settings.admin_ids``): /overzicht, /cursusdata, /bericht.

Callback data: ``t:send`` / ``t:cancel`` confirm or drop the pending broadcast. The text itself
waits in the user state ``broadcast`` (never in the button), so it survives a restart. Waiting for
the confirmation is the "trainer-broadcast" conversation (bot.telegram.flows), so /annuleer drops
it too; other commands leave it waiting (the trainer may look something up first).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import zoneinfo
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
)

from bot import features
from bot.quiz.service import QuizService
from bot.reminders import CourseCalendar, DispatchReport, ReminderError, parse_dates
from bot.store.cohorts import CohortStore
from bot.store.participants import ParticipantStore
from bot.telegram.common import TRAINER as CB
from bot.telegram.common import (
    TelegramFeature,
    chat_of,
    reminder_dispatcher,
    reply_plain,
    send_html,
    show,
)
from bot.telegram.flows import WaitingConversation
from bot.telegram.guards import Guards
from bot.telegram.render import MAX_MESSAGE, esc, split_message
from bot.trainer import TrainerService
from bot.trainer import texts as ttexts

if TYPE_CHECKING:
    import datetime as dt

    from bot.store.records import Cohort

log = logging.getLogger(__name__)

STATE_KEY = "broadcast"
CONFIRM = "confirm"
"""The state of the "trainer-broadcast" conversation: the preview waits for Verstuur/Annuleer."""

FORMATS = {"csv": "c", "grafiek": "g", "png": "g"}
_DATE_LIKE = re.compile(r"^\d")



def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cohort_head(name: str) -> str:
    return f"<b>{esc(ttexts.COHORT_PREFIX.format(name=name))}</b>\n"

_COMMAND_PREFIX = re.compile(r"^/\S+\s?", re.DOTALL)


def broadcast_text(text: str) -> str:
    return f"{ttexts.BROADCAST_HEADER}\n\n{esc(text)}"


class TrainerHandlers:
    def __init__(self, *, trainer: TrainerService, participants: ParticipantStore,
                 cohorts: CohortStore, calendar: CourseCalendar, quiz: QuizService | None,
                 guards: Guards, assignment_numbers: Sequence[int], timezone: str,
                 clock: Callable[[], dt.datetime]) -> None:
        self.trainer = trainer
        self.participants = participants
        self.cohorts = cohorts
        self.calendar = calendar
        self.quiz = quiz
        self.guards = guards
        self.assignment_numbers = list(assignment_numbers)
        self.timezone = timezone
        self.clock = clock

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        return [
            self.conversation(),
            CommandHandler("overzicht", self.overview),
            CommandHandler("cursusdata", self.dates),
            CallbackQueryHandler(self.button, pattern=CB.pattern()),  # also stale send/cancel
        ]

    def conversation(self) -> WaitingConversation:
        """/bericht -> preview -> Verstuur / Annuleer (or /annuleer)."""
        return WaitingConversation(
            "trainer-broadcast",
            entry_points=[CommandHandler("bericht", self.message)],
            states={CONFIRM: [CallbackQueryHandler(self.confirm,
                                                   pattern=rf"{CB.pattern()}(send:.*|cancel)$")]},
            fallbacks=[CommandHandler("annuleer", self.cancel_command)],
            waits_for_text=False, on_end=self._drop_text)

    def _drop_text(self, user_id: int) -> None:
        self.participants.set_state(user_id, STATE_KEY, None)

    async def confirm(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        await self.button(update, context)
        return ConversationHandler.END

    async def cancel_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        if update.effective_user is not None:
            await asyncio.to_thread(self._drop_text, update.effective_user.id)
        if update.effective_message is not None:
            await reply_plain(update.effective_message, ttexts.BROADCAST_CANCELLED)
        return ConversationHandler.END

    async def _admin(self, update: Update) -> Message | None:
        """The message to answer if the sender is a trainer; refuses everyone else."""
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return None
        if not self.guards.is_admin(user.id):
            await reply_plain(msg, ttexts.ONLY_TRAINERS)
            return None
        return msg

    # Cohort scope ------------------------------------------------------------------------------
    async def _visible(self, trainer_id: int) -> list[Cohort]:
        return await asyncio.to_thread(self.cohorts.visible, trainer_id)

    async def _resolve(self, trainer_id: int, name: str,
                       msg: Message) -> list[Cohort] | None:
        """The cohorts meant by a name (all visible ones when empty); tells the trainer when the
        name is not one of their cohorts."""
        visible = await self._visible(trainer_id)
        if not name:
            return visible
        key = " ".join(name.split()).casefold()
        match = [c for c in visible if c.name.casefold() == key]
        if not match:
            await reply_plain(msg, ttexts.COHORT_UNKNOWN.format(
                name=name, names=", ".join(c.name for c in visible)))
            return None
        return match

    @staticmethod
    def _choose_markup(cohorts: list[Cohort], action: str, with_all: bool) -> InlineKeyboardMarkup:
        rows = [[InlineKeyboardButton(_short(c.name), callback_data=CB.data(action, c.id))]
                for c in cohorts]
        if with_all:
            rows.append([InlineKeyboardButton(ttexts.BTN_ALL, callback_data=CB.data(action, "a"))])
        return InlineKeyboardMarkup(rows)

    def _scope(self, trainer_id: int, scope: str) -> tuple[list[int], str] | None:
        """(cohort ids, label) for callback scope 'a' or a cohort id the trainer may see."""
        visible = self.cohorts.visible(trainer_id)
        if scope == "a":
            return [c.id for c in visible], ttexts.ALL_COHORTS
        chosen = [c for c in visible if str(c.id) == scope]
        if not chosen:
            return None
        return [chosen[0].id], chosen[0].name

    # /overzicht -------------------------------------------------------------------------------
    async def overview(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = await self._admin(update)
        if msg is None or msg.from_user is None:
            return
        args = [a for a in context.args or []]
        fmt = "t"
        if args and args[-1].lower() in FORMATS:
            fmt = FORMATS[args.pop().lower()]
        cohorts = await self._resolve(msg.from_user.id, " ".join(args), msg)
        if cohorts is None:
            return
        if len(cohorts) > 1:
            await reply_plain(msg, ttexts.CHOOSE_COHORT,
                              self._choose_markup(cohorts, f"o{fmt}", True))
            return
        scope = (([cohorts[0].id], cohorts[0].name) if cohorts else ([], ttexts.ALL_COHORTS))
        many = len(await self._visible(msg.from_user.id)) > 1
        await self._send_overview(context, msg.chat_id, fmt, scope[0], scope[1],
                                  str(cohorts[0].id) if cohorts else "a", many)

    async def _send_overview(self, context: ContextTypes.DEFAULT_TYPE, chat: int, fmt: str,
                             ids: list[int], label: str, scope: str, named: bool) -> None:
        tz = zoneinfo.ZoneInfo(self.timezone)
        today = self.clock().astimezone(tz).date().isoformat()
        if fmt == "c":
            await context.bot.send_chat_action(chat, ChatAction.UPLOAD_DOCUMENT)
            data = await asyncio.to_thread(self.trainer.overview_csv, ids)
            await context.bot.send_document(chat, data, filename=f"deelnemers-{today}.csv",
                                            caption=ttexts.CSV_CAPTION, parse_mode=None)
            return
        if fmt == "g":
            await context.bot.send_chat_action(chat, ChatAction.UPLOAD_PHOTO)
            png = await asyncio.to_thread(self.chart, ids, label)
            await context.bot.send_document(chat, png, filename=f"voortgang-{today}.png",
                                            caption=ttexts.CHART_CAPTION, parse_mode=None)
            return
        table = await asyncio.to_thread(self.trainer.render_overview, cohort_ids=ids)
        head = f"<b>{esc(ttexts.COHORT_PREFIX.format(name=label))}</b>\n" if named else ""
        markup = InlineKeyboardMarkup([[
            InlineKeyboardButton(ttexts.BTN_CSV, callback_data=CB.data("oc", scope)),
            InlineKeyboardButton(ttexts.BTN_CHART, callback_data=CB.data("og", scope)),
        ]])
        missed = await asyncio.to_thread(self.missed_html, ids)
        html = f"{head}<pre>{esc(table)}</pre>\n{ttexts.CSV_HINT}{missed}"
        parts = split_message(html) or [" "]
        for i, part in enumerate(parts):
            await context.bot.send_message(chat, part,
                                           reply_markup=markup if i == len(parts) - 1 else None)

    def chart(self, ids: list[int], label: str) -> bytes:
        """The progress PNG of some cohorts (runs in a worker thread)."""
        from bot.trainer.chart import render_png

        return render_png(self.trainer.overview(ids), self.assignment_numbers,
                          ttexts.CHART_TITLE.format(scope=label))

    def missed_html(self, ids: list[int]) -> str:
        """The practice questions these cohorts missed most (runs in a worker thread)."""
        members = set().union(*(self.cohorts.members(c) for c in ids)) if ids else set()
        return self.quiz.missed_section(members) if self.quiz is not None else ""

    # /cursusdata ------------------------------------------------------------------------------
    async def dates(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = await self._admin(update)
        if msg is None or msg.from_user is None:
            return
        calendar = self.calendar
        args = list(context.args or [])
        name_words = list(itertools.takewhile(lambda a: not _DATE_LIKE.match(a), args))
        date_words = args[len(name_words):]
        cohorts = await self._resolve(msg.from_user.id, " ".join(name_words), msg)
        if cohorts is None:
            return
        named = len(await self._visible(msg.from_user.id)) > 1
        if date_words:
            if len(cohorts) != 1:
                await send_html(msg, ttexts.DATES_CHOOSE.format(name=esc(cohorts[0].name)))
                return
            try:
                await asyncio.to_thread(calendar.set_dates, parse_dates(" ".join(date_words)),
                                        cohorts[0].id)
            except ReminderError as exc:
                await reply_plain(msg, str(exc))
                return
            rendered = await asyncio.to_thread(calendar.render, cohorts[0].id)
            head = _cohort_head(cohorts[0].name) if named else ""
            await send_html(msg, f"{ttexts.DATES_SAVED}\n\n{head}{ttexts.DATES_HEADER}\n"
                                 f"{esc(rendered)}")
            return
        parts = []
        for cohort in cohorts:
            rendered = await asyncio.to_thread(calendar.render, cohort.id)
            head = _cohort_head(cohort.name) if named else ""
            parts.append(f"{head}{ttexts.DATES_HEADER}\n{esc(rendered)}")
        usage = (ttexts.DATES_CHOOSE.format(name=esc(cohorts[0].name)) if named
                 else ttexts.DATES_USAGE)
        await send_html(msg, "\n\n".join(parts) + f"\n\n{usage}")

    # /bericht ---------------------------------------------------------------------------------
    async def message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        msg = await self._admin(update)
        if msg is None or msg.from_user is None:
            return ConversationHandler.END
        text = _COMMAND_PREFIX.sub("", msg.text or "", count=1).strip()
        if not text:
            await reply_plain(msg, ttexts.BROADCAST_USAGE)
            return None  # an earlier preview (if any) still waits
        body = broadcast_text(text)
        if len(body) > MAX_MESSAGE - 100:
            await reply_plain(msg, ttexts.BROADCAST_TOO_LONG.format(length=len(text),
                                                           limit=MAX_MESSAGE - 200))
            return None
        await asyncio.to_thread(self.participants.set_state, msg.from_user.id, STATE_KEY,
                                {"text": text})
        cohorts = await self._visible(msg.from_user.id)
        cancel = InlineKeyboardButton(ttexts.BTN_CANCEL, callback_data=CB.data("cancel"))
        if len(cohorts) == 1:
            count = len(await asyncio.to_thread(self.trainer.recipients, [cohorts[0].id]))
            markup = InlineKeyboardMarkup([[
                InlineKeyboardButton(ttexts.BTN_SEND, callback_data=CB.data("send", cohorts[0].id)),
                cancel]])
            preview = ttexts.BROADCAST_PREVIEW.format(count=count)
        else:
            sizes = [len(await asyncio.to_thread(self.trainer.recipients, [c.id]))
                     for c in cohorts]
            markup = InlineKeyboardMarkup([
                *([InlineKeyboardButton(_short(ttexts.BTN_SEND_TO.format(name=c.name, count=n)),
                                        callback_data=CB.data("send", c.id))]
                  for c, n in zip(cohorts, sizes, strict=True)),
                [cancel]])
            preview = ttexts.BROADCAST_PREVIEW_CHOOSE
        await send_html(msg, f"{preview}\n\n{body}", markup)
        return CONFIRM

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        user_id = query.from_user.id
        if not self.guards.is_admin(user_id):
            await query.answer(ttexts.ONLY_TRAINERS, show_alert=True)
            return
        data = CB.parse(query.data)
        action, args = (data.action, data.args) if data is not None else ("", ())
        if action.startswith("o"):
            await self._overview_button(query, context, action[1:], args)
            return
        # Take the text out first: a double tap cannot send it twice.
        state = await asyncio.to_thread(self.participants.get_state, user_id, STATE_KEY)
        send = action == "send" and len(args) == 1
        scope = None
        if send:
            scope = await asyncio.to_thread(self._scope, user_id, args[0])
            if scope is None:
                await query.answer(ttexts.NOT_YOUR_COHORT, show_alert=True)
                return
        await asyncio.to_thread(self.participants.set_state, user_id, STATE_KEY, None)
        await query.answer()
        if action == "cancel" and not args:
            await show(query, ttexts.BROADCAST_CANCELLED, None)
            return
        if not send or not isinstance(state, dict) \
                or not state.get("text"):
            await show(query, ttexts.BROADCAST_GONE, None)
            return
        assert scope is not None
        recipients = await asyncio.to_thread(self.trainer.recipients, scope[0])
        await show(query, ttexts.BROADCAST_SENDING.format(count=len(recipients)), None)
        dispatcher = reminder_dispatcher(context.application)
        body, chat = broadcast_text(str(state["text"])), chat_of(query)

        async def run() -> None:
            report = await dispatcher.announce(recipients, body)
            await context.bot.send_message(chat, self.report(report), parse_mode=None)

        # In the background: updates keep flowing while a long list is sent at 20/s.
        context.application.create_task(run(), update=update)

    async def _overview_button(self, query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE,
                               fmt: str, args: tuple[str, ...]) -> None:
        """``t:o<fmt>:<scope>``: an overview (t), CSV (c) or chart (g) of a cohort or all."""
        scope_key = args[0] if len(args) == 1 else ""
        scope = await asyncio.to_thread(self._scope, query.from_user.id, scope_key)
        if fmt not in ("t", "c", "g") or scope is None:
            await query.answer(ttexts.NOT_YOUR_COHORT, show_alert=True)
            return
        await query.answer()
        many = len(await self._visible(query.from_user.id)) > 1
        await self._send_overview(context, chat_of(query), fmt, scope[0], scope[1], scope_key,
                                  many)

    @staticmethod
    def report(report: DispatchReport) -> str:
        text = ttexts.BROADCAST_REPORT.format(sent=report.sent,
                                              failed=report.failed + report.blocked)
        if report.blocked:
            text += " " + ttexts.BROADCAST_BLOCKED.format(blocked=report.blocked)
        return text


def register(h: TrainerHandlers) -> TelegramFeature:
    """/overzicht, /cursusdata, /bericht and their buttons (trainers only)."""
    return TelegramFeature(features.TRAINER, h.handlers())
