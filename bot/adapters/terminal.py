"""Terminal adapter: drives the same services as the Telegram bot (``wijkwijs chat``)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot import texts
from bot.answering.service import UserFacingError
from bot.assignments import AssignmentError
from bot.assignments.texts import STATUS_ICONS
from bot.reminders import ReminderError
from bot.roleplay import texts as rp_texts
from bot.roleplay.engine import RoleplayError

if TYPE_CHECKING:
    from bot.app import Services

PROMPT = "jij> "


class TerminalChat:
    def __init__(self, services: Services, out: TextIO, user_id: int,
                 loop: asyncio.AbstractEventLoop) -> None:
        self.services = services
        self.out = out
        self.user_id = user_id
        self.choosing = False
        self.loop = loop

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def handle(self, text: str) -> bool:
        """Handle one line; False means: stop the chat."""
        rp = self.services.roleplay
        command = text.split()[0].lower() if text.startswith("/") else ""
        if command in {"/exit", "/quit"}:
            return False
        if command in {"/help", "/start"}:
            self.say(texts.TERMINAL_WELCOME)
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
            self.say(texts.TERMINAL_UNKNOWN)
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
                for state in svc.progress(self.user_id, n).items:
                    self.say(f"  {STATUS_ICONS[state.status]} {state.item.id}: {state.item.label}")
            elif command == "/antwoord":
                n, item_id = int(args[0]), args[1]
                answer = text.split(maxsplit=3)[3] if len(args) > 2 else ""
                view = svc.save_answer(self.user_id, n, item_id, answer)
                self.say(texts.TERMINAL_SAVED)
                for line in view.check:
                    self.say(f"  - {line}")
            elif command == "/klaar":
                view = svc.set_done(self.user_id, int(args[0]), args[1], True)
                self.say(f"{STATUS_ICONS[view.status]} {view.item.label}")
            elif command == "/exporteer":
                n = int(args[0])
                for ext, data in (("docx", svc.export_docx(self.user_id, n)),
                                  ("md", svc.export_markdown(self.user_id, n).encode())):
                    path = Path(svc.export_filename(n, ext))
                    path.write_bytes(data)
                    self.say(texts.TERMINAL_EXPORTED.format(path=path.resolve()))
            elif command == "/herinnering":
                reminders = self.services.reminders
                if args and args[0].lower() == "uit":
                    reminders.off(self.user_id)
                elif args:
                    reminders.set_time(self.user_id, self.user_id, args[0])
                self.say(reminders.describe(self.user_id))
        except (AssignmentError, ReminderError) as exc:
            self.say(str(exc))
        except (IndexError, ValueError):
            self.say(texts.TERMINAL_ASSIGNMENT_KEYS)

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
        self.say(f"bot> {answer.answer}")
        if answer.sources:
            self.say(f"{texts.SOURCES_HEADER}:")
            for i, s in enumerate(answer.sources, 1):
                self.say(f"  [{i}] {s.title} ({s.topic_label}, {texts.KIND_LABELS[s.kind]})")


def run_terminal_chat(services: Services, stdin: TextIO, out: TextIO, user_id: int = 1) -> int:
    loop = asyncio.new_event_loop()
    try:
        chat = TerminalChat(services, out, user_id, loop)
        chat.say(texts.TERMINAL_WELCOME)
        interactive = stdin.isatty()
        while True:
            if interactive:
                out.write(PROMPT)
                out.flush()
            line = stdin.readline()
            if not line:
                break
            text = line.strip()
            if text and not chat.handle(text):
                break
        chat.say(texts.TERMINAL_BYE)
    finally:
        loop.close()
    return 0
