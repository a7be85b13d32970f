"""Conversation states of the persistent PTB ConversationHandlers (the waiting flows).

One row per (conversation name, key); the key is PTB's conversation key, a tuple of ids such as
``(chat id, user id)``, stored as JSON. No row means "not in that conversation". Every write is
one atomic statement (upsert or delete), so two replicas writing the same key never collide.
The telegram adapter (bot.telegram.persistence) calls this from worker threads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.db import ConversationState, Database, utcnow

Key = tuple[int | str, ...]
"""A PTB conversation key: (chat id, user id) for the default per-chat, per-user handler."""


def encode_key(key: Key) -> str:
    return json.dumps(list(key))


def decode_key(text: str) -> Key:
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else (value,)


def user_of(key: Key) -> int | None:
    """The user id of a (chat id, user id) key (per-user handlers put the user last)."""
    last = key[-1] if key else None
    return last if isinstance(last, int) else None


class ConversationStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def load(self, name: str) -> dict[Key, Any]:
        """Every stored state of one conversation (PTB reads this once, at start-up)."""
        with self.db.session() as s:
            rows = s.execute(select(ConversationState.key, ConversationState.state)
                             .where(ConversationState.name == name)).all()
        return {decode_key(k): state for k, state in rows}

    def for_user(self, user_id: int, names: Iterable[str]) -> dict[tuple[str, Key], Any]:
        """The stored states of one user in the given conversations: {(name, key): state}."""
        wanted = list(names)
        if not wanted:
            return {}
        with self.db.session() as s:
            rows = s.execute(select(ConversationState.name, ConversationState.key,
                                    ConversationState.state)
                             .where(ConversationState.user_id == user_id,
                                    ConversationState.name.in_(wanted))).all()
        return {(name, decode_key(k)): state for name, k, state in rows}

    def put(self, name: str, key: Key, state: Any) -> None:
        """Store a state; ``None`` ends the conversation for that key (deletes the row)."""
        encoded = encode_key(key)
        with self.db.session() as s:
            if state is None:
                s.execute(delete(ConversationState).where(ConversationState.name == name,
                                                          ConversationState.key == encoded))
                return
            values = {"name": name, "key": encoded, "user_id": user_of(key), "state": state,
                      "updated_at": utcnow()}
            dialect = self.db.engine.dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            stmt = insert(ConversationState).values(**values)
            s.execute(stmt.on_conflict_do_update(
                index_elements=["name", "key"],
                set_={"state": stmt.excluded.state, "updated_at": stmt.excluded.updated_at}))
