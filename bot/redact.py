"""Keep secrets out of logs and operator messages.

`install_redaction` puts a `RedactingFilter` on every handler of the root logger. It rewrites each
record before it is formatted: the message with its arguments, the exception text (traceback)
and the stack info. Redacted are the configured secrets (bot token, LLM API key, webhook secret),
anything that looks like a Telegram bot token, and passwords in URLs (``scheme://user:pw@host``).
`redact` is the same function for text printed on the CLI.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from bot.settings import Settings

MASK = "***"
_BOT_TOKEN_RE = re.compile(r"(?<![0-9])\d{5,}(?::|%3A)[A-Za-z0-9_-]{30,}")
"""Telegram bot tokens look like '123456789:AAH…' (35 characters after the colon)."""
_URL_PASSWORD_RE = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+@", re.IGNORECASE)

_secrets: tuple[str, ...] = ()
_lock = threading.Lock()


def _variants(secret: str) -> set[str]:
    out = {secret, quote(secret, safe=""), quote(secret, safe=":")}
    if ":" in secret:  # a bot token: its secret half may show up alone
        tail = secret.split(":", 1)[1]
        if len(tail) >= 8:
            out.add(tail)
    return {v for v in out if len(v) >= 4}


def set_secrets(secrets: Iterable[str]) -> None:
    """Replace the set of literal secrets to redact (longest first, so no partial leftovers)."""
    global _secrets
    found: set[str] = set()
    for s in secrets:
        if s:
            found |= _variants(s)
    with _lock:
        _secrets = tuple(sorted(found, key=len, reverse=True))


def settings_secrets(settings: Settings) -> list[str]:
    return [settings.telegram_token, settings.llm_api_key, settings.webhook_secret]


def redact(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _BOT_TOKEN_RE.sub(MASK, text)
    return _URL_PASSWORD_RE.sub(rf"\1{MASK}@", text)


class RedactingFilter(logging.Filter):
    """Rewrites a record so that no handler after it can print a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what we have, redacted
            message = f"{record.msg} {record.args}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            text = record.exc_text or "".join(traceback.format_exception(*record.exc_info))
            record.exc_text = redact(text.rstrip("\n"))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def _excepthook(exc_type: type[BaseException], exc: BaseException,
                tb: TracebackType | None) -> None:
    sys.stderr.write(redact("".join(traceback.format_exception(exc_type, exc, tb))))


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    text = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
    name = args.thread.name if args.thread else "?"
    sys.stderr.write(redact(f"Exception in thread {name}:\n{text}"))


def install_redaction(settings: Settings) -> None:
    """Redact the settings' secrets in every log handler and in uncaught tracebacks."""
    set_secrets(settings_secrets(settings))
    root = logging.getLogger()
    for handler in root.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
