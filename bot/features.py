"""The command registry: every feature's commands and /start menu entry, written once.

Adapter-neutral (no Telegram here). The Telegram application (`bot.telegram.application`) sets
its command menus, /help and /start menu from it and checks that every command has a handler;
the terminal chat (`bot.adapters.terminal`) routes and lists the same commands. A feature added
here (with its handlers in both adapters) appears in both; see docs/architecture.md.

``REGISTRY`` order is the order of the command menus, /help and the /start menu.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot import texts
from bot.trainer import texts as trainer_texts

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True)
class Command:
    """A slash command: ``name`` without the slash, ``description`` in Dutch (≤ 256 chars)."""

    name: str
    description: str


@dataclass(frozen=True)
class MenuEntry:
    """A /start menu button (``m:<key>``) and the line that introduces the feature."""

    key: str
    label: str
    feature_line: str


def _always(services: Services) -> bool:
    return True


@dataclass(frozen=True)
class Feature:
    key: str
    commands: tuple[Command, ...] = ()
    menu: MenuEntry | None = None
    trainers_only: bool = False
    """Commands only in trainers' (``settings.admin_ids``) command menu; not in the terminal."""
    available: Callable[[Services], bool] = _always
    """False when the feature has nothing to offer (no scenarios, no assignments, ...)."""


QA = Feature("qa", (
    Command("start", texts.CMD_START),
    Command("vraag", texts.CMD_VRAAG),
    Command("nieuw", texts.CMD_NIEUW),
), menu=MenuEntry("ask", texts.MENU_ASK, texts.FEATURE_QA))

ROLEPLAY = Feature("roleplay", (
    Command("oefenen", texts.CMD_OEFENEN),
    Command("stop", texts.CMD_STOP),
    Command("mijnoefeningen", texts.CMD_MIJNOEFENINGEN),
), menu=MenuEntry("oefenen", texts.MENU_ROLEPLAY, texts.FEATURE_ROLEPLAY),
    available=lambda s: s.roleplay is not None)

ASSIGNMENTS = Feature("assignments", (
    Command("opdrachten", texts.CMD_OPDRACHTEN),
    Command("exporteer", texts.CMD_EXPORTEER),
    Command("bibliotheek", texts.CMD_BIBLIOTHEEK),
), menu=MenuEntry("opdrachten", texts.MENU_ASSIGNMENTS, texts.FEATURE_ASSIGNMENTS),
    available=lambda s: bool(s.catalogue))

REMINDERS = Feature("reminders", (
    Command("herinnering", texts.CMD_HERINNERING),
    Command("lesdagen", texts.CMD_LESDAGEN),
), menu=MenuEntry("herinnering", texts.MENU_REMINDERS, texts.FEATURE_REMINDERS))

QUIZ = Feature("quiz", (
    Command("oefenvraag", texts.CMD_OEFENVRAAG),
    Command("mijnvoortgang", texts.CMD_MIJNVOORTGANG),
), available=lambda s: s.quiz is not None)

ACCOUNT = Feature("account", (
    Command("help", texts.CMD_HELP),
    Command("privacy", texts.CMD_PRIVACY),
    Command("vergeet", texts.CMD_VERGEET),
))

TRAINER = Feature("trainer", (
    Command("overzicht", trainer_texts.CMD_OVERZICHT),
    Command("cursusdata", trainer_texts.CMD_CURSUSDATA),
    Command("bericht", trainer_texts.CMD_BERICHT),
), trainers_only=True)

COHORTS = Feature("cohorts", (
    Command("groepen", trainer_texts.CMD_GROEPEN),
    Command("uitnodiging", trainer_texts.CMD_UITNODIGING),
    Command("verplaats", trainer_texts.CMD_VERPLAATS),
), trainers_only=True)

REGISTRY: tuple[Feature, ...] = (QA, ROLEPLAY, ASSIGNMENTS, REMINDERS, QUIZ, ACCOUNT, TRAINER,
                                 COHORTS)


@dataclass(frozen=True)
class Catalog:
    """The registry resolved for one set of services: what this bot offers."""

    features: tuple[Feature, ...]

    @property
    def commands(self) -> list[Command]:
        """Everyone's commands (Telegram's default menu, /help, the terminal)."""
        return [c for f in self.features if not f.trainers_only for c in f.commands]

    @property
    def trainer_commands(self) -> list[Command]:
        """A trainer's command menu: everyone's commands, then the trainer commands."""
        return [*self.commands,
                *(c for f in self.features if f.trainers_only for c in f.commands)]

    @property
    def menu(self) -> list[MenuEntry]:
        return [f.menu for f in self.features if f.menu is not None]

    def has(self, feature: Feature) -> bool:
        return feature in self.features


def catalog(services: Services, registry: tuple[Feature, ...] = REGISTRY) -> Catalog:
    """The available features of ``registry``, in registry order."""
    return Catalog(tuple(f for f in registry if f.available(services)))
