"""Telegram side of the update inbox (bot.store.inbox): polling, recovery, poison updates.

Polling: `InboxBot` (an ExtBot) writes every fetched batch to the inbox inside ``getUpdates``,
before it returns to PTB's Updater. The Updater confirms the offset only with its *next*
``getUpdates`` call, so an update is always in the database before Telegram forgets it. A kill -9
at any point leaves either an unconfirmed update (Telegram sends it again) or a pending inbox row
(taken over after its lease runs out) — never a lost one; the claim makes sure it is handled once.

An update PTB cannot parse (e.g. a callback whose ``message`` lacks ``message_id``) used to make
the Updater re-fetch the same batch forever. Here it is stored as ``skipped``, logged once with
its update id (identical errors are rate-limited), and the offset moves past it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import ExtBot

from bot.store.inbox import Inbox

if TYPE_CHECKING:
    from telegram import Bot
    from telegram.ext import Application

log = logging.getLogger(__name__)

PRUNE_EVERY = 3600.0


class LogLimiter:
    """Log an identical message at most once per ``window`` seconds; count the rest."""

    def __init__(self, window: float = 60.0) -> None:
        self.window = window
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def allow(self, key: str, now: float | None = None) -> tuple[bool, int]:
        """(log it?, how many identical ones were suppressed since the last time)."""
        now = time.monotonic() if now is None else now
        last = self._last.get(key)
        if last is not None and now - last < self.window:
            self._suppressed[key] = self._suppressed.get(key, 0) + 1
            return False, 0
        self._last[key] = now
        return True, self._suppressed.pop(key, 0)


_poison_log = LogLimiter()


def bot_id_of(token: str) -> int:
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else 0


def parse(raw: Any, bot: Bot, inbox: Inbox | None) -> Update | None:
    """The Update, or None (after recording and logging it) when PTB cannot parse it."""
    try:
        update = Update.de_json(raw, bot)
        if update is None:
            raise ValueError("empty update")
        return update
    except Exception as exc:
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        first = True
        if inbox is not None and isinstance(update_id, int):
            first = inbox.skip(update_id, json.dumps(raw, ensure_ascii=False))
        if first:
            report_unparseable(update_id, exc)
        return None


def report_unparseable(update_id: object, exc: BaseException) -> None:
    key = f"{type(exc).__name__}: {exc}"
    allowed, suppressed = _poison_log.allow(key)
    if allowed:
        more = f" ({suppressed} identical errors not logged)" if suppressed else ""
        log.error("skipping update %s that cannot be parsed: %s%s", update_id, key, more)


class InboxBot(ExtBot[Any]):
    """An ExtBot whose ``getUpdates`` stores the batch in the inbox before returning it."""

    def __init__(self, *args: Any, inbox: Inbox | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._inbox = inbox
        self._next_offset = 0

    async def _post(self, endpoint: str, data: dict[str, Any] | None = None,
                    *args: Any, **kwargs: Any) -> Any:
        if endpoint != "getUpdates" or self._inbox is None:
            return await super()._post(endpoint, data, *args, **kwargs)
        data = dict(data or {})
        if self._next_offset and (data.get("offset") or 0) < self._next_offset:
            data["offset"] = self._next_offset  # past updates that were dropped or skipped
        result = await super()._post(endpoint, data, *args, **kwargs)
        if not isinstance(result, list) or not result:
            return result
        kept = await asyncio.to_thread(self._claim_batch, result)
        ids = [u["update_id"] for u in result if isinstance(u, dict)
               and isinstance(u.get("update_id"), int)]
        if ids:
            self._next_offset = max(self._next_offset, max(ids) + 1)
        return kept

    def _claim_batch(self, result: list[Any]) -> list[Any]:
        inbox = self._inbox
        assert inbox is not None
        kept = []
        for raw in result:
            if parse(raw, self, inbox) is None:
                continue
            if inbox.claim(int(raw["update_id"]), json.dumps(raw, ensure_ascii=False)):
                kept.append(raw)
            else:
                log.info("update %s is handled elsewhere or was handled already; dropped",
                         raw["update_id"])
        return kept


async def recover(application: Application[Any, Any, Any, Any, Any, Any],
                  inbox: Inbox) -> int:
    """Take over pending updates of dead processes and queue them; returns how many."""
    rows = await asyncio.to_thread(inbox.take_over_stale)
    for update_id, payload in rows:
        update = parse(json.loads(payload), application.bot, None)
        if update is None:
            await asyncio.to_thread(inbox.done, update_id)
            continue
        log.info("handling update %s again: its process stopped before finishing", update_id)
        await application.update_queue.put(update)
    return len(rows)


def install_inbox_jobs(application: Application[Any, Any, Any, Any, Any, Any],
                       inbox: Inbox) -> None:
    """Renew this process's claims, take over stale ones (also right at start-up), prune."""
    job_queue = application.job_queue
    assert job_queue is not None
    every = max(0.5, inbox.lease.total_seconds() / 4)

    async def upkeep(_context: Any) -> None:
        try:
            await asyncio.to_thread(inbox.renew)
            await recover(application, inbox)
        except Exception:
            log.exception("inbox upkeep failed; trying again in %.0f s", every)

    async def prune(_context: Any) -> None:
        try:
            n = await asyncio.to_thread(inbox.prune)
            if n:
                log.info("inbox: pruned %d old rows", n)
        except Exception:
            log.exception("inbox prune failed")

    job_queue.run_repeating(upkeep, interval=every, first=0.1, name="inbox-upkeep")
    job_queue.run_repeating(prune, interval=PRUNE_EVERY, first=dt.timedelta(seconds=30),
                            name="inbox-prune")


async def mark_done(inbox: Inbox, update: object) -> None:
    if isinstance(update, Update):
        await asyncio.to_thread(inbox.done, update.update_id)
