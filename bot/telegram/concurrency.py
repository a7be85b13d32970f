"""Update processing: different participants concurrently, each participant's updates in order.

PTB's default is one update at a time for the whole bot, so one slow answer delays everybody.
Fully concurrent processing would let two messages of the same participant race (a role-play
turn, an answer to a checklist item). This processor gives each user (or, without a user, each
chat) a FIFO lock.

After the handlers of an update finished (also when one of them failed: PTB's error handler has
run then), ``on_done(update)`` marks it done in the inbox (bot.store.inbox). An update whose
handlers were cancelled (shutdown) or whose process died stays pending and is handled again.

Ordering across processes. Only one process ever polls. With webhooks behind one URL, Telegram
sends the updates of a bot one request at a time per connection; we register the webhook with
``max_connections=1`` (bot.telegram.webhook), so Telegram waits for our 200 — which comes after the
inbox write — before it sends the next update. Updates therefore enter the inbox in order, each
replica handles its own in order (this lock), and the atomic claim makes sure no update is handled
twice. What remains possible is that two replicas work on two consecutive updates of one user at
the same moment (the second arrives at another replica while the first is still being
answered). Every write that must not be lost in that case is a single atomic statement (claims,
upserts, the reminder claim), so the worst outcome is two answers in swapped order, never a lost
or doubled one. Role-play turns and checklist answers read-modify-write per-user state; if that
ever matters, route a user to one replica (sticky by chat id) rather than add a database lock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)


def update_key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return 0


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """``max_concurrent_updates`` bounds waiting updates; each holds only a small coroutine."""

    def __init__(self, max_concurrent_updates: int = 256,
                 on_done: Callable[[object], Awaitable[None]] | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self.on_done = on_done
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = update_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
                if self.on_done is not None:
                    try:
                        await self.on_done(update)
                    except Exception:  # stays pending: handled again only if we die
                        log.exception("could not mark update as done")
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:  # nobody else queued for this user: forget the lock
                del self._users[key]
                del self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
