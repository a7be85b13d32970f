"""Helpers every Telegram feature module shares: sending, callback data, chat lookup.

- Sending: HTML is the Application's default parse mode (PTB ``Defaults``); `send_html`
  splits long texts and, like every HTML send here, falls back to plain text once when
  Telegram rejects the markup ("can't parse entities"): `with_plain_fallback`.
- Callback data: one `Callback` per feature with its own prefix (all prefixes are declared
  below, so two features can never share one); `Callback.data` refuses anything over
  Telegram's 64-byte limit, `Callback.parse` replaces splitting by hand.
- Chat lookup: `chat_of` (the chat of a pressed button), `private_chat_id`.
- Shared application state: `reminder_dispatcher` (the paced sender reminders and trainer
  broadcasts share, kept in ``application.bot_data``).
- Registration: `TelegramFeature`, what each feature module's ``register`` returns.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, BaseHandler, CommandHandler, ConversationHandler

from bot.features import Feature
from bot.reminders import ReminderDispatcher
from bot.telegram.render import split_message

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_CALLBACK_BYTES = 64
"""Telegram's limit for ``callback_data`` (bytes, UTF-8)."""
SEP = ":"


# Sending --------------------------------------------------------------------------------------
def bad_markup(exc: BadRequest) -> bool:
    """Telegram rejected the HTML (not any other bad request)."""
    return "can't parse entities" in str(exc).lower()


def html_to_plain(text: str) -> str:
    """What the user would have read, without tags and entities."""
    return html.unescape(re.sub(r"</?[a-z][^>]*>", "", text))


async def with_plain_fallback(send: Callable[[str, str | None], Awaitable[T]], text: str,
                              plain: str | None = None) -> T:
    """``send(text, HTML)``; when Telegram rejects the markup, ``send(plain, None)`` once
    (``plain`` defaults to the text without tags). Other errors propagate."""
    try:
        return await send(text, ParseMode.HTML)
    except BadRequest as exc:
        if not bad_markup(exc):
            raise
        log.warning("markup rejected (%s); sending plain text", exc)
        return await send(html_to_plain(text) if plain is None else plain, None)


async def send_html(message: Message, text: str,
                    markup: InlineKeyboardMarkup | None = None) -> Message:
    """Reply with HTML, split into ≤4096-character parts; buttons go on the last part."""
    parts = split_message(text) or [" "]
    sent = message
    for i, part in enumerate(parts):
        buttons = markup if i == len(parts) - 1 else None

        async def reply(body: str, mode: str | None, buttons: InlineKeyboardMarkup | None
                        = buttons) -> Message:
            return await message.reply_text(body, parse_mode=mode, reply_markup=buttons,
                                            do_quote=False)

        sent = await with_plain_fallback(reply, part)
    return sent


async def reply_plain(message: Message, text: str,
                      markup: InlineKeyboardMarkup | None = None) -> Message:
    """Reply with plain text (no parse mode: any '<' or '&' in it is shown as typed)."""
    return await message.reply_text(text, parse_mode=None, reply_markup=markup)


async def send_new(query: CallbackQuery, text: str,
                   markup: InlineKeyboardMarkup | None = None) -> Message:
    """A new HTML message below the pressed one (keeps e.g. the /start menu in place)."""
    bot, chat = query.get_bot(), chat_of(query)

    async def send(body: str, mode: str | None) -> Message:
        return await bot.send_message(chat, body, parse_mode=mode, reply_markup=markup)

    return await with_plain_fallback(send, text)


async def show(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Replace the pressed message; send a new one if it cannot be edited."""
    msg = query.message
    if isinstance(msg, Message) and msg.text is not None:
        async def edit(body: str, mode: str | None) -> object:
            return await query.edit_message_text(body, parse_mode=mode, reply_markup=markup)

        try:
            await with_plain_fallback(edit, text)
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            log.info("could not edit message %s: %s", msg.message_id, exc)
    await send_new(query, text, markup)


# Chats ----------------------------------------------------------------------------------------
def chat_of(query: CallbackQuery) -> int:
    """The chat of the pressed message (the user's private chat if it is not accessible)."""
    return query.message.chat.id if query.message is not None else query.from_user.id


def private_chat_id(update: Update, user_id: int) -> int:
    """The private chat with the user: this chat when private, else the user's id."""
    chat = update.effective_chat
    return chat.id if chat is not None and chat.type == "private" else user_id


# Callback data --------------------------------------------------------------------------------
class CallbackDataError(ValueError):
    """Callback data that Telegram would refuse (too long) or that could not be parsed back."""


@dataclass(frozen=True)
class CallbackData:
    """Parsed ``<prefix>:<action>[:<arg>…]``."""

    action: str
    args: tuple[str, ...] = ()

    def ints(self, count: int | None = None) -> tuple[int, ...]:
        """The arguments as integers; `CallbackDataError` if one is not (or the count is off)."""
        if count is not None and len(self.args) != count:
            raise CallbackDataError(f"{self.action}: expected {count} arguments")
        try:
            return tuple(int(a) for a in self.args)
        except ValueError as exc:
            raise CallbackDataError(str(exc)) from exc


_PREFIXES: set[str] = set()


class Callback:
    """The callback data of one feature: ``<prefix>:<action>[:<arg>…]``, at most 64 bytes."""

    def __init__(self, prefix: str) -> None:
        if not prefix or SEP in prefix or prefix in _PREFIXES:
            raise ValueError(f"callback prefix {prefix!r} is empty, has ':' or is taken")
        _PREFIXES.add(prefix)
        self.prefix = prefix

    def data(self, action: str, *args: str | int) -> str:
        """Encoded callback data; `CallbackDataError` when longer than 64 bytes or when a part
        contains ':' (then it could not be parsed back)."""
        parts = [action, *(str(a) for a in args)]
        if any(not p or SEP in p for p in parts):
            raise CallbackDataError(f"empty part or ':' in {parts!r}")
        data = SEP.join([self.prefix, *parts])
        if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            raise CallbackDataError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data

    def button(self, label: str, action: str, *args: str | int) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=self.data(action, *args))

    def parse(self, data: str | None) -> CallbackData | None:
        """The action and arguments, or None when the data is not this feature's."""
        if data is None or not data.startswith(self.prefix + SEP):
            return None
        action, *args = data[len(self.prefix) + 1:].split(SEP)
        return CallbackData(action, tuple(args))

    def pattern(self, action: str | None = None, *, exact: bool = False) -> str:
        """A `CallbackQueryHandler` pattern: every button of this feature, those of one action,
        or (``exact``) exactly ``<prefix>:<action>``."""
        if action is None:
            return rf"^{re.escape(self.prefix)}{SEP}"
        tail = "$" if exact else f"({SEP}|$)"
        return rf"^{re.escape(self.prefix)}{SEP}{re.escape(action)}{tail}"


# Every feature's prefix, declared once (existing buttons in chats keep working).
MENU = Callback("m")
"""/start menu: ``m:<menu key>`` (the key of a feature's menu entry in `bot.features`)."""
QA = Callback("q")
FORGET = Callback("forget")
ASSIGNMENTS = Callback("a")
REMINDERS = Callback("r")
TRAINER = Callback("t")
QUIZ = Callback("z")
ROLEPLAY = Callback("rp")


# Shared application state ---------------------------------------------------------------------
DISPATCHER_KEY = "reminder_dispatcher"


def reminder_dispatcher(application: Application[Any, Any, Any, Any, Any, Any]
                        ) -> ReminderDispatcher:
    """The reminder dispatcher `bot.telegram.reminders.install_reminder_job` put in
    ``bot_data``: reminders and trainer broadcasts share its pace (20 messages/s)."""
    dispatcher = application.bot_data[DISPATCHER_KEY]
    assert isinstance(dispatcher, ReminderDispatcher)
    return dispatcher


# Registration ---------------------------------------------------------------------------------
Handler = BaseHandler[Any, Any, Any]


WATCH_GROUP = 2
"""After the features (0) and the waiting flows (1): `TelegramFeature.watchers`."""


@dataclass
class TelegramFeature:
    """A feature's Telegram side: its registry entry (commands, menu) and its handlers.

    Each feature module has one ``register(...)`` function returning this; the application
    adds ``handlers`` in group 0 in the order of its feature list and ``last`` after every
    feature's handlers (catch-alls). Group 1 belongs to the waiting flows (bot.telegram.flows
    `LATE_GROUP`); a feature adds no handler there. ``watchers`` go in `WATCH_GROUP`, after
    everything: they see updates another handler already answered and answer nothing."""

    spec: Feature
    handlers: list[Handler]
    last: list[Handler] = field(default_factory=list)
    watchers: list[Handler] = field(default_factory=list)

    def command_names(self) -> set[str]:
        """Commands these handlers answer (also inside a ConversationHandler)."""
        names: set[str] = set()
        stack = [*self.handlers, *self.last]
        while stack:
            handler = stack.pop()
            if isinstance(handler, CommandHandler):
                names |= set(handler.commands)
            elif isinstance(handler, ConversationHandler):
                stack += [*handler.entry_points, *handler.fallbacks,
                          *(h for hs in handler.states.values() for h in hs)]
        return names

    def check(self) -> None:
        """Every command the registry declares for this feature has a handler."""
        missing = {c.name for c in self.spec.commands} - self.command_names()
        if missing:
            raise RuntimeError(f"feature {self.spec.key!r}: no handler for "
                               f"{', '.join(sorted('/' + m for m in missing))}")
