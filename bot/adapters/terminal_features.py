"""The terminal side of role-play, assignments and reminders (see `bot.adapters.terminal`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot import features, texts
from bot.adapters.terminal import CommandFn, TerminalFeature, html_plain
from bot.assignments import AssignmentError
from bot.assignments.texts import (
    LIBRARY_CLEARED,
    LIBRARY_CURRENT,
    LIBRARY_SAVED,
    LIBRARY_UNKNOWN,
    STATUS_ICONS,
)
from bot.reminders import ReminderError
from bot.roleplay import texts as rp_texts
from bot.roleplay.engine import RoleplayError

if TYPE_CHECKING:
    from bot.adapters.terminal import TerminalChat


# Role-play ------------------------------------------------------------------------------------
def roleplay(chat: TerminalChat) -> TerminalFeature | None:
    rp = chat.services.roleplay
    if rp is None:
        return None
    choosing = False  # after /oefenen the next plain line picks the scenario

    def list_scenarios(args: list[str], line: str) -> None:
        nonlocal choosing
        chat.say(texts.TERMINAL_SCENARIOS)
        for i, s in enumerate(rp.scenarios(), 1):
            chat.say(f"  {i}. {s.title} ({rp_texts.DIFFICULTY_LABELS[s.difficulty]})")
        chat.say(f"  0. {rp_texts.SURPRISE_ME}")
        choosing = True

    def start(choice: str) -> None:
        scenarios = rp.scenarios()
        scenario_id: str | None = None
        if choice.strip().isdigit() and 1 <= int(choice) <= len(scenarios):
            scenario_id = scenarios[int(choice) - 1].id
        elif choice.strip() not in {"0", "verras", "verras me"}:
            scenario_id = choice.strip()
        try:
            opening = rp.start(chat.user_id, scenario_id)
        except RoleplayError as exc:
            chat.say(str(exc))
            return
        chat.say(opening.intro)
        chat.say(f"🎭 {opening.line}")
        chat.say(texts.TERMINAL_ROLEPLAY_KEYS)

    def hint(args: list[str], line: str) -> None:
        try:
            chat.say(f"💡 {rp.hint(chat.user_id)}")
        except RoleplayError:
            chat.say(texts.RP_NOT_ACTIVE)

    def stop(args: list[str], line: str) -> None:
        feedback = rp.stop(chat.user_id)
        chat.say(texts.RP_NOT_ACTIVE if feedback is None else rp.render(feedback))

    def text(line: str) -> bool:
        nonlocal choosing
        if choosing:
            choosing = False
            start(line)
        elif rp.is_active(chat.user_id):
            try:
                turn = rp.reply(chat.user_id, line)
            except RoleplayError as exc:
                chat.say(str(exc))
                return True
            chat.say(f"🎭 {turn.line}")
            if turn.feedback is not None:
                chat.say(rp.render(turn.feedback))
        elif (notice := rp.take_end_notice(chat.user_id)) is not None:
            chat.say(notice)  # right after a conversation ended: not a course question
        else:
            return False
        return True

    return TerminalFeature(features.ROLEPLAY, {
        "oefenen": list_scenarios,
        "stop": stop,
        "mijnoefeningen": lambda args, line: chat.say(rp.history(chat.user_id)),
    }, extra=[(texts.TERMINAL_EXTRA_TIP, hint)], text=text,
        # Any command while the end notice is pending: the participant moved on (Telegram:
        # bot.telegram.roleplay `watchers`).
        before_command=lambda: rp.dismiss_end_notice(chat.user_id))


# Assignments ----------------------------------------------------------------------------------
def _guarded(chat: TerminalChat, fn: Callable[[list[str], str], None]) -> CommandFn:
    """Dutch messages for service errors; the usage for malformed commands."""
    def run(args: list[str], line: str) -> None:
        try:
            fn(args, line)
        except (AssignmentError, ReminderError) as exc:
            chat.say(str(exc))
        except (IndexError, ValueError):
            chat.say(texts.TERMINAL_ASSIGNMENT_KEYS)
    return run


def assignments(chat: TerminalChat) -> TerminalFeature:
    svc = chat.services.assignments
    user = chat.user_id

    def item_id(n: int, ref: str) -> str:
        """An item by its number in `/opdracht n` (1, 2, …) or by its id (partner-1-waarde)."""
        if ref.isdigit():
            items = svc.get(n).items
            if 1 <= int(ref) <= len(items):
                return items[int(ref) - 1].id
        return ref

    def overview(args: list[str], line: str) -> None:
        for p in svc.overview(user):
            chat.say(f"  {p.bar}  {p.assignment.heading}")
        chat.say(texts.TERMINAL_ASSIGNMENT_KEYS)

    def items(args: list[str], line: str) -> None:
        for i, state in enumerate(svc.progress(user, int(args[0])).items, 1):
            chat.say(texts.TERMINAL_ITEM_LINE.format(
                number=i, icon=STATUS_ICONS[state.status], label=state.item.label))

    def answer(args: list[str], line: str) -> None:
        n, item = int(args[0]), item_id(int(args[0]), args[1])
        text = line.split(maxsplit=3)[3] if len(args) > 2 else ""
        view = svc.save_answer(user, n, item, text)
        chat.say(texts.TERMINAL_SAVED)
        for check in view.check:
            chat.say(f"  - {check}")

    def done(args: list[str], line: str) -> None:
        view = svc.set_done(user, int(args[0]), item_id(int(args[0]), args[1]), True)
        chat.say(f"{STATUS_ICONS[view.status]} {view.item.label}")
        for check in view.check:  # ticked anyway: say honestly what is still missing
            chat.say(f"  ⚠ {check}")

    def export(args: list[str], line: str) -> None:
        # Into the data folder, never the folder the chat was started from.
        exports = chat.services.settings.data_dir / "exports"
        for path in svc.write_exports(user, int(args[0]), exports):
            chat.say(texts.TERMINAL_EXPORTED.format(path=path.resolve()))

    def library(args: list[str], line: str) -> None:
        name = " ".join(args).strip()
        if name:
            name = svc.set_library(user, "" if name == "-" else name)
            chat.say(html_plain(LIBRARY_SAVED.format(name=name)) if name else LIBRARY_CLEARED)
        else:
            current = svc.library(user)
            chat.say(html_plain(LIBRARY_CURRENT.format(name=current)) if current
                     else LIBRARY_UNKNOWN)

    return TerminalFeature(features.ASSIGNMENTS, {
        "opdrachten": _guarded(chat, overview),
        "exporteer": _guarded(chat, export),
        "bibliotheek": _guarded(chat, library),
    }, extra=[(texts.TERMINAL_EXTRA_OPDRACHT, _guarded(chat, items)),
              (texts.TERMINAL_EXTRA_ANTWOORD, _guarded(chat, answer)),
              (texts.TERMINAL_EXTRA_KLAAR, _guarded(chat, done))])


# Reminders ------------------------------------------------------------------------------------
def reminders(chat: TerminalChat) -> TerminalFeature:
    def reminder(args: list[str], line: str) -> None:
        service = chat.services.reminders
        if args:  # the same phrases as in Telegram: "19u30", "pauze", "20:00 werkdagen"
            service.apply(chat.user_id, chat.user_id, " ".join(args))
        chat.say(service.describe(chat.user_id))

    def lesdagen(args: list[str], line: str) -> None:  # the same text as Telegram's
        chat.say(chat.services.schedule.overview(chat.user_id))

    return TerminalFeature(features.REMINDERS, {"herinnering": _guarded(chat, reminder),
                                                "lesdagen": lesdagen})
