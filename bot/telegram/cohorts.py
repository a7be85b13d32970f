"""Telegram adapter for cohort management by trainers: /groepen, /uitnodiging, /verplaats.

A trainer assigned to cohorts manages only those; creating cohorts and assigning trainers is
for trainers without an assignment (they see every cohort). The services live in
`bot.store.cohorts`; the Dutch texts in `bot.trainer.texts`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot import features
from bot.reminders import CourseCalendar
from bot.store.access import AccessStore
from bot.store.cohorts import CohortError, CohortStore
from bot.telegram.common import TelegramFeature, reply_plain, send_html
from bot.telegram.guards import Guards
from bot.telegram.render import esc
from bot.trainer import texts

if TYPE_CHECKING:
    from bot.store.records import Cohort



class CohortHandlers:
    def __init__(self, cohorts: CohortStore, access: AccessStore, calendar: CourseCalendar,
                 guards: Guards) -> None:
        self.cohorts = cohorts
        self.access = access
        self.calendar = calendar
        self.guards = guards

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        return [
            CommandHandler("groepen", self.groups),
            CommandHandler("uitnodiging", self.invite),
            CommandHandler("verplaats", self.move),
        ]

    async def _trainer(self, update: Update) -> int | None:
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return None
        if not self.guards.is_admin(user.id):
            await reply_plain(msg, texts.ONLY_TRAINERS)
            return None
        return user.id

    def _find(self, trainer: int, name: str) -> tuple[Cohort | None, list[Cohort]]:
        visible = self.cohorts.visible(trainer)
        key = " ".join(name.split()).casefold()
        return next((c for c in visible if c.name.casefold() == key), None), visible

    async def groups(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        trainer = await self._trainer(update)
        msg = update.effective_message
        if trainer is None or msg is None:
            return
        args = list(context.args or [])
        action = args[0].lower() if args else ""
        if action in ("nieuw", "trainer"):
            if await asyncio.to_thread(self.cohorts.is_assigned, trainer):
                await reply_plain(msg, texts.COHORT_ONLY_HEAD)
                return
            if action == "nieuw":
                try:
                    made = await asyncio.to_thread(self.cohorts.create, " ".join(args[1:]))
                except CohortError as exc:
                    text = texts.COHORT_EXISTS if exc.kind == "exists" else texts.COHORT_BAD_NAME
                    await reply_plain(msg, text.format(name=exc.name))
                    return
                await reply_plain(msg, texts.COHORT_CREATED.format(name=made.name))
                return
            if len(args) < 3 or not args[-1].isdigit():
                await reply_plain(msg, texts.COHORT_USAGE)
                return
            cohort, visible = await asyncio.to_thread(self._find, trainer, " ".join(args[1:-1]))
            if cohort is None:
                await reply_plain(msg, texts.COHORT_UNKNOWN.format(
                    name=" ".join(args[1:-1]), names=", ".join(c.name for c in visible)))
                return
            await asyncio.to_thread(self.cohorts.add_trainer, cohort.id, int(args[-1]))
            await reply_plain(msg, texts.COHORT_TRAINER_ADDED.format(user=args[-1],
                                                                   name=cohort.name))
            return
        await send_html(msg, await asyncio.to_thread(self.listing, trainer))

    def listing(self, trainer: int) -> str:
        sizes = self.cohorts.sizes()
        lines = [texts.COHORT_LIST_HEADER]
        for c in self.cohorts.visible(trainer):
            trainers = self.cohorts.trainers(c.id)
            lines.append(esc(texts.COHORT_LINE.format(
                name=c.name + (texts.COHORT_DEFAULT_MARK if c.is_default else ""),
                count=sizes.get(c.id, 0), dates=len(self.calendar.dates(c.id)),
                trainers=texts.COHORT_TRAINERS.format(ids=", ".join(map(str, trainers)))
                if trainers else "")))
        return "\n".join(lines) + "\n\n" + esc(texts.COHORT_USAGE)

    async def invite(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        trainer = await self._trainer(update)
        msg = update.effective_message
        if trainer is None or msg is None:
            return
        name = " ".join(context.args or [])
        cohort, visible = await asyncio.to_thread(self._find, trainer, name)
        if cohort is None:
            await reply_plain(msg, texts.COHORT_UNKNOWN.format(
                name=name, names=", ".join(c.name for c in visible)))
            return
        now = self.guards.now()
        made = await asyncio.to_thread(self.access.new_invite, now,
                                       label=f"groep {cohort.name}"[:100])
        await asyncio.to_thread(self.cohorts.attach_invite, made.id, cohort.id)
        username = self.guards.bot_username
        if not username:
            await reply_plain(msg, texts.INVITE_NO_USERNAME.format(code=made.code))
            return
        link = f"https://t.me/{username}?start={made.code}"
        await reply_plain(msg, texts.INVITE_MADE.format(name=cohort.name, link=link))

    async def move(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        trainer = await self._trainer(update)
        msg = update.effective_message
        if trainer is None or msg is None:
            return
        args = list(context.args or [])
        if len(args) < 2:
            await reply_plain(msg, texts.MOVE_USAGE)
            return
        ref, name = args[0], " ".join(args[1:])
        cohort, visible = await asyncio.to_thread(self._find, trainer, name)
        if cohort is None:
            await reply_plain(msg, texts.COHORT_UNKNOWN.format(
                name=name, names=", ".join(c.name for c in visible)))
            return
        person = await asyncio.to_thread(self.cohorts.find_participant, ref)
        current = await asyncio.to_thread(self.cohorts.cohort_of, person.user_id) \
            if person is not None else None
        if person is None or current is None or current.id not in {c.id for c in visible}:
            await reply_plain(msg, texts.MOVE_UNKNOWN_PERSON.format(ref=ref))
            return
        await asyncio.to_thread(self.cohorts.move, person.user_id, cohort.id)
        who = person.first_name or (f"@{person.username}" if person.username
                                    else str(person.user_id))
        await reply_plain(msg, texts.MOVED.format(name=who, cohort=cohort.name))


def joined_text(cohort: Cohort) -> str:
    return texts.JOINED_COHORT.format(name=cohort.name)


def register(h: CohortHandlers) -> TelegramFeature:
    """/groepen, /uitnodiging, /verplaats (trainers only)."""
    return TelegramFeature(features.COHORTS, h.handlers())
