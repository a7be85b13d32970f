"""Telegram adapter for trainers (``settings.admin_ids``): /overzicht, /cursusdata, /bericht.

Callback data: ``t:send`` / ``t:cancel`` confirm or drop the pending broadcast. The text itself
waits in the user state ``broadcast`` (never in the button), so it survives a restart.
"""

from __future__ import annotations

import asyncio
import logging
import re
import zoneinfo
from typing import TYPE_CHECKING, Any

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.reminders import DispatchReport, ReminderError, parse_dates
from bot.telegram.assignments import chat_of, show
from bot.telegram.guards import Guards
from bot.telegram.qa import send_html
from bot.telegram.quiz import quiz_missed_html
from bot.telegram.reminders import broadcast_html, reminder_dispatcher
from bot.telegram.render import MAX_MESSAGE, esc

if TYPE_CHECKING:
    from bot.app import Services

log = logging.getLogger(__name__)

CB = "t"
STATE_KEY = "broadcast"
COMMANDS = {
    "overzicht": "Trainer: voortgang van de deelnemers (csv: /overzicht csv)",
    "cursusdata": "Trainer: lesdagen bekijken of instellen",
    "bericht": "Trainer: bericht aan alle deelnemers",
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

_COMMAND_PREFIX = re.compile(r"^/\S+\s?", re.DOTALL)


def broadcast_text(text: str) -> str:
    return f"{BROADCAST_HEADER}\n\n{esc(text)}"


async def set_trainer_commands(bot: Bot, admin_ids: list[int],
                               public: list[tuple[str, str]]) -> None:
    """The command menu of each admin's private chat: the public commands + trainer commands.
    An admin who never opened the bot has no chat yet; that is logged, not fatal."""
    commands = [BotCommand(c, d) for c, d in [*public, *COMMANDS.items()]]
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

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        return [
            CommandHandler("overzicht", self.overview),
            CommandHandler("cursusdata", self.dates),
            CommandHandler("bericht", self.message),
            CallbackQueryHandler(self.button, pattern=rf"^{CB}:"),
        ]

    async def _admin(self, update: Update) -> Message | None:
        """The message to answer if the sender is a trainer; refuses everyone else."""
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return None
        if not self.guards.is_admin(user.id):
            await msg.reply_text(ONLY_TRAINERS)
            return None
        return msg

    async def overview(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = await self._admin(update)
        if msg is None:
            return
        if [a.lower() for a in context.args or []] == ["csv"]:
            await context.bot.send_chat_action(msg.chat_id, ChatAction.UPLOAD_DOCUMENT)
            data = await asyncio.to_thread(self.trainer.overview_csv)
            tz = zoneinfo.ZoneInfo(self.services.settings.timezone)
            today = self.services.clock().astimezone(tz).date().isoformat()
            await context.bot.send_document(msg.chat_id, data,
                                            filename=f"deelnemers-{today}.csv",
                                            caption=CSV_CAPTION)
            return
        table = await asyncio.to_thread(self.trainer.render_overview)
        missed = await asyncio.to_thread(quiz_missed_html, self.services)
        await send_html(msg, f"<pre>{esc(table)}</pre>\n{CSV_HINT}{missed}")

    async def dates(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = await self._admin(update)
        if msg is None:
            return
        calendar = self.services.calendar
        if context.args:
            try:
                await asyncio.to_thread(calendar.set_dates, parse_dates(" ".join(context.args)))
            except ReminderError as exc:
                await msg.reply_text(str(exc))
                return
            rendered = await asyncio.to_thread(calendar.render)
            await send_html(msg, f"{DATES_SAVED}\n\n{DATES_HEADER}\n{esc(rendered)}")
            return
        rendered = await asyncio.to_thread(calendar.render)
        await send_html(msg, f"{DATES_HEADER}\n{esc(rendered)}\n\n{DATES_USAGE}")

    async def message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = await self._admin(update)
        if msg is None or msg.from_user is None:
            return
        text = _COMMAND_PREFIX.sub("", msg.text or "", count=1).strip()
        if not text:
            await msg.reply_text(BROADCAST_USAGE)
            return
        body = broadcast_text(text)
        if len(body) > MAX_MESSAGE - 100:
            await msg.reply_text(BROADCAST_TOO_LONG.format(length=len(text),
                                                           limit=MAX_MESSAGE - 200))
            return
        await asyncio.to_thread(self.participants.set_state, msg.from_user.id, STATE_KEY,
                                {"text": text})
        count = len(await asyncio.to_thread(self.trainer.recipients))
        markup = InlineKeyboardMarkup([[
            InlineKeyboardButton(BTN_SEND, callback_data=f"{CB}:send"),
            InlineKeyboardButton(BTN_CANCEL, callback_data=f"{CB}:cancel"),
        ]])
        await send_html(msg, f"{BROADCAST_PREVIEW.format(count=count)}\n\n{body}", markup)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        user_id = query.from_user.id
        if not self.guards.is_admin(user_id):
            await query.answer(ONLY_TRAINERS, show_alert=True)
            return
        # Take the text out first: a double tap cannot send it twice.
        state = await asyncio.to_thread(self.participants.get_state, user_id, STATE_KEY)
        await asyncio.to_thread(self.participants.set_state, user_id, STATE_KEY, None)
        await query.answer()
        if query.data == f"{CB}:cancel":
            await show(query, BROADCAST_CANCELLED, None)
            return
        if query.data != f"{CB}:send" or not isinstance(state, dict) or not state.get("text"):
            await show(query, BROADCAST_GONE, None)
            return
        recipients = await asyncio.to_thread(self.trainer.recipients)
        await show(query, BROADCAST_SENDING.format(count=len(recipients)), None)
        dispatcher = reminder_dispatcher(context.application)
        body, chat = broadcast_text(str(state["text"])), chat_of(query)

        async def run() -> None:
            report = await broadcast_html(dispatcher, recipients, body)
            await context.bot.send_message(chat, self.report(report))

        # In the background: updates keep flowing while a long list is sent at 20/s.
        context.application.create_task(run(), update=update)

    @staticmethod
    def report(report: DispatchReport) -> str:
        text = BROADCAST_REPORT.format(sent=report.sent, failed=report.failed + report.blocked)
        if report.blocked:
            text += " " + BROADCAST_BLOCKED.format(blocked=report.blocked)
        return text
