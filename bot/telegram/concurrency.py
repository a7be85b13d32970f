"""Update processing: different participants concurrently, each participant's updates in order.

PTB's default is one update at a time for the whole bot, so one slow answer delays everybody.
Fully concurrent processing would let two messages of the same participant race (a role-play
turn, an answer to a checklist item). This processor gives each user (or, without a user, each
chat) a FIFO lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def update_key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return 0


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """``max_concurrent_updates`` bounds waiting updates; each holds only a small coroutine."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = update_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:  # nobody else queued for this user: forget the lock
                del self._users[key]
                del self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
