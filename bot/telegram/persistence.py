"""PTB persistence for the waiting flows: conversation states in the SQL store, nothing else.

`SqlConversationPersistence` is a `BasePersistence` that stores only ConversationHandler states
(``PersistenceInput`` switches bot, chat, user and callback data off; their methods are no-ops).
PTB loads the states once at start-up (`get_conversations`) and hands every change to
`update_conversation`, which writes it to the database at once.

PTB calls `Application.update_persistence` only every ``update_interval`` seconds. We call it
after every update, before the update is marked done (`write_through`): a state change is in
the database before the update counts as handled. If the write fails, `write_through` raises,
so the update stays pending and is handled again (bot.telegram.concurrency, bot.store.inbox).
See docs/reliability.md, "Waiting flows".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from telegram import Update
from telegram.ext import Application, BasePersistence, PersistenceInput

from bot.store.conversations import ConversationStore, Key, user_of

log = logging.getLogger(__name__)

CallbackData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


class ConversationNotSavedError(RuntimeError):
    """A conversation state of this update's user could not be written."""


class SqlConversationPersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, store: ConversationStore, update_interval: float = 60) -> None:
        super().__init__(store_data=PersistenceInput(bot_data=False, chat_data=False,
                                                     user_data=False, callback_data=False),
                         update_interval=update_interval)
        self.store = store
        self._failed: set[int | None] = set()
        """Users with a state write that failed since their last `write_through`."""

    # Conversations ---------------------------------------------------------------------------
    async def get_conversations(self, name: str) -> dict[Key, object]:
        return await asyncio.to_thread(self.store.load, name)

    async def update_conversation(self, name: str, key: Key, new_state: object | None) -> None:
        try:
            await asyncio.to_thread(self.store.put, name, key, new_state)
        except Exception:
            self._failed.add(user_of(key))
            raise

    async def states_of(self, user_id: int, names: Iterable[str]) -> dict[tuple[str, Key], Any]:
        """The stored states of one user (read for every update: other replicas write too)."""
        return await asyncio.to_thread(self.store.for_user, user_id, names)

    def take_failure(self, user_id: int | None) -> bool:
        if user_id in self._failed:
            self._failed.discard(user_id)
            return True
        return False

    # Everything else is off (PersistenceInput above) -----------------------------------------
    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> CallbackData | None:
        return None

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: CallbackData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None  # every write went to the database when it happened


async def write_through(application: Application[Any, Any, Any, Any, Any, Any],
                        update: object) -> None:
    """Write changed conversation states now; raise if this update's user's state was lost.

    Call it after the handlers of an update and before the update is marked done."""
    persistence = application.persistence
    if not isinstance(persistence, SqlConversationPersistence):
        return
    await application.update_persistence()  # PTB's lock: a concurrent run finishes first
    user = update.effective_user.id if isinstance(update, Update) \
        and update.effective_user is not None else None
    if persistence.take_failure(user):
        raise ConversationNotSavedError(f"conversation state of user {user} not saved")
