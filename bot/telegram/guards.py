"""Update-level guards: access control, invite codes, flood control, group etiquette.

(Idempotency lives in the update inbox: bot.store.inbox, bot.telegram.inbox.)

They run as TypeHandlers in negative groups before the feature handlers and stop an update with
`ApplicationHandlerStop` when it must not be handled.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
from collections.abc import Callable

from telegram import Chat, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import texts
from bot.settings import Settings
from bot.store.access import AccessStore, ThrottlePolicy
from bot.store.cohorts import CohortStore
from bot.store.participants import ParticipantStore
from bot.telegram.common import reply_plain
from bot.trainer.texts import JOINED_COHORT

log = logging.getLogger(__name__)


Clock = Callable[[], dt.datetime]
FLOOD_WINDOW = dt.timedelta(minutes=1)
WEAK_CODE_CHARS = 16
PRUNE_EVERY = 1000
"""Flood checks between two clean-ups of idle flood windows and throttles."""


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def invite_payload(text: str) -> str | None:
    """The code of ``/start <code>`` (a t.me/<bot>?start=<code> link), else None."""
    parts = text.split(maxsplit=1)
    if len(parts) != 2 or parts[0].split("@", 1)[0] != "/start":
        return None
    return parts[1].strip()[:256]


def human_wait(wait: dt.timedelta) -> str:
    """'45 seconden', '2 minuten', '1 uur' (rounded up)."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 90:
        return texts.WAIT_SECONDS.format(n=seconds)
    minutes = math.ceil(seconds / 60)
    if minutes < 90:
        return texts.WAIT_MINUTES.format(n=minutes)
    return texts.WAIT_HOURS.format(n=math.ceil(minutes / 60))


class Guards:
    def __init__(self, settings: Settings, participants: ParticipantStore,
                 clock: Clock = _utc_now) -> None:
        self.settings = settings
        self.participants = participants
        self.access_store = AccessStore(participants.db)
        self.cohorts = CohortStore(participants.db)
        self.clock = clock
        self.bot_username = ""
        self.user_policy = ThrottlePolicy(settings.invite_free_attempts,
                                          settings.invite_delay_seconds,
                                          settings.invite_max_delay_seconds)
        self.global_policy = ThrottlePolicy(settings.invite_global_free_attempts,
                                            settings.invite_delay_seconds,
                                            settings.invite_max_delay_seconds,
                                            reset_after=dt.timedelta(hours=1))
        self._flood_checks = 0
        if 0 < len(settings.invite_code) < WEAK_CODE_CHARS:
            log.warning("WIJKWIJS_INVITE_CODE has only %d characters; the attempt limits slow "
                        "guessing down, but `wijkwijs invite new` makes codes nobody can guess",
                        len(settings.invite_code))

    def now(self) -> dt.datetime:
        """Naive UTC, as stored in the database."""
        return self.clock().astimezone(dt.UTC).replace(tzinfo=None)

    # Access -----------------------------------------------------------------------------------
    def is_admin(self, user_id: int) -> bool:
        return user_id in self.settings.admin_ids

    @property
    def restricted(self) -> bool:
        return bool(self.settings.allowed_user_ids or self.settings.invite_code
                    or self.settings.invite_only)

    async def access(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Members pass (and are recorded); outsiders are refused without storing their name;
        then every member's update counts against the per-user flood limit."""
        if not isinstance(update, Update) or update.effective_user is None:
            return
        user = update.effective_user
        if self.restricted and not self.is_admin(user.id) and \
                user.id not in self.settings.allowed_user_ids:
            participant = await asyncio.to_thread(self.participants.get, user.id)
            if participant is None or not participant.authorized:
                await self._outsider(update)  # returns only when a valid code admitted them
        chat = update.effective_chat
        await asyncio.to_thread(
            self.participants.touch, user.id, chat.id if chat else None,
            user.first_name or "", user.username or "",
        )
        await self._join_cohort(update)
        await self._flood(update)

    async def _join_cohort(self, update: Update) -> None:
        """``/start <code>`` with a cohort's invite code puts the participant in that cohort
        (when they are in no cohort or the default one; other moves are for trainers)."""
        msg, user = update.effective_message, update.effective_user
        code = invite_payload(msg.text) if msg is not None and msg.text else None
        if not code or msg is None or user is None:
            return
        cohort = await asyncio.to_thread(self.cohorts.cohort_for_code, code, self.now())
        if cohort is not None and await asyncio.to_thread(self.cohorts.join, user.id, cohort.id):
            log.info("user %s joined cohort %s", user.id, cohort.id)
            await reply_plain(msg, JOINED_COHORT.format(name=cohort.name))

    async def _outsider(self, update: Update) -> None:
        assert update.effective_user is not None
        user_id = update.effective_user.id
        msg = update.effective_message
        chat = update.effective_chat
        code = invite_payload(msg.text or "") if msg is not None and msg.text else None
        if code is not None and msg is not None:
            result = await asyncio.to_thread(
                self.access_store.try_invite, user_id, code, self.now(),
                static_code=self.settings.invite_code, user_policy=self.user_policy,
                global_policy=self.global_policy)
            if result.status == "ok":
                await asyncio.to_thread(self.participants.authorize, user_id)
                log.info("user %s joined with an invite code", user_id)
                await reply_plain(msg, texts.INVITE_OK)
                return  # /start goes on to the welcome
            log.info("invite code refused for user %s (%s, wait %s)", user_id, result.status,
                     result.wait)
            if result.wait:
                if result.notify:
                    await reply_plain(msg, texts.INVITE_LOCKED.format(wait=human_wait(result.wait)))
            else:
                await reply_plain(msg, texts.INVITE_WRONG)
            raise ApplicationHandlerStop
        if await asyncio.to_thread(self.access_store.refuse_once, user_id, self.now()):
            if update.callback_query:
                await update.callback_query.answer(texts.NOT_ALLOWED, show_alert=True)
            elif msg is not None and chat is not None and chat.type == ChatType.PRIVATE:
                await reply_plain(msg, texts.NOT_ALLOWED)
        elif update.callback_query:
            await update.callback_query.answer()
        raise ApplicationHandlerStop

    # Flood control ----------------------------------------------------------------------------
    async def _hit(self, user_id: int, kind: str, limit: int) -> tuple[bool, bool]:
        now = self.now()
        self._flood_checks += 1
        if self._flood_checks % PRUNE_EVERY == 0:
            await asyncio.to_thread(self.access_store.prune, now)
        return await asyncio.to_thread(self.access_store.flood_hit, user_id, kind, limit,
                                       FLOOD_WINDOW, now)

    async def _flood(self, update: Update) -> None:
        """Commands, messages and button presses: ``updates_per_minute`` per user (trainers
        excepted). Counted in the database, so replicas share one budget per user."""
        user = update.effective_user
        if user is None or self.is_admin(user.id) or not (
                update.message or update.edited_message or update.callback_query):
            return
        allowed, warn = await self._hit(user.id, "update", self.settings.updates_per_minute)
        if allowed:
            return
        if update.callback_query is not None:
            await update.callback_query.answer(texts.FLOOD if warn else None)
        elif warn and update.effective_message is not None:
            await reply_plain(update.effective_message, texts.FLOOD)
        raise ApplicationHandlerStop

    async def allow_question(self, user_id: int) -> tuple[bool, bool]:
        """(allowed, warn): at most ``questions_per_minute`` questions; warn once per window."""
        return await self._hit(user_id, "question", self.settings.questions_per_minute)

    # Groups -----------------------------------------------------------------------------------
    def addressed_in_group(self, update: Update) -> bool:
        """In groups, only messages that mention the bot or reply to it are for us."""
        chat = update.effective_chat
        msg = update.effective_message
        if chat is None or msg is None or chat.type == Chat.PRIVATE:
            return True
        if msg.reply_to_message and msg.reply_to_message.from_user and \
                msg.reply_to_message.from_user.username == self.bot_username:
            return True
        text = msg.text or ""
        if self.bot_username and f"@{self.bot_username}".lower() in text.lower():
            return True
        return bool(text.startswith("/") and "@" not in text.split()[0])

    async def group_filter(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update) and update.message and not self.addressed_in_group(update):
            raise ApplicationHandlerStop

    def strip_mention(self, text: str) -> str:
        if self.bot_username:
            text = text.replace(f"@{self.bot_username}", " ")
        return text.strip()
