"""Terminal adapter: drives the same services and the same command registry as the Telegram bot
(``wijkwijs chat``).

Routing is a table, not a chain: every available feature of `bot.features.REGISTRY` (except the
trainers' ones) registers a handler per command here (`TerminalFeature`); building the chat
fails when a registry command has none, so a feature added to the registry appears in both
adapters. ``/help`` lists the registry's commands with their descriptions, then the
terminal-only commands (what Telegram does with buttons, e.g. ``/antwoord``).
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from bot import features, texts
from bot.answering.plain import render_plain
from bot.answering.service import UserFacingError
from bot.features import Catalog

if TYPE_CHECKING:
    from bot.services import Services

PROMPT = "jij> "
EXIT_COMMANDS = frozenset({"/exit", "/quit"})
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)(.+?)\1", re.DOTALL)
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)
_BULLET = re.compile(r"^(\s*)[*-]\s+", re.MULTILINE)


def plain(text: str) -> str:
    """Markdown as plain terminal text: no literal ``**``, backticks or '#'; links as
    'text (url)'; bullets as '•'."""
    text = _LINK.sub(r"\1 (\2)", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _ITALIC.sub(r"\1", text)
    text = _HEADING.sub("", text)
    return _BULLET.sub(r"\1• ", text)


def html_plain(text: str) -> str:
    """Telegram's HTML interface texts as terminal text."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


CommandFn = Callable[[list[str], str], None]
"""A command handler: (arguments, the whole line)."""


@dataclass
class TerminalFeature:
    """A feature's terminal side: a handler per registry command, terminal-only commands
    (usage, description, handler), an optional hook for plain text (True = taken) and one
    that sees every command before it runs."""

    spec: features.Feature
    commands: dict[str, CommandFn]
    extra: list[tuple[tuple[str, str], CommandFn]] = field(default_factory=list)
    text: Callable[[str], bool] | None = None
    before_command: Callable[[], None] | None = None


class TerminalChat:
    def __init__(self, services: Services, out: TextIO, user_id: int,
                 loop: asyncio.AbstractEventLoop) -> None:
        from bot.adapters import terminal_features, terminal_quiz

        self.services = services
        self.out = out
        self.user_id = user_id
        self.loop = loop
        self.catalog: Catalog = features.catalog(services)
        # Plain text goes to the first feature whose hook takes it (an open practice question,
        # then role-play), else it is a question.
        registered = [
            self.qa_feature(),
            terminal_quiz.register(self),
            terminal_features.roleplay(self),
            terminal_features.assignments(self),
            terminal_features.reminders(self),
            self.account_feature(),
        ]
        self.features = [f for f in registered if f is not None and self.catalog.has(f.spec)]
        self.routes: dict[str, CommandFn] = {}
        for f in self.features:
            self.routes.update({f"/{name}": fn for name, fn in f.commands.items()})
            self.routes.update({usage.split()[0]: fn for (usage, _), fn in f.extra})
        missing = [c.name for c in self.catalog.commands if f"/{c.name}" not in self.routes]
        if missing:
            raise RuntimeError(f"no terminal handler for /{', /'.join(missing)}")

    def say(self, text: str) -> None:
        self.out.write(plain(text) + "\n")
        self.out.flush()

    def handle(self, text: str) -> bool:
        """Handle one line; False means: stop the chat."""
        if not text.startswith("/"):
            if not any(f.text is not None and f.text(text) for f in self.features):
                self.answer(text)
            return True
        command, *args = text.split()
        command = command.lower()
        if command in EXIT_COMMANDS:
            return False
        for feature in self.features:
            if feature.before_command is not None:
                feature.before_command()
        route = self.routes.get(command)
        if route is None:
            self.say(texts.TERMINAL_UNKNOWN_COMMAND)
        else:
            route(args, text)
        return True

    # Help -------------------------------------------------------------------------------------
    def help_lines(self) -> list[str]:
        """The registry's commands as Telegram shows them, then the terminal-only ones."""
        lines = [texts.TERMINAL_HELP_LINE.format(usage=f"/{c.name}", description=c.description)
                 for c in self.catalog.commands]
        extras = [usage for f in self.features for usage, _ in f.extra]
        return lines + [texts.TERMINAL_HELP_LINE.format(usage=u, description=d)
                        for u, d in [*extras, texts.TERMINAL_EXTRA_EXIT]]

    def help(self, args: list[str], line: str) -> None:
        self.say(texts.TERMINAL_HELP_HEADER)
        for help_line in self.help_lines():
            self.say(help_line)

    # Questions --------------------------------------------------------------------------------
    def qa_feature(self) -> TerminalFeature:
        def vraag(args: list[str], line: str) -> None:
            question = line.split(maxsplit=1)[1].strip() if len(line.split()) > 1 else ""
            if question:
                self.answer(question)
            else:
                self.say(texts.VRAAG_EMPTY)

        def nieuw(args: list[str], line: str) -> None:  # the follow-up context (offline, LLM)
            self.services.new_conversation(self.user_id)
            self.say(texts.NEW_CONVERSATION)

        return TerminalFeature(features.QA, {
            "start": lambda args, line: self.say(texts.TERMINAL_WELCOME),
            "vraag": vraag,
            "nieuw": nieuw,
        })

    def answer(self, text: str) -> None:
        try:
            # The same entry point as Telegram: generated answers when an LLM is configured.
            answer = self.loop.run_until_complete(self.services.ask(self.user_id, text))
        except UserFacingError as exc:
            self.say(f"bot> {exc}")
            return
        answer = self.services.with_dates(self.user_id, text, answer)  # as in Telegram
        self.say(f"bot> {render_plain(answer)}")

    # /help, /privacy, /vergeet ----------------------------------------------------------------
    def account_feature(self) -> TerminalFeature:
        def privacy(args: list[str], line: str) -> None:
            erasure = (texts.PRIVACY_ERASURE_POSTGRES if self.services.db.is_postgres
                       else texts.PRIVACY_ERASURE)
            self.say(html_plain(texts.PRIVACY.format(erasure=erasure)))

        def forget(args: list[str], line: str) -> None:
            if [a.lower() for a in args] != ["ja"]:
                self.say(html_plain(texts.FORGET_CONFIRM))
                self.say(texts.TERMINAL_FORGET_CONFIRM)
                return
            member = self.services.forget_user(self.user_id)
            self.say(texts.FORGET_DONE + (f" {texts.FORGET_KEPT_MEMBERSHIP}" if member else ""))

        return TerminalFeature(features.ACCOUNT, {
            "help": self.help,
            "privacy": privacy,
            "vergeet": forget,
        })


def run_terminal_chat(services: Services, stdin: TextIO, out: TextIO, user_id: int = 1) -> int:
    loop = asyncio.new_event_loop()
    try:
        chat = TerminalChat(services, out, user_id, loop)
        chat.say(texts.TERMINAL_WELCOME)
        interactive = stdin.isatty()
        try:
            while True:
                if interactive:
                    out.write(PROMPT)
                    out.flush()
                line = stdin.readline()
                if not line:  # Ctrl-D / end of input
                    if interactive:
                        out.write("\n")
                    break
                text = line.strip()
                if text and not chat.handle(text):
                    break
        except KeyboardInterrupt:  # Ctrl-C leaves as cleanly as /exit
            out.write("\n")
        chat.say(texts.TERMINAL_BYE)
    finally:
        loop.close()
    return 0
