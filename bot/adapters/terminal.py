"""Terminal adapter: drives the same services as the Telegram bot (``wijkwijs chat``)."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, TextIO

from bot import texts
from bot.adapters.terminal_quiz import handle_quiz
from bot.answering.plain import render_plain
from bot.answering.service import UserFacingError
from bot.assignments import AssignmentError
from bot.assignments.texts import STATUS_ICONS
from bot.reminders import ReminderError
from bot.roleplay import texts as rp_texts
from bot.roleplay.engine import RoleplayError

if TYPE_CHECKING:
    from bot.services import Services

PROMPT = "jij> "
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


class TerminalChat:
    def __init__(self, services: Services, out: TextIO, user_id: int,
                 loop: asyncio.AbstractEventLoop) -> None:
        self.services = services
        self.out = out
        self.user_id = user_id
        self.choosing = False
        self.loop = loop

    def say(self, text: str) -> None:
        self.out.write(plain(text) + "\n")
        self.out.flush()

    def handle(self, text: str) -> bool:
        """Handle one line; False means: stop the chat."""
        rp = self.services.roleplay
        command = text.split()[0].lower() if text.startswith("/") else ""
        if command in {"/exit", "/quit"}:
            return False
        if handle_quiz(self.services, self.user_id, command, text, self.say):
            return True
        if command == "/start":
            self.say(texts.TERMINAL_WELCOME)
        elif command == "/help":
            self.help()
        elif command == "/vraag":
            question = text.split(maxsplit=1)[1].strip() if len(text.split()) > 1 else ""
            if question:
                self.answer(question)
            else:
                self.say(texts.VRAAG_EMPTY)
        elif command == "/nieuw":  # forgets the follow-up context (offline and LLM)
            self.services.new_conversation(self.user_id)
            self.say(texts.NEW_CONVERSATION)
        elif rp is not None and command == "/oefenen":
            self.say(texts.TERMINAL_SCENARIOS)
            for i, s in enumerate(rp.scenarios(), 1):
                label = rp_texts.DIFFICULTY_LABELS[s.difficulty]
                self.say(f"  {i}. {s.title} ({label})")
            self.say(f"  0. {rp_texts.SURPRISE_ME}")
            self.choosing = True
        elif rp is not None and self.choosing and not command:
            self.choosing = False
            self.start_scenario(text)
        elif rp is not None and command == "/tip":
            try:
                self.say(f"💡 {rp.hint(self.user_id)}")
            except RoleplayError:
                self.say(texts.RP_NOT_ACTIVE)
        elif rp is not None and command == "/stop":
            feedback = rp.stop(self.user_id)
            self.say(texts.RP_NOT_ACTIVE if feedback is None else rp.render(feedback))
        elif rp is not None and command == "/mijnoefeningen":
            self.say(rp.history(self.user_id))
        elif command in {"/opdrachten", "/opdracht", "/antwoord", "/klaar", "/exporteer",
                         "/herinnering"}:
            self.assignments(command, text.split()[1:], text)
        elif command:
            self.say(texts.TERMINAL_UNKNOWN_COMMAND)
        elif rp is not None and rp.is_active(self.user_id):
            try:
                turn = rp.reply(self.user_id, text)
            except RoleplayError as exc:
                self.say(str(exc))
                return True
            self.say(f"🎭 {turn.line}")
            if turn.feedback is not None:
                self.say(rp.render(turn.feedback))
        elif rp is not None and (notice := rp.take_end_notice(self.user_id)) is not None:
            self.say(notice)  # right after a conversation ended: not a course question
        else:
            self.answer(text)
        return True

    def assignments(self, command: str, args: list[str], text: str) -> None:
        """Checklists, export and reminder settings: the same services as in Telegram."""
        svc = self.services.assignments
        try:
            if command == "/opdrachten":
                for p in svc.overview(self.user_id):
                    self.say(f"  {p.bar}  {p.assignment.heading}")
                self.say(texts.TERMINAL_ASSIGNMENT_KEYS)
            elif command == "/opdracht":
                n = int(args[0])
                for i, state in enumerate(svc.progress(self.user_id, n).items, 1):
                    self.say(texts.TERMINAL_ITEM_LINE.format(
                        number=i, icon=STATUS_ICONS[state.status], label=state.item.label))
            elif command == "/antwoord":
                n, item_id = int(args[0]), self.item_id(int(args[0]), args[1])
                answer = text.split(maxsplit=3)[3] if len(args) > 2 else ""
                view = svc.save_answer(self.user_id, n, item_id, answer)
                self.say(texts.TERMINAL_SAVED)
                for line in view.check:
                    self.say(f"  - {line}")
            elif command == "/klaar":
                view = svc.set_done(self.user_id, int(args[0]),
                                    self.item_id(int(args[0]), args[1]), True)
                self.say(f"{STATUS_ICONS[view.status]} {view.item.label}")
                for line in view.check:  # ticked anyway: say honestly what is still missing
                    self.say(f"  ⚠ {line}")
            elif command == "/exporteer":
                # Into the data folder, never the folder the chat was started from.
                exports = self.services.settings.data_dir / "exports"
                for path in svc.write_exports(self.user_id, int(args[0]), exports):
                    self.say(texts.TERMINAL_EXPORTED.format(path=path.resolve()))
            elif command == "/herinnering":
                reminders = self.services.reminders
                if args:  # the same phrases as in Telegram: "19u30", "pauze", "20:00 werkdagen"
                    reminders.apply(self.user_id, self.user_id, " ".join(args))
                self.say(reminders.describe(self.user_id))
        except (AssignmentError, ReminderError) as exc:
            self.say(str(exc))
        except (IndexError, ValueError):
            self.say(texts.TERMINAL_ASSIGNMENT_KEYS)

    def item_id(self, n: int, ref: str) -> str:
        """An item by its number in `/opdracht n` (1, 2, …) or by its id (partner-1-waarde)."""
        if ref.isdigit():
            items = self.services.assignments.get(n).items
            if 1 <= int(ref) <= len(items):
                return items[int(ref) - 1].id
        return ref

    def help(self) -> None:
        available = {c for c, _ in self.services.command_list()} | {
            "antwoord", "klaar", "exit", "help", "vraag", "nieuw"}
        if self.services.catalogue:
            available |= {"opdrachten", "exporteer"}
        self.say(texts.TERMINAL_HELP_HEADER)
        for command, line in texts.TERMINAL_COMMANDS.items():
            if command in available and (self.services.catalogue or command not in
                                         {"antwoord", "klaar", "opdrachten", "exporteer"}):
                self.say(f"  {line}")

    def start_scenario(self, choice: str) -> None:
        rp = self.services.roleplay
        assert rp is not None
        scenarios = rp.scenarios()
        scenario_id: str | None = None
        if choice.strip().isdigit() and 1 <= int(choice) <= len(scenarios):
            scenario_id = scenarios[int(choice) - 1].id
        elif choice.strip() not in {"0", "verras", "verras me"}:
            scenario_id = choice.strip()
        try:
            opening = rp.start(self.user_id, scenario_id)
        except RoleplayError as exc:
            self.say(str(exc))
            return
        self.say(opening.intro)
        self.say(f"🎭 {opening.line}")
        self.say(texts.TERMINAL_ROLEPLAY_KEYS)

    def answer(self, text: str) -> None:
        try:
            # The same entry point as Telegram: generated answers when an LLM is configured.
            answer = self.loop.run_until_complete(self.services.ask(self.user_id, text))
        except UserFacingError as exc:
            self.say(f"bot> {exc}")
            return
        self.say(f"bot> {render_plain(answer)}")


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
