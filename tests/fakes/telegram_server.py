"""A fake Telegram Bot API server for end-to-end tests.

The real :class:`telegram.ext.Application` talks plain HTTP to this server on 127.0.0.1::

    async with FakeTelegramServer() as tg:
        app = (
            ApplicationBuilder()
            .token(tg.default_token)
            .base_url(f"{tg.api_root}/bot")
            .base_file_url(f"{tg.api_root}/file/bot")
            .build()
        )
        ...
        await tg.send_message(42, "/start")          # a user writes to the bot
        [reply] = await tg.wait_for_messages(42)     # the bot's answer

Conventions:

* Every bot token gets its own update queue, chats and message-id counters. Client helpers
  (``send_message``, ``press_button``, ...) target ``default_token`` unless ``token=`` is given;
  reading helpers look at all tokens unless ``token=`` is given.
* ``wait_for_messages(chat_id)`` returns the bot messages sent to that chat after a per-chat
  cursor and moves the cursor past them. ``checkpoint(chat_id)`` moves the cursor to "now";
  ``after=<message_id>`` overrides the cursor for one call.
* ``wait_for_request(method)`` returns the oldest matching recorded request that no earlier
  ``wait_for_request`` call returned (a queue per server), waiting for one if needed.
* Wait helpers raise :class:`AssertionError` with a summary when they time out.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import json
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web

JSONDict = dict[str, Any]

DEFAULT_TOKEN = "123:ABC"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

# Form fields that are always plain strings; every other form field is JSON-decoded if possible.
_STRING_FIELDS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "url", "action",
    "language_code", "secret_token", "ip_address", "emoji", "business_connection_id", "file_id",
    "document", "photo", "voice", "audio", "video", "sticker", "animation", "thumbnail", "title",
    "description", "short_description", "name", "query",
})
# Fields that Telegram accepts as JSON-serialized strings even inside JSON bodies.
_JSON_FIELDS = frozenset({
    "reply_markup", "entities", "caption_entities", "reply_parameters", "link_preview_options",
    "commands", "scope", "menu_button", "reaction", "allowed_updates", "message_ids", "media",
})
_INLINE_BUTTON_ACTIONS = frozenset({
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
})
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SEND_PREFIXES = ("send", "edit", "copy", "forward")


class ApiError(Exception):
    """An error answer of the Bot API: ``{"ok": false, "error_code": ..., ...}``."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        data: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return data


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


# --------------------------------------------------------------------------- text validation

_HTML_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span",
    "tg-spoiler", "blockquote", "tg-emoji",
})
_HTML_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)>")
_HTML_ENTITY_RE = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {"*": "Bold", "_": "Italic", "__": "Underline", "~": "Strikethrough",
               "||": "Spoiler", "[": "TextUrl"}


def _offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def parse_html(text: str) -> str:
    """Validate Telegram-flavoured HTML and return the plain text; raise ``ValueError``."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "&":
            m = _HTML_ENTITY_RE.match(text, i)
            if m is None:
                raise ValueError(f"Unsupported HTML entity at byte offset {_offset(text, i)}")
            out.append(html.unescape(m.group(0)))
            i = m.end()
        elif ch == "<":
            m = _HTML_TAG_RE.match(text, i)
            if m is None:
                if ">" not in text[i:]:
                    raise ValueError(f"Unclosed start tag at byte offset {_offset(text, i)}")
                name = re.match(r"</?([^\s>]*)", text[i:])
                tag = name.group(1) if name else ""
                raise ValueError(f'Unsupported start tag "{tag}" at byte offset {_offset(text, i)}')
            closing, tag, attrs = m.group(1) == "/", m.group(2).lower(), m.group(3)
            if closing:
                if not stack:
                    raise ValueError(f"Unexpected end tag at byte offset {_offset(text, i)}")
                if stack[-1] != tag:
                    raise ValueError(
                        f"Unmatched end tag at byte offset {_offset(text, i)}, "
                        f'expected "</{stack[-1]}>", found "</{tag}>"'
                    )
                stack.pop()
            else:
                spoiler = re.search(r"""class\s*=\s*["']?tg-spoiler\b""", attrs)
                emoji = tag != "tg-emoji" or re.search(r"emoji-id\s*=", attrs)
                if tag not in _HTML_TAGS or (tag == "span" and not spoiler) or not emoji:
                    raise ValueError(
                        f'Unsupported start tag "{tag}" at byte offset {_offset(text, i)}'
                    )
                stack.append(tag)
            i = m.end()
        else:
            out.append(ch)
            i += 1
    if stack:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def parse_markdown_v2(text: str) -> str:
    """Approximate Telegram's MarkdownV2 checks and return the plain text; raise ``ValueError``.

    Reserved characters outside code must be escaped, ``*_~|`` style markers must be balanced,
    code/pre must be closed, and a link ``[text](url)`` skips its URL.
    """
    out: list[str] = []
    open_marks: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            out.append(text[i + 1])
            i += 2
            continue
        if ch == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = i + len(fence)
            while end < n and not text.startswith(fence, end):
                end += 2 if text[end] == "\\" else 1
            if end >= n:
                kind = "Pre" if fence == "```" else "Code"
                pos = _offset(text, i)
                raise ValueError(f"Can't find end of {kind} entity at byte offset {pos}")
            out.append(text[i + len(fence) : end])
            i = end + len(fence)
            continue
        mark = next((m for m in ("__", "||", "*", "_", "~") if text.startswith(m, i)), None)
        if mark is not None:
            opened = [k for k, (m, _) in enumerate(open_marks) if m == mark]
            if opened:
                del open_marks[opened[-1]]
            else:
                open_marks.append((mark, i))
            i += len(mark)
            continue
        if ch == "[" or text.startswith("![", i):
            open_marks.append(("[", i))
            i += 1 if ch == "[" else 2
            continue
        if ch == "]" and open_marks and open_marks[-1][0] == "[":
            open_marks.pop()
            i += 1
            if i < n and text[i] == "(":
                end = i + 1
                while end < n and text[end] != ")":
                    end += 2 if text[end] == "\\" else 1
                if end >= n:
                    raise ValueError(f"Can't find end of a URL at byte offset {_offset(text, i)}")
                i = end + 1
            continue
        if ch == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1  # blockquote marker
            continue
        if ch in _MDV2_RESERVED or ch == "\\":
            raise ValueError(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(ch)
        i += 1
    if open_marks:
        mark, pos = open_marks[0]
        raise ValueError(
            f"Can't find end of {_MDV2_NAMES[mark]} entity at byte offset {_offset(text, pos)}"
        )
    return "".join(out)


def plain_text(text: str, parse_mode: str | None) -> str:
    """Return the text as Telegram would display it; raise :class:`ApiError` on bad markup."""
    try:
        if parse_mode and parse_mode.lower() == "html":
            return parse_html(text)
        if parse_mode and parse_mode.lower() == "markdownv2":
            return parse_markdown_v2(text)
    except ValueError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    return text


def check_reply_markup(markup: Any) -> None:
    """Validate an inline keyboard like Telegram does (cheap subset)."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
            if not _INLINE_BUTTON_ACTIONS & button.keys():
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )


def find_button(message: JSONDict, text_substring: str) -> str:
    """Return the callback_data of the first inline button whose label contains the substring.

    ``message`` is a record from :meth:`FakeTelegramServer.sent_messages` or a Message dict.
    """
    markup = message.get("reply_markup") or {}
    labels: list[str] = []
    for row in markup.get("inline_keyboard", []):
        for button in row:
            labels.append(button.get("text", ""))
            if text_substring in button.get("text", "") and "callback_data" in button:
                return str(button["callback_data"])
    raise ValueError(f"no callback button containing {text_substring!r}; buttons: {labels}")


# --------------------------------------------------------------------------- records


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    field_name: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    """One Bot API call as the server saw it (params are decoded to Python values)."""

    seq: int
    token: str
    method: str  # canonical spelling, e.g. "sendMessage" (or as sent if unknown)
    params: JSONDict
    files: dict[str, UploadedFile]
    status: int
    response: JSONDict
    at: float = field(default_factory=time.monotonic)
    """When the server answered (time.monotonic), e.g. to measure a send rate."""

    @property
    def result(self) -> Any:
        return self.response.get("result")


@dataclass
class _Failure:
    method: str
    error: ApiError
    remaining: int


@dataclass
class _BotState:
    updates: list[JSONDict] = field(default_factory=list)
    next_update_id: int = 1
    webhook_url: str = ""
    commands: dict[tuple[str, str], list[JSONDict]] = field(default_factory=dict)
    open_callbacks: dict[str, JSONDict] = field(default_factory=dict)


Files = dict[str, UploadedFile]
Handler = Callable[[str, _BotState, JSONDict, Files], Awaitable[Any]]


class FakeTelegramServer:
    """In-process fake of the Telegram Bot API (see the module docstring for conventions)."""

    def __init__(
        self,
        *,
        default_token: str = DEFAULT_TOKEN,
        bot_id: int = 999000,
        bot_username: str = "wijkwijs_test_bot",
        bot_first_name: str = "Wijkwijs",
    ) -> None:
        self.default_token = default_token
        self.bot_user: JSONDict = {
            "id": bot_id, "is_bot": True, "first_name": bot_first_name, "username": bot_username,
        }
        self._bots: dict[str, _BotState] = {}
        self._requests: list[RecordedRequest] = []
        self._consumed: set[int] = set()
        self._failures: list[_Failure] = []
        self._blocked: set[int] = set()
        self._chats: dict[int, JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        # (token, chat_id) -> message_id -> record; bot records are public dicts, user ones raw.
        self._bot_msgs: dict[tuple[str, int], dict[int, JSONDict]] = {}
        self._user_msgs: dict[tuple[str, int], dict[int, JSONDict]] = {}
        self._next_msg_id: dict[tuple[str, int], int] = {}
        self._cursors: dict[int, int] = {}
        self._files: dict[str, JSONDict] = {}
        self._callback_answers: list[JSONDict] = []
        self._drafts: list[JSONDict] = []
        self._chat_actions: list[JSONDict] = []
        self._seq = 0
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._handlers: dict[str, tuple[str, Handler]] = {}
        for name, handler in [
            ("getMe", self._get_me), ("getUpdates", self._get_updates),
            ("logOut", self._ok), ("close", self._ok),
            ("deleteWebhook", self._delete_webhook), ("setWebhook", self._set_webhook),
            ("getWebhookInfo", self._get_webhook_info),
            ("setMyCommands", self._set_my_commands), ("getMyCommands", self._get_my_commands),
            ("deleteMyCommands", self._delete_my_commands), ("setChatMenuButton", self._ok),
            ("sendMessage", self._send_message), ("editMessageText", self._edit_message_text),
            ("editMessageReplyMarkup", self._edit_reply_markup),
            ("deleteMessage", self._delete_message),
            ("answerCallbackQuery", self._answer_callback_query),
            ("sendChatAction", self._send_chat_action), ("sendDocument", self._send_document),
            ("sendMessageDraft", self._send_message_draft),
            ("setMessageReaction", self._ok), ("getChat", self._get_chat),
            ("getFile", self._get_file),
        ]:
            self._handlers[name.lower()] = (name, handler)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and start serving."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._closing = False
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Wake pending long polls and shut the HTTP server down."""
        self._closing = True
        self._touch()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def api_root(self) -> str:
        """``http://127.0.0.1:PORT``; use ``{api_root}/bot`` and ``{api_root}/file/bot``."""
        if self._port is None:
            raise RuntimeError("FakeTelegramServer is not started")
        return f"http://127.0.0.1:{self._port}"

    # ------------------------------------------------------------------ failure injection

    def fail_next(
        self, method: str, *, error_code: int = 400, description: str | None = None,
        retry_after: int | None = None, times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (``retry_after`` -> 429 flood wait)."""
        parameters = None
        if retry_after is not None:
            error_code, parameters = 429, {"retry_after": retry_after}
            description = description or f"Too Many Requests: retry after {retry_after}"
        prefix = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                  409: "Conflict", 502: "Bad Gateway"}.get(error_code, "Internal Server Error")
        error = ApiError(error_code, description or f"{prefix}: injected failure", parameters)
        self._failures.append(_Failure(method.lower(), error, times))

    def block_user(self, chat_id: int) -> None:
        """send*/edit*/copy*/forward* calls to the chat get 403 'bot was blocked by the user'."""
        self._blocked.add(chat_id)

    def unblock_user(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    # ------------------------------------------------------------------ simulated users

    async def send_message(
        self, user_id: int, text: str, *, chat_id: int | None = None, chat_type: str = "private",
        first_name: str = "Test", username: str | None = None,
        entities: list[JSONDict] | None = None, reply_to_message_id: int | None = None,
        token: str | None = None,
    ) -> JSONDict:
        """A user sends a text message; returns the queued update (``["message"]["message_id"]``).

        A ``bot_command`` entity is added automatically when the text starts with ``/``.
        """
        if entities is None and text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        return self._user_message(user_id, chat_id, chat_type, first_name, username, token,
                                  content, reply_to_message_id)

    async def send_sticker(self, user_id: int, *, chat_id: int | None = None,
                           token: str | None = None) -> JSONDict:
        sticker = {**self._register_file("sticker", "sticker.webp", b"RIFF fake", "image/webp"),
                   "type": "regular", "width": 512, "height": 512, "is_animated": False,
                   "is_video": False, "emoji": "👍"}
        return self._user_message(user_id, chat_id, "private", "Test", None, token,
                                  {"sticker": sticker})

    async def send_photo(self, user_id: int, *, caption: str | None = None,
                         chat_id: int | None = None, token: str | None = None) -> JSONDict:
        photo = self._register_file("photo", "photo.jpg", b"\xff\xd8\xff fake jpeg", "image/jpeg")
        content: JSONDict = {"photo": [{**photo, "width": 90, "height": 90}]}
        if caption is not None:
            content["caption"] = caption
        return self._user_message(user_id, chat_id, "private", "Test", None, token, content)

    async def send_voice(self, user_id: int, *, duration: int = 3, chat_id: int | None = None,
                         token: str | None = None) -> JSONDict:
        voice = {**self._register_file("voice", "voice.ogg", b"OggS fake", "audio/ogg"),
                 "duration": duration, "mime_type": "audio/ogg"}
        return self._user_message(user_id, chat_id, "private", "Test", None, token,
                                  {"voice": voice})

    async def send_document(
        self, user_id: int, file_name: str = "x.pdf", *, content: bytes = b"%PDF-1.4 fake\n",
        mime_type: str | None = None, caption: str | None = None, chat_id: int | None = None,
        token: str | None = None,
    ) -> JSONDict:
        """A user uploads a document; the bot can fetch it via getFile + the file URL."""
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        doc = {**self._register_file("document", file_name, content, mime),
               "file_name": file_name, "mime_type": mime}
        body: JSONDict = {"document": doc}
        if caption is not None:
            body["caption"] = caption
        return self._user_message(user_id, chat_id, "private", "Test", None, token, body)

    async def send_location(self, user_id: int, latitude: float = 52.3676,
                            longitude: float = 4.9041, *, chat_id: int | None = None,
                            token: str | None = None) -> JSONDict:
        return self._user_message(user_id, chat_id, "private", "Test", None, token,
                                  {"location": {"latitude": latitude, "longitude": longitude}})

    async def edit_message(self, user_id: int, message_id: int, text: str, *,
                           chat_id: int | None = None, token: str | None = None) -> JSONDict:
        """The user edits one of their earlier text messages -> ``edited_message`` update."""
        token = token or self.default_token
        raw = self._user_msgs.get((token, chat_id or user_id), {}).get(message_id)
        if raw is None:
            raise ValueError(f"user message {message_id} not found in chat {chat_id or user_id}")
        raw.update(text=text, edit_date=int(time.time()))
        return self._enqueue(token, {"edited_message": copy.deepcopy(raw)})

    async def press_button(
        self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None,
        token: str | None = None, force: bool = False,
    ) -> JSONDict:
        """Press an inline button of a bot message -> ``callback_query`` update.

        Raises ``ValueError`` if the message is unknown or (unless ``force``) has no button with
        this callback_data. Returns the update; the callback id is ``["callback_query"]["id"]``.
        """
        token = token or self.default_token
        chat = chat_id or user_id
        rec = self._bot_msgs.get((token, chat), {}).get(message_id)
        if rec is None or rec["deleted"]:
            raise ValueError(f"bot message {message_id} not found in chat {chat}")
        buttons = [b.get("callback_data") for row in
                   (rec["reply_markup"] or {}).get("inline_keyboard", []) for b in row]
        if not force and data not in buttons:
            raise ValueError(f"message {message_id} has no button {data!r}; has {buttons}")
        self._seq += 1
        query: JSONDict = {
            "id": str(4_000_000 + self._seq), "from": self._user(user_id, "Test", None),
            "message": self._render(rec), "chat_instance": str(abs(chat) * 7 + 1), "data": data,
        }
        self._bot(token).open_callbacks[query["id"]] = query
        return self._enqueue(token, {"callback_query": query})

    async def inject_update(self, update: JSONDict, *, token: str | None = None) -> JSONDict:
        """Queue a raw update; ``update_id`` is assigned when missing."""
        return self._enqueue(token or self.default_token, copy.deepcopy(update))

    def pending_updates(self, token: str | None = None) -> list[JSONDict]:
        """Updates not yet confirmed by a getUpdates offset."""
        return copy.deepcopy(self._bot(token or self.default_token).updates)

    # ------------------------------------------------------------------ reading bot output

    def sent_messages(self, chat_id: int, *, token: str | None = None) -> list[JSONDict]:
        """Bot messages in a chat, oldest first (deleted ones keep ``deleted=True``).

        Keys: message_id, chat_id, token, seq, date, text (as sent), plain_text (markup
        stripped), caption, parse_mode, entities, reply_markup, reply_to_message_id, document
        (file_name, mime_type, data, file_id, ... or None), edited, edits (previous versions),
        deleted.
        """
        found = [rec for (tok, chat), msgs in self._bot_msgs.items()
                 if chat == chat_id and token in (None, tok) for rec in msgs.values()]
        return copy.deepcopy(sorted(found, key=lambda rec: rec["seq"]))

    def checkpoint(self, chat_id: int) -> None:
        """Ignore everything sent to this chat so far in the next ``wait_for_messages``."""
        self._cursors[chat_id] = self._seq

    async def wait_for_messages(
        self, chat_id: int, count: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109 - a plain deadline keeps test code short
        *, after: int | None = None, token: str | None = None,
    ) -> list[JSONDict]:
        """Wait for at least ``count`` new bot messages in the chat and return all new ones.

        "New" means sent after the chat's cursor (see :meth:`checkpoint`), or with a
        message_id greater than ``after`` if given. The cursor moves past the returned messages.
        """

        def new() -> list[JSONDict]:
            msgs = self.sent_messages(chat_id, token=token)
            if after is not None:
                return [m for m in msgs if m["message_id"] > after]
            return [m for m in msgs if m["seq"] > self._cursors.get(chat_id, 0)]

        if not await self._wait_until(lambda: len(new()) >= count, timeout):
            got = [(m["message_id"], m["text"] or m["caption"]) for m in new()]
            raise AssertionError(
                f"expected {count} new message(s) in chat {chat_id} within {timeout}s, got {got}"
            )
        result = new()
        self._cursors[chat_id] = max(self._cursors.get(chat_id, 0), result[-1]["seq"])
        return result

    def message_count(self, chat_id: int) -> int:
        """How many messages the bot sent to a chat (no copies: cheap enough for load tests)."""
        return sum(len(msgs) for (_tok, chat), msgs in self._bot_msgs.items() if chat == chat_id)

    async def wait_for_count(self, chat_id: int, count: int,
                             timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has sent at least ``count`` messages to the chat in total."""
        if not await self._wait_until(lambda: self.message_count(chat_id) >= count, timeout):
            raise AssertionError(f"chat {chat_id}: {self.message_count(chat_id)} of {count} "
                                 f"messages within {timeout}s")

    async def wait_for_request(
        self, method: str, predicate: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> RecordedRequest:
        """Return the oldest not-yet-returned request of ``method`` matching ``predicate``."""

        def match() -> RecordedRequest | None:
            for req in self._requests:
                if (req.seq not in self._consumed and req.method.lower() == method.lower()
                        and (predicate is None or predicate(req))):
                    return req
            return None

        if not await self._wait_until(lambda: match() is not None, timeout):
            seen = [(r.method, r.params) for r in self.requests(method)]
            raise AssertionError(f"no matching {method} request within {timeout}s; saw {seen}")
        req = match()
        assert req is not None
        self._consumed.add(req.seq)
        return req

    def requests(self, method: str | None = None) -> list[RecordedRequest]:
        """All recorded API calls (including getUpdates), optionally for one method."""
        return [r for r in self._requests if method is None or r.method.lower() == method.lower()]

    def callback_answers(self) -> list[JSONDict]:
        """answerCallbackQuery calls: callback_query_id, text, show_alert, url, data, chat_id."""
        return copy.deepcopy(self._callback_answers)

    def documents(self, chat_id: int) -> list[JSONDict]:
        """Documents the bot sent to a chat (file_name, mime_type, data, caption, ...)."""
        return [{**m["document"], "message_id": m["message_id"], "caption": m["caption"]}
                for m in self.sent_messages(chat_id) if m["document"]]

    def drafts(self, chat_id: int) -> list[JSONDict]:
        """sendMessageDraft calls for a chat: draft_id, text, parse_mode."""
        return [copy.deepcopy(d) for d in self._drafts if d["chat_id"] == chat_id]

    def chat_actions(self, chat_id: int) -> list[str]:
        return [a["action"] for a in self._chat_actions if a["chat_id"] == chat_id]

    def commands(self, scope: JSONDict | None = None, language_code: str = "", *,
                 token: str | None = None) -> list[JSONDict]:
        """Commands stored by setMyCommands for a scope (default scope if None) and language."""
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        return copy.deepcopy(self._bot(token or self.default_token).commands.get(key, []))

    find_button = staticmethod(find_button)

    # ------------------------------------------------------------------ internals

    def _touch(self) -> None:
        """Wake up every waiter (they re-check their predicates)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_until(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """Wait until ``predicate()`` holds (True) or ``seconds`` pass / the server stops."""
        deadline = asyncio.get_running_loop().time() + seconds
        while not predicate():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0 or self._closing:
                return predicate()
            try:
                async with asyncio.timeout(remaining):
                    await self._changed.wait()
            except TimeoutError:
                return predicate()
        return True

    def _bot(self, token: str) -> _BotState:
        return self._bots.setdefault(token, _BotState())

    def _enqueue(self, token: str, update: JSONDict) -> JSONDict:
        bot = self._bot(token)
        update.setdefault("update_id", bot.next_update_id)
        bot.next_update_id = max(bot.next_update_id, int(update["update_id"])) + 1
        bot.updates.append(update)
        self._touch()
        return copy.deepcopy(update)

    def _new_message_id(self, token: str, chat_id: int) -> int:
        key = (token, chat_id)
        self._next_msg_id[key] = self._next_msg_id.get(key, 0) + 1
        return self._next_msg_id[key]

    def _user(self, user_id: int, first_name: str, username: str | None) -> JSONDict:
        user = self._users.get(user_id) or {"id": user_id, "is_bot": False,
                                            "first_name": first_name}
        if username:
            user["username"] = username
        self._users[user_id] = user
        return dict(user)

    def _chat(self, chat_id: int) -> JSONDict:
        if chat_id in self._chats:
            return dict(self._chats[chat_id])
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": "Test group"}
        return {"id": chat_id, "type": "private", "first_name": "Test"}

    def _register_file(self, kind: str, name: str, data: bytes, mime: str) -> JSONDict:
        n = len(self._files) + 1
        info: JSONDict = {"file_id": f"{kind}-{n}", "file_unique_id": f"u{n}",
                          "file_size": len(data)}
        self._files[info["file_id"]] = {**info, "file_path": f"{kind}s/file_{n}_{name}",
                                        "data": data, "mime_type": mime}
        return dict(info)

    def _user_message(
        self, user_id: int, chat_id: int | None, chat_type: str, first_name: str,
        username: str | None, token: str | None, content: JSONDict,
        reply_to_message_id: int | None = None,
    ) -> JSONDict:
        token = token or self.default_token
        chat_id = chat_id or user_id
        user = self._user(user_id, first_name, username)
        if chat_id not in self._chats:
            if chat_type == "private":
                self._chats[chat_id] = {k: v for k, v in user.items() if k != "is_bot"}
                self._chats[chat_id]["type"] = "private"
            else:
                self._chats[chat_id] = {"id": chat_id, "type": chat_type, "title": "Test group"}
        msg: JSONDict = {"message_id": self._new_message_id(token, chat_id), "from": user,
                         "chat": self._chat(chat_id), "date": int(time.time()), **content}
        if reply_to_message_id is not None:
            replied = self._find_message(token, chat_id, reply_to_message_id)
            if replied is None:
                raise ValueError(f"message {reply_to_message_id} not found in chat {chat_id}")
            msg["reply_to_message"] = replied
        self._user_msgs.setdefault((token, chat_id), {})[msg["message_id"]] = msg
        return self._enqueue(token, {"message": copy.deepcopy(msg)})

    def _find_message(self, token: str, chat_id: int, message_id: int) -> JSONDict | None:
        rec = self._bot_msgs.get((token, chat_id), {}).get(message_id)
        if rec is not None and not rec["deleted"]:
            return self._render(rec, with_reply=False)
        raw = self._user_msgs.get((token, chat_id), {}).get(message_id)
        return {k: v for k, v in raw.items() if k != "reply_to_message"} if raw else None

    def _render(self, rec: JSONDict, *, with_reply: bool = True) -> JSONDict:
        """The Bot API Message object for a bot message record."""
        msg: JSONDict = {"message_id": rec["message_id"], "from": dict(self.bot_user),
                         "chat": self._chat(rec["chat_id"]), "date": rec["date"]}
        if rec["text"] is not None:
            msg["text"] = rec["plain_text"]
        if rec["caption"] is not None:
            msg["caption"] = rec["plain_text"]
        if rec["document"]:
            msg["document"] = {k: v for k, v in rec["document"].items() if k != "data"}
        markup = rec["reply_markup"]
        if markup and "inline_keyboard" in markup:
            msg["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        if rec["edited"]:
            msg["edit_date"] = rec["edit_date"]
        if with_reply and rec["reply_to_message_id"] is not None:
            replied = self._find_message(rec["token"], rec["chat_id"], rec["reply_to_message_id"])
            if replied is not None:
                msg["reply_to_message"] = replied
        return msg

    # ------------------------------------------------------------------ HTTP layer

    async def _parse_params(self, request: web.Request) -> tuple[JSONDict, Files]:
        params: JSONDict = {}
        files: Files = {}
        raw: list[tuple[str, Any]] = list(request.query.items())
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                for key, value in body.items():
                    if key in _JSON_FIELDS and isinstance(value, str):
                        value = json.loads(value)
                    params[key] = value
            else:
                raw.extend((await request.post()).items())
        for key, value in raw:
            if isinstance(value, web.FileField):
                files[key] = UploadedFile(key, value.filename, value.content_type,
                                          value.file.read())
                continue
            if isinstance(value, bytes | bytearray):
                value = bytes(value).decode("utf-8")
            if key not in _STRING_FIELDS:
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            params.setdefault(key, value)
        return params, files

    async def _handle_api(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        params, files = await self._parse_params(request)
        name, handler = self._handlers.get(method.lower(), (method, None))
        status, payload = 200, {}
        try:
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            failure = next((f for f in self._failures if f.method == name.lower()), None)
            if failure is not None:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                raise failure.error
            chat_id = params.get("chat_id")
            if name.lower().startswith(_SEND_PREFIXES) and chat_id in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            payload = {"ok": True, "result": await handler(token, self._bot(token), params, files)}
        except ApiError as exc:
            status, payload = exc.code, exc.payload()
        except Exception as exc:  # a bug in this fake: make it visible in the test failure
            status, payload = 500, ApiError(500, f"Internal Server Error: {exc!r}").payload()
        self._seq += 1
        self._requests.append(RecordedRequest(self._seq, token, name, params, files, status,
                                              payload))
        self._touch()
        return web.json_response(payload, status=status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        for info in self._files.values():
            if info["file_path"] == path:
                return web.Response(body=info["data"], content_type=info["mime_type"])
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"},
                                 status=404)

    # ------------------------------------------------------------------ API methods

    @staticmethod
    def _int(params: JSONDict, key: str) -> int:
        value = params.get(key)
        if value is None or value == "":
            raise bad_request(f"{key} is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request("chat not found" if key == "chat_id" else f"invalid {key}") from None

    async def _ok(self, token: str, bot: _BotState, p: JSONDict, f: Files) -> bool:
        """Accepted and recorded; nothing to simulate (logOut, close, setMessageReaction...)."""
        return True

    async def _get_me(self, token: str, bot: _BotState, p: JSONDict, f: Files) -> JSONDict:
        return {**self.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False,
                "has_main_web_app": False}

    async def _get_updates(
        self, token: str, bot: _BotState, p: JSONDict, f: Files
    ) -> list[JSONDict]:
        if bot.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = int(p.get("offset") or 0)
        if offset < 0:
            bot.updates = bot.updates[offset:]
        elif offset > 0:
            bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        await self._wait_until(lambda: bool(bot.updates), float(p.get("timeout") or 0))
        return copy.deepcopy(bot.updates[:limit])

    async def _delete_webhook(self, token: str, bot: _BotState, p: JSONDict, f: Files) -> bool:
        bot.webhook_url = ""
        if p.get("drop_pending_updates"):
            bot.updates.clear()
        return True

    async def _set_webhook(self, token: str, bot: _BotState, p: JSONDict, f: Files) -> bool:
        bot.webhook_url = str(p.get("url") or "")
        if p.get("drop_pending_updates"):
            bot.updates.clear()
        return True

    async def _get_webhook_info(
        self, token: str, bot: _BotState, p: JSONDict, f: Files
    ) -> JSONDict:
        return {"url": bot.webhook_url, "has_custom_certificate": False,
                "pending_update_count": len(bot.updates)}

    @staticmethod
    def _commands_key(p: JSONDict) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")

    async def _set_my_commands(self, token: str, bot: _BotState, p: JSONDict, f: Files) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be a list of at most 100 BotCommand objects")
        for cmd in commands:
            if not _COMMAND_RE.match(str(cmd.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise bad_request("command description is empty or too long")
        bot.commands[self._commands_key(p)] = commands
        return True

    async def _get_my_commands(
        self, token: str, bot: _BotState, p: JSONDict, f: Files
    ) -> list[JSONDict]:
        return bot.commands.get(self._commands_key(p), [])

    async def _delete_my_commands(self, token: str, bot: _BotState, p: JSONDict, f: Files) -> bool:
        bot.commands.pop(self._commands_key(p), None)
        return True

    def _reply_to(self, token: str, chat_id: int, p: JSONDict) -> int | None:
        reply = p.get("reply_parameters") or {}
        message_id = reply.get("message_id", p.get("reply_to_message_id"))
        if message_id is None:
            return None
        if self._find_message(token, chat_id, int(message_id)) is None:
            if reply.get("allow_sending_without_reply") or p.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return int(message_id)

    def _store_bot_message(self, token: str, chat_id: int, p: JSONDict, **fields: Any) -> JSONDict:
        rec: JSONDict = {
            "message_id": self._new_message_id(token, chat_id), "chat_id": chat_id,
            "token": token, "seq": 0, "date": int(time.time()), "text": None, "plain_text": None,
            "caption": None, "parse_mode": p.get("parse_mode"), "entities": None,
            "reply_markup": p.get("reply_markup"),
            "reply_to_message_id": self._reply_to(token, chat_id, p), "document": None,
            "edited": False, "edit_date": None, "edits": [], "deleted": False, **fields,
        }
        self._seq += 1
        rec["seq"] = self._seq
        self._bot_msgs.setdefault((token, chat_id), {})[rec["message_id"]] = rec
        return rec

    @staticmethod
    def _checked_text(p: JSONDict, key: str = "text", *, allow_empty: bool = False) -> str:
        text = str(p.get(key) or "")
        plain = plain_text(text, p.get("parse_mode")) if p.get("entities") is None else text
        if not plain.strip() and not allow_empty:
            raise bad_request("message text is empty")
        if len(plain) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return plain

    async def _send_message(self, token: str, bot: _BotState, p: JSONDict, f: Files) -> JSONDict:
        chat_id = self._int(p, "chat_id")
        plain = self._checked_text(p)
        check_reply_markup(p.get("reply_markup"))
        rec = self._store_bot_message(token, chat_id, p, text=p["text"], plain_text=plain,
                                      entities=p.get("entities"))
        return self._render(rec)

    def _editable(self, token: str, p: JSONDict) -> JSONDict:
        if p.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the fake server")
        chat_id, message_id = self._int(p, "chat_id"), self._int(p, "message_id")
        rec = self._bot_msgs.get((token, chat_id), {}).get(message_id)
        if rec is None or rec["deleted"]:
            if message_id in self._user_msgs.get((token, chat_id), {}):
                raise bad_request("message can't be edited")
            raise bad_request("message to edit not found")
        return rec

    @staticmethod
    def _apply_edit(rec: JSONDict, **changes: Any) -> None:
        if all(rec[k] == v for k, v in changes.items()):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        keys = ("text", "plain_text", "caption", "parse_mode", "entities", "reply_markup")
        rec["edits"].append({k: copy.deepcopy(rec[k]) for k in keys})
        rec.update(changes, edited=True, edit_date=int(time.time()))

    async def _edit_message_text(
        self, token: str, bot: _BotState, p: JSONDict, f: Files
    ) -> JSONDict:
        rec = self._editable(token, p)
        if rec["text"] is None:
            raise bad_request("there is no text in the message to edit")
        plain = self._checked_text(p)
        check_reply_markup(p.get("reply_markup"))
        self._apply_edit(rec, text=p["text"], plain_text=plain, parse_mode=p.get("parse_mode"),
                         entities=p.get("entities"), reply_markup=p.get("reply_markup"))
        return self._render(rec)

    async def _edit_reply_markup(
        self, token: str, bot: _BotState, p: JSONDict, f: Files
    ) -> JSONDict:
        rec = self._editable(token, p)
        check_reply_markup(p.get("reply_markup"))
        self._apply_edit(rec, reply_markup=p.get("reply_markup"))
        return self._render(rec)

    async def _delete_message(self, token: str, bot: _BotState, p: JSONDict, f: Files) -> bool:
        chat_id, message_id = self._int(p, "chat_id"), self._int(p, "message_id")
        rec = self._bot_msgs.get((token, chat_id), {}).get(message_id)
        if rec is not None and not rec["deleted"]:
            rec["deleted"] = True
        elif self._user_msgs.get((token, chat_id), {}).pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        return True

    async def _answer_callback_query(
        self, token: str, bot: _BotState, p: JSONDict, f: Files
    ) -> bool:
        query = bot.open_callbacks.pop(str(p.get("callback_query_id")), None)
        if query is None:
            raise bad_request("query is too old and response timeout expired or query ID is "
                              "invalid")
        if len(str(p.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._callback_answers.append({
            "callback_query_id": query["id"], "text": p.get("text"),
            "show_alert": bool(p.get("show_alert")), "url": p.get("url"),
            "cache_time": p.get("cache_time"), "data": query.get("data"),
            "user_id": query["from"]["id"], "chat_id": query["message"]["chat"]["id"],
            "message_id": query["message"]["message_id"], "token": token,
        })
        return True

    async def _send_chat_action(self, token: str, bot: _BotState, p: JSONDict, f: Files) -> bool:
        self._chat_actions.append({"chat_id": self._int(p, "chat_id"),
                                   "action": str(p.get("action")), "token": token})
        return True

    async def _send_message_draft(self, token: str, bot: _BotState, p: JSONDict, f: Files) -> bool:
        chat_id = self._int(p, "chat_id")
        if not p.get("draft_id"):
            raise bad_request("draft_id must be non-zero")
        self._checked_text(p, allow_empty=True)
        self._drafts.append({"chat_id": chat_id, "draft_id": int(p["draft_id"]),
                             "text": p.get("text"), "parse_mode": p.get("parse_mode"),
                             "token": token})
        return True

    async def _send_document(self, token: str, bot: _BotState, p: JSONDict, f: Files) -> JSONDict:
        chat_id = self._int(p, "chat_id")
        upload = f.get("document")
        if upload is not None:
            name, data, mime = upload.filename, upload.data, upload.content_type
        elif isinstance(p.get("document"), str) and p["document"] in self._files:
            stored = self._files[p["document"]]
            name, data = stored["file_path"].rsplit("/", 1)[-1], stored["data"]
            mime = stored["mime_type"]
        elif isinstance(p.get("document"), str) and p["document"].startswith("http"):
            name, data, mime = p["document"].rsplit("/", 1)[-1], b"", "application/octet-stream"
        else:
            raise bad_request("there is no document in the request")
        caption = p.get("caption")
        plain = None
        if caption is not None:
            plain = plain_text(str(caption), p.get("parse_mode"))
            if len(plain) > MAX_CAPTION_LENGTH:
                raise bad_request("message caption is too long")
        check_reply_markup(p.get("reply_markup"))
        info = self._register_file("document", name, data, mime)
        document = {**info, "file_name": name, "mime_type": mime, "data": data}
        rec = self._store_bot_message(token, chat_id, p, caption=caption, plain_text=plain,
                                      entities=p.get("caption_entities"), document=document)
        return self._render(rec)

    async def _get_chat(self, token: str, bot: _BotState, p: JSONDict, f: Files) -> JSONDict:
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts",
                               "premium_subscription", "gifts_from_channels"), False)
        return {**self._chat(self._int(p, "chat_id")), "accent_color_id": 0,
                "max_reaction_count": 11, "accepted_gift_types": gifts}

    async def _get_file(self, token: str, bot: _BotState, p: JSONDict, f: Files) -> JSONDict:
        stored = self._files.get(str(p.get("file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        return {k: stored[k] for k in ("file_id", "file_unique_id", "file_size", "file_path")}
