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
from typing import TYPE_CHECKING, Any

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
)

from bot.reminders import DispatchReport, ReminderError, parse_dates
from bot.store.cohorts import CohortStore
from bot.telegram.assignments import chat_of, show
from bot.telegram.flows import WaitingConversation
from bot.telegram.guards import Guards
from bot.telegram.qa import send_html
from bot.telegram.quiz import quiz_missed_html
from bot.telegram.reminders import broadcast_html, reminder_dispatcher
from bot.telegram.render import MAX_MESSAGE, esc, split_message
from bot.trainer import texts as ttexts

if TYPE_CHECKING:
    from bot.store.db import Cohort

if TYPE_CHECKING:
    from bot.app import Services

log = logging.getLogger(__name__)

CB = "t"
STATE_KEY = "broadcast"
CONFIRM = "confirm"
"""The state of the "trainer-broadcast" conversation: the preview waits for Verstuur/Annuleer."""
COMMANDS = {
    "overzicht": "Trainer: voortgang per groep (ook /overzicht csv of /overzicht grafiek)",
    "cursusdata": "Trainer: lesdagen per groep bekijken of instellen",
    "bericht": "Trainer: bericht aan de deelnemers van een groep",
}

# Texts ----------------------------------------------------------------------------------------
ONLY_TRAINERS = "Alleen voor trainers."
CSV_CAPTION = "📊 Voortgang van alle deelnemers (CSV, opent in Excel)."
CSV_HINT = "Download alles als CSV met /overzicht csv."
DATES_HEADER = "📅 <b>Lesdagen</b>"
DATES_USAGE = (
    "Instellen: zet de datums van vroeg naar laat achter /cursusdata, bijvoorbeeld:\n"
    "<code>/cursusdata 12-01-2027 26-01-2027 09-02-2027 23-02-2027</code>"
)
DATES_SAVED = "✅ Lesdagen opgeslagen. Herinneringen noemen nu de volgende lesdag."
BROADCAST_USAGE = "Zet je bericht achter /bericht, bijvoorbeeld:\n/bericht Denk aan opdracht 2!"
BROADCAST_HEADER = "📣 <b>Bericht van je trainer</b>"
BROADCAST_TOO_LONG = "Je bericht is te lang ({length} tekens). Maak het korter dan {limit}."
BROADCAST_PREVIEW = "<b>Voorbeeld</b> – gaat naar {count} deelnemers:"
BROADCAST_GONE = "Er staat geen bericht meer klaar. Begin opnieuw met /bericht."
BROADCAST_SENDING = "📣 Bezig met versturen naar {count} deelnemers…"
BROADCAST_CANCELLED = "Oké, het bericht is niet verstuurd."
BROADCAST_REPORT = "📣 Klaar. Verstuurd: {sent}, mislukt: {failed}."
BROADCAST_BLOCKED = "({blocked} deelnemers hebben de bot geblokkeerd.)"
BTN_SEND = "📣 Verstuur"
BTN_CANCEL = "Annuleer"
BTN_SEND_TO = "📣 Naar {name} ({count})"
BROADCAST_PREVIEW_CHOOSE = "<b>Voorbeeld</b> – kies de groep die het krijgt:"
NOT_YOUR_COHORT = "Die groep is niet van jou."
FORMATS = {"csv": "c", "grafiek": "g", "png": "g"}
_DATE_LIKE = re.compile(r"^\d")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cohort_head(name: str) -> str:
    return f"<b>{esc(ttexts.COHORT_PREFIX.format(name=name))}</b>\n"

_COMMAND_PREFIX = re.compile(r"^/\S+\s?", re.DOTALL)


def broadcast_text(text: str) -> str:
    return f"{BROADCAST_HEADER}\n\n{esc(text)}"


async def set_trainer_commands(bot: Bot, admin_ids: list[int],
                               public: list[tuple[str, str]]) -> None:
    """The command menu of each admin's private chat: the public commands + trainer commands.
    An admin who never opened the bot has no chat yet; that is logged, not fatal."""
    from bot.telegram.cohorts import COMMANDS as COHORT_COMMANDS

    commands = [BotCommand(c, d) for c, d in [*public, *COMMANDS.items(),
                                                *COHORT_COMMANDS.items()]]
    for admin in admin_ids:
        try:
            await bot.set_my_commands(commands, scope=BotCommandScopeChat(admin))
        except TelegramError as exc:
            log.info("could not set trainer commands for %s: %s", admin, exc)


class TrainerHandlers:
    def __init__(self, services: Services, guards: Guards) -> None:
        self.services = services
        self.guards = guards
        self.trainer = services.trainer
        self.participants = services.participants
        self.cohorts = CohortStore(services.db)

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        return [
            self.conversation(),
            CommandHandler("overzicht", self.overview),
            CommandHandler("cursusdata", self.dates),
            CallbackQueryHandler(self.button, pattern=rf"^{CB}:"),  # also stale send/cancel
        ]

    def conversation(self) -> WaitingConversation:
        """/bericht -> preview -> Verstuur / Annuleer (or /annuleer)."""
        return WaitingConversation(
            "trainer-broadcast",
            entry_points=[CommandHandler("bericht", self.message)],
            states={CONFIRM: [CallbackQueryHandler(self.confirm,
                                                   pattern=rf"^{CB}:(send:.*|cancel)$")]},
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
            await update.effective_message.reply_text(BROADCAST_CANCELLED)
        return ConversationHandler.END

    async def _admin(self, update: Update) -> Message | None:
        """The message to answer if the sender is a trainer; refuses everyone else."""
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return None
        if not self.guards.is_admin(user.id):
            await msg.reply_text(ONLY_TRAINERS)
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
            await msg.reply_text(ttexts.COHORT_UNKNOWN.format(
                name=name, names=", ".join(c.name for c in visible)))
            return None
        return match

    @staticmethod
    def _choose_markup(cohorts: list[Cohort], action: str, with_all: bool) -> InlineKeyboardMarkup:
        rows = [[InlineKeyboardButton(_short(c.name), callback_data=f"{CB}:{action}:{c.id}")]
                for c in cohorts]
        if with_all:
            rows.append([InlineKeyboardButton(ttexts.BTN_ALL, callback_data=f"{CB}:{action}:a")])
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
            await msg.reply_text(ttexts.CHOOSE_COHORT,
                                 reply_markup=self._choose_markup(cohorts, f"o{fmt}", True))
            return
        scope = (([cohorts[0].id], cohorts[0].name) if cohorts else ([], ttexts.ALL_COHORTS))
        many = len(await self._visible(msg.from_user.id)) > 1
        await self._send_overview(context, msg.chat_id, fmt, scope[0], scope[1],
                                  str(cohorts[0].id) if cohorts else "a", many)

    async def _send_overview(self, context: ContextTypes.DEFAULT_TYPE, chat: int, fmt: str,
                             ids: list[int], label: str, scope: str, named: bool) -> None:
        tz = zoneinfo.ZoneInfo(self.services.settings.timezone)
        today = self.services.clock().astimezone(tz).date().isoformat()
        if fmt == "c":
            await context.bot.send_chat_action(chat, ChatAction.UPLOAD_DOCUMENT)
            data = await asyncio.to_thread(self.trainer.overview_csv, ids)
            await context.bot.send_document(chat, data, filename=f"deelnemers-{today}.csv",
                                            caption=CSV_CAPTION)
            return
        if fmt == "g":
            await context.bot.send_chat_action(chat, ChatAction.UPLOAD_PHOTO)
            png = await asyncio.to_thread(self.chart, ids, label)
            await context.bot.send_document(chat, png, filename=f"voortgang-{today}.png",
                                            caption=ttexts.CHART_CAPTION)
            return
        table = await asyncio.to_thread(self.trainer.render_overview, cohort_ids=ids)
        head = f"<b>{esc(ttexts.COHORT_PREFIX.format(name=label))}</b>\n" if named else ""
        markup = InlineKeyboardMarkup([[
            InlineKeyboardButton(ttexts.BTN_CSV, callback_data=f"{CB}:oc:{scope}"),
            InlineKeyboardButton(ttexts.BTN_CHART, callback_data=f"{CB}:og:{scope}"),
        ]])
        missed = await asyncio.to_thread(quiz_missed_html, self.services, ids)
        html = f"{head}<pre>{esc(table)}</pre>\n{CSV_HINT}{missed}"
        parts = split_message(html) or [" "]
        for i, part in enumerate(parts):
            await context.bot.send_message(chat, part, parse_mode=ParseMode.HTML,
                                           reply_markup=markup if i == len(parts) - 1 else None)

    def chart(self, ids: list[int], label: str) -> bytes:
        """The progress PNG of some cohorts (runs in a worker thread)."""
        from bot.trainer.chart import render_png

        numbers = [a.number for a in self.services.assignments.assignments]
        return render_png(self.trainer.overview(ids), numbers,
                          ttexts.CHART_TITLE.format(scope=label))

    # /cursusdata ------------------------------------------------------------------------------
    async def dates(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = await self._admin(update)
        if msg is None or msg.from_user is None:
            return
        calendar = self.services.calendar
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
                await msg.reply_text(str(exc))
                return
            rendered = await asyncio.to_thread(calendar.render, cohorts[0].id)
            head = _cohort_head(cohorts[0].name) if named else ""
            await send_html(msg, f"{DATES_SAVED}\n\n{head}{DATES_HEADER}\n{esc(rendered)}")
            return
        parts = []
        for cohort in cohorts:
            rendered = await asyncio.to_thread(calendar.render, cohort.id)
            head = _cohort_head(cohort.name) if named else ""
            parts.append(f"{head}{DATES_HEADER}\n{esc(rendered)}")
        usage = (ttexts.DATES_CHOOSE.format(name=esc(cohorts[0].name)) if named
                 else DATES_USAGE)
        await send_html(msg, "\n\n".join(parts) + f"\n\n{usage}")

    # /bericht ---------------------------------------------------------------------------------
    async def message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        msg = await self._admin(update)
        if msg is None or msg.from_user is None:
            return ConversationHandler.END
        text = _COMMAND_PREFIX.sub("", msg.text or "", count=1).strip()
        if not text:
            await msg.reply_text(BROADCAST_USAGE)
            return None  # an earlier preview (if any) still waits
        body = broadcast_text(text)
        if len(body) > MAX_MESSAGE - 100:
            await msg.reply_text(BROADCAST_TOO_LONG.format(length=len(text),
                                                           limit=MAX_MESSAGE - 200))
            return None
        await asyncio.to_thread(self.participants.set_state, msg.from_user.id, STATE_KEY,
                                {"text": text})
        cohorts = await self._visible(msg.from_user.id)
        cancel = InlineKeyboardButton(BTN_CANCEL, callback_data=f"{CB}:cancel")
        if len(cohorts) == 1:
            count = len(await asyncio.to_thread(self.trainer.recipients, [cohorts[0].id]))
            markup = InlineKeyboardMarkup([[
                InlineKeyboardButton(BTN_SEND, callback_data=f"{CB}:send:{cohorts[0].id}"),
                cancel]])
            preview = BROADCAST_PREVIEW.format(count=count)
        else:
            sizes = [len(await asyncio.to_thread(self.trainer.recipients, [c.id]))
                     for c in cohorts]
            markup = InlineKeyboardMarkup([
                *([InlineKeyboardButton(_short(BTN_SEND_TO.format(name=c.name, count=n)),
                                        callback_data=f"{CB}:send:{c.id}")]
                  for c, n in zip(cohorts, sizes, strict=True)),
                [cancel]])
            preview = BROADCAST_PREVIEW_CHOOSE
        await send_html(msg, f"{preview}\n\n{body}", markup)
        return CONFIRM

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        user_id = query.from_user.id
        if not self.guards.is_admin(user_id):
            await query.answer(ONLY_TRAINERS, show_alert=True)
            return
        data = query.data or ""
        if data.startswith(f"{CB}:o"):
            await self._overview_button(query, context, data)
            return
        # Take the text out first: a double tap cannot send it twice.
        state = await asyncio.to_thread(self.participants.get_state, user_id, STATE_KEY)
        if data.startswith(f"{CB}:send:"):
            scope = await asyncio.to_thread(self._scope, user_id, data.rsplit(":", 1)[1])
            if scope is None:
                await query.answer(NOT_YOUR_COHORT, show_alert=True)
                return
        await asyncio.to_thread(self.participants.set_state, user_id, STATE_KEY, None)
        await query.answer()
        if data == f"{CB}:cancel":
            await show(query, BROADCAST_CANCELLED, None)
            return
        if not data.startswith(f"{CB}:send:") or not isinstance(state, dict) \
                or not state.get("text"):
            await show(query, BROADCAST_GONE, None)
            return
        assert scope is not None
        recipients = await asyncio.to_thread(self.trainer.recipients, scope[0])
        await show(query, BROADCAST_SENDING.format(count=len(recipients)), None)
        dispatcher = reminder_dispatcher(context.application)
        body, chat = broadcast_text(str(state["text"])), chat_of(query)

        async def run() -> None:
            report = await broadcast_html(dispatcher, recipients, body)
            await context.bot.send_message(chat, self.report(report))

        # In the background: updates keep flowing while a long list is sent at 20/s.
        context.application.create_task(run(), update=update)

    async def _overview_button(self, query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE,
                               data: str) -> None:
        """``t:o<fmt>:<scope>``: an overview (t), CSV (c) or chart (g) of a cohort or all."""
        action, _, scope_key = data[len(CB) + 1:].partition(":")
        fmt = action[1:2]
        scope = await asyncio.to_thread(self._scope, query.from_user.id, scope_key)
        if fmt not in ("t", "c", "g") or scope is None:
            await query.answer(NOT_YOUR_COHORT, show_alert=True)
            return
        await query.answer()
        many = len(await self._visible(query.from_user.id)) > 1
        await self._send_overview(context, chat_of(query), fmt, scope[0], scope[1], scope_key,
                                  many)

    @staticmethod
    def report(report: DispatchReport) -> str:
        text = BROADCAST_REPORT.format(sent=report.sent, failed=report.failed + report.blocked)
        if report.blocked:
            text += " " + BROADCAST_BLOCKED.format(blocked=report.blocked)
        return text
