"""Waiting flows: PTB ConversationHandlers that survive restarts and hold across replicas.

A flow that waits for the participant's next message (an assignment answer, a reminder time,
a quiz answer) or for a confirmation (a trainer broadcast) is a `WaitingConversation`: a
persistent ``ConversationHandler`` (states in the SQL store through
bot.telegram.persistence) with a few additions:

* **Refresh per update.** PTB reads persisted states only at start-up; with replicas another
  process may have changed them since. `install_waiting_flows` adds an async ``TypeHandler``
  in `PRELOAD_GROUP` (before the guards and every feature) that reads the states of the
  update's user in a worker thread and puts them into each conversation. Updates of one user
  are handled one at a time (bot.telegram.concurrency), so nothing changes in between.
* **Pre-loaded facts.** Filters never query the database. A filter that needs stored data
  (is a role-play active? is this edit a stored answer?) is a `Preloaded` filter: its loader
  runs in the same worker thread, for updates its cheap ``applies`` filter accepts, and the
  filter only reads the result for the current update (a ``ContextVar``: one value per update).
* **Moving on ends the wait.** A handler in `LATE_GROUP` (after every feature) ends the
  conversations this update did not handle when the update matches their ``ends_on`` filter
  (e.g. any other command), and, when a flow that waits for text was just entered, every other
  flow that waits for text (the newest wait wins). The command itself was handled as usual.
* **Write-through.** `bot.telegram.persistence.write_through` writes the changes before the
  update is marked done.

Wiring (bot.telegram.application.build_application): ``.persistence(...)`` on the builder, the
feature handlers (each conversation in group 0 before the text fallbacks), then
`install_waiting_flows`, and `write_through` in the update processor's ``on_done``. How to add a
flow: docs/architecture.md, "Waiting flows".
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    Application,
    BaseHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.store.conversations import Key
from bot.telegram.common import reply_plain
from bot.telegram.persistence import SqlConversationPersistence

log = logging.getLogger(__name__)

PRELOAD_GROUP = -3
"""Before the guards (-2, -1): states and facts are loaded once, before any handler looks."""
LATE_GROUP = 1
"""After the features (0). The late handler matches every update: keep this group for it."""


@dataclass
class _UpdateScope:
    handled: set[str] = field(default_factory=set)
    """Names of the conversations that handled this update."""
    facts: dict[int, bool] = field(default_factory=dict)
    """id(Preloaded filter) -> its value for this update."""


_scope: contextvars.ContextVar[_UpdateScope | None] = contextvars.ContextVar(
    "waiting_flows_update", default=None)


class Preloaded(filters.MessageFilter):
    """A filter on stored data, loaded asynchronously before the handlers run.

    ``load(message)`` runs in a worker thread (it may query the database) for updates that
    ``applies`` accepts; `filter` only reads the loaded value."""

    def __init__(self, name: str, load: Callable[[Message], bool],
                 applies: filters.BaseFilter = filters.TEXT & ~filters.COMMAND) -> None:
        super().__init__(name=f"Preloaded({name})")
        self.load = load
        self.applies = applies

    def filter(self, message: Message) -> bool:
        scope = _scope.get()
        return scope is not None and scope.facts.get(id(self), False)


def not_text_reply(reply: str, state: object, where: filters.BaseFilter = filters.ALL
                   ) -> MessageHandler[Any, object]:
    """For a waiting state: a photo, sticker, voice message… (no text, no command) gets
    ``reply`` and the conversation stays in ``state``."""

    async def keep_waiting(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        if update.effective_message is not None:
            await reply_plain(update.effective_message, reply)
        return state

    return MessageHandler(where & ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
                          keep_waiting)


class WaitingConversation(ConversationHandler[Any]):
    """A persistent ConversationHandler (per chat and user) whose wait ends when the
    participant moves on. ``on_end(user_id)`` clears the flow's own data when the wait is
    ended from outside (runs in a worker thread)."""

    def __init__(self, name: str, *, entry_points: list[BaseHandler[Update, Any, object]],
                 states: dict[object, list[BaseHandler[Update, Any, object]]],
                 fallbacks: list[BaseHandler[Update, Any, object]],
                 ends_on: filters.BaseFilter | None = None, waits_for_text: bool = True,
                 on_end: Callable[[int], None] | None = None) -> None:
        with warnings.catch_warnings():  # per user, not per message: that is the point here
            warnings.filterwarnings("ignore", message="If 'per_message=False'")
            super().__init__(entry_points, states, fallbacks, allow_reentry=True, name=name,
                             persistent=True)
        self.ends_on = ends_on
        self.waits_for_text = waits_for_text
        self.on_end = on_end

    async def handle_update(self, update: Update,  # type: ignore[override]
                            application: Application[Any, Any, Any, Any, Any, Any],
                            check_result: Any, context: Any) -> object | None:
        scope = _scope.get()
        if scope is not None:
            scope.handled.add(str(self.name))
        return await super().handle_update(update, application, check_result, context)

    # The in-memory states (PTB keeps them in ``_conversations``, a TrackingDict once the
    # application has persistence: writes are tracked for update_persistence).
    @staticmethod
    def key_of(update: Update) -> Key | None:
        """The conversation key of an update (chat id, user id), None when it has none."""
        if update.effective_chat is None or update.effective_user is None:
            return None
        return (update.effective_chat.id, update.effective_user.id)

    def state_of(self, key: Key) -> object | None:
        return self._conversations.get(key)

    def load(self, key: Key, state: object | None) -> None:
        """Replace the in-memory state with the stored one (not a change: not written back)."""
        conversations: Any = self._conversations
        data = getattr(conversations, "data", conversations)  # TrackingDict or a plain dict
        if state is None:
            data.pop(key, None)
        else:
            data[key] = state

    def end(self, key: Key) -> None:
        """End the conversation for this key (a tracked change: written through)."""
        self._conversations.pop(key, None)


@dataclass
class _Flows:
    conversations: list[WaitingConversation]
    facts: list[Preloaded]
    persistence: SqlConversationPersistence | None


def _walk_filter(f: object) -> Iterator[object]:
    """A filter and the filters it combines (``a & b``, ``a | b``, ``~a``, ``a ^ b``)."""
    yield f
    for attr in ("base_filter", "and_filter", "or_filter", "inv_filter", "xor_filter"):
        inner = getattr(f, attr, None)
        if isinstance(inner, filters.BaseFilter):
            yield from _walk_filter(inner)


def _walk_handlers(handlers: Iterable[BaseHandler[Any, Any, Any]]
                   ) -> Iterator[BaseHandler[Any, Any, Any]]:
    for handler in handlers:
        yield handler
        if isinstance(handler, ConversationHandler):
            yield from _walk_handlers(handler.entry_points)
            for state_handlers in handler.states.values():
                yield from _walk_handlers(state_handlers)
            yield from _walk_handlers(handler.fallbacks)


def _discover(application: Application[Any, Any, Any, Any, Any, Any]) -> _Flows:
    conversations: list[WaitingConversation] = []
    facts: dict[int, Preloaded] = {}
    for handler in _walk_handlers(h for hs in application.handlers.values() for h in hs):
        if isinstance(handler, WaitingConversation):
            conversations.append(handler)
        for f in _walk_filter(getattr(handler, "filters", None)):
            if isinstance(f, Preloaded):
                facts[id(f)] = f
    persistence = application.persistence
    return _Flows(conversations, list(facts.values()),
                  persistence if isinstance(persistence, SqlConversationPersistence) else None)


def install_waiting_flows(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the per-update refresh (`PRELOAD_GROUP`) and the "moved on" handler (`LATE_GROUP`)
    for every `WaitingConversation` and `Preloaded` filter registered so far (call it last)."""
    flows = _discover(application)
    if flows.conversations and flows.persistence is None:
        raise RuntimeError("waiting flows need the SQL conversation persistence "
                           "(Application.builder().persistence(...))")

    async def preload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        scope = _UpdateScope()
        _scope.set(scope)
        user = update.effective_user
        if user is None:
            return
        key = WaitingConversation.key_of(update)
        facts = [f for f in flows.facts if f.applies.check_update(update)]
        message = update.effective_message
        names = [str(c.name) for c in flows.conversations] if key is not None else []
        if not names and not facts:
            return
        states: dict[tuple[str, Key], Any] = {}
        if names and flows.persistence is not None:
            states = await flows.persistence.states_of(user.id, names)
        if facts and message is not None:
            values = await asyncio.to_thread(lambda: [f.load(message) for f in facts])
            scope.facts = {id(f): bool(v) for f, v in zip(facts, values, strict=True)}
        if key is not None:
            for conversation in flows.conversations:
                conversation.load(key, states.get((str(conversation.name), key)))

    async def moved_on(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        scope, key = _scope.get(), WaitingConversation.key_of(update)
        if scope is None or key is None:
            return
        waiting = [c for c in flows.conversations if c.state_of(key) is not None]
        entered = any(c.waits_for_text for c in waiting if str(c.name) in scope.handled)
        for conversation in waiting:
            if str(conversation.name) in scope.handled:
                continue
            ends = conversation.ends_on is not None and bool(
                conversation.ends_on.check_update(update))
            if ends or (entered and conversation.waits_for_text):
                conversation.end(key)
                if conversation.on_end is not None:
                    await asyncio.to_thread(conversation.on_end, key[-1])  # type: ignore[arg-type]
                log.debug("ended %s for %s: the participant moved on", conversation.name, key)

    application.add_handler(TypeHandler(Update, preload), group=PRELOAD_GROUP)
    application.add_handler(TypeHandler(Update, moved_on), group=LATE_GROUP)
