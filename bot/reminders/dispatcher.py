"""Sending many messages (reminders, a trainer broadcast) at a steady, bounded pace.

Telegram-agnostic: the caller injects ``send(chat_id, text)`` and a classifier
``is_blocked(exc)`` for "the user blocked the bot" errors. Time is injected too
(``sleep`` and ``monotonic``), so tests run 10,000 messages in simulated time.

Design: a fixed pool of ``workers`` coroutines pulls from one iterator (never one task per
message) and every attempt first takes a slot from a `RateLimiter` (default 20 messages/s,
leaving headroom under Telegram's ~30/s for interactive answers). Database calls of the backend
are short and run inline on the event loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from bot.store.db import Reminder

log = logging.getLogger(__name__)

Send = Callable[[int, str], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]
DEFAULT_RATE = 20.0
DEFAULT_WORKERS = 8


@dataclass
class DispatchReport:
    total: int = 0
    """Messages offered (for reminders: due reminders)."""
    sent: int = 0
    blocked: int = 0
    """Recipients that blocked the bot; their reminders are switched off."""
    failed: int = 0
    """Still failing after one retry (or the text could not be made)."""
    skipped: int = 0
    """Already sent for today (claimed elsewhere): not sent again."""
    retried: int = 0
    seconds: float = 0.0
    busy: bool = False
    """True when another run was still going; nothing was done."""


@dataclass(frozen=True)
class Outgoing:
    user_id: int
    chat_id: int
    text: Callable[[], str | None]
    """Called right before the first attempt; None = skip this message."""


class RateLimiter:
    """Hands out send slots at most ``rate`` per second, evenly spaced.

    The lock makes waiting sequential, so slots are strictly ordered in (real or fake) time.
    """

    def __init__(self, rate: float, sleep: Sleep, monotonic: Callable[[], float]) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._sleep = sleep
        self._monotonic = monotonic
        self._next = float("-inf")
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            now = self._monotonic()
            if now < self._next:
                await self._sleep(self._next - now)
                now = max(self._monotonic(), self._next)
            self._next = now + self.interval

    def pause(self, seconds: float) -> None:
        """Hold all sending for ``seconds`` (e.g. after a flood-control answer)."""
        self._next = max(self._next, self._monotonic() + seconds)


class PacedSender:
    def __init__(
        self,
        send: Send,
        *,
        is_blocked: Callable[[BaseException], bool],
        on_blocked: Callable[[int], None] | None = None,
        rate: float = DEFAULT_RATE,
        workers: int = DEFAULT_WORKERS,
        retry_delay: float = 1.0,
        retry_after: Callable[[BaseException], float | None] | None = None,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``on_blocked(user_id)`` is called when ``is_blocked(exc)``; ``retry_after(exc)`` may
        return seconds to hold *all* sending (flood control); other errors are retried once
        after ``retry_delay`` seconds."""
        self._send = send
        self._is_blocked = is_blocked
        self._on_blocked = on_blocked
        self._workers = max(1, workers)
        self._retry_delay = retry_delay
        self._retry_after = retry_after
        self._sleep = sleep
        self._monotonic = monotonic
        self.limiter = RateLimiter(rate, sleep, monotonic)

    async def deliver(self, messages: Iterable[Outgoing]) -> DispatchReport:
        report = DispatchReport()
        start = self._monotonic()
        it = iter(messages)
        await asyncio.gather(*(self._worker(it, report) for _ in range(self._workers)))
        report.seconds = self._monotonic() - start
        return report

    async def _worker(self, it: Iterator[Outgoing], report: DispatchReport) -> None:
        for message in it:  # shared iterator: next() never interleaves within one event loop
            report.total += 1
            await self._deliver_one(message, report)

    async def _deliver_one(self, message: Outgoing, report: DispatchReport) -> None:
        try:
            text = message.text()
        except Exception:
            log.exception("could not make the message for user %s", message.user_id)
            report.failed += 1
            return
        if text is None:
            report.skipped += 1
            return
        for attempt in (1, 2):
            await self.limiter.acquire()
            try:
                await self._send(message.chat_id, text)
            except Exception as exc:
                if self._is_blocked(exc):
                    report.blocked += 1
                    self._blocked(message.user_id)
                    return
                if attempt == 2:
                    log.warning("sending to chat %s failed twice: %s", message.chat_id, exc)
                    report.failed += 1
                    return
                report.retried += 1
                hold = self._retry_after(exc) if self._retry_after else None
                if hold is not None:
                    self.limiter.pause(hold)
                else:
                    await self._sleep(self._retry_delay)
                continue
            report.sent += 1
            return

    def _blocked(self, user_id: int) -> None:
        if self._on_blocked is None:
            return
        try:
            self._on_blocked(user_id)
        except Exception:
            log.exception("could not mark user %s as blocked", user_id)


class ReminderBackend(Protocol):
    """What the dispatcher needs from `ReminderService` (a fake in tests)."""

    clock: Callable[[], dt.datetime]

    def due(self, now_utc: dt.datetime | None = None) -> list[Reminder]: ...
    def local_date(self, reminder: Reminder, now_utc: dt.datetime) -> dt.date: ...
    def mark_sent(self, user_id: int, local_date: dt.date) -> bool: ...
    def mark_blocked(self, user_id: int) -> None: ...
    def compose(self, user_id: int, now_utc: dt.datetime | None = None) -> str: ...


class ReminderDispatcher:
    """Sends the due reminders. Call `run_once` every minute (e.g. from a job queue).

    Per reminder: claim today's date with `mark_sent` (at-most-once, see
    `bot.reminders.service`), compose the text, send. A run that is still going when the next
    one starts makes the new one return at once with ``busy=True``.
    """

    def __init__(
        self,
        reminders: ReminderBackend,
        send: Send,
        *,
        is_blocked: Callable[[BaseException], bool],
        rate: float = DEFAULT_RATE,
        workers: int = DEFAULT_WORKERS,
        retry_delay: float = 1.0,
        retry_after: Callable[[BaseException], float | None] | None = None,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.reminders = reminders
        self.sender = PacedSender(
            send, is_blocked=is_blocked, on_blocked=reminders.mark_blocked, rate=rate,
            workers=workers, retry_delay=retry_delay, retry_after=retry_after, sleep=sleep,
            monotonic=monotonic,
        )
        self._running = False

    async def run_once(self, now_utc: dt.datetime | None = None) -> DispatchReport:
        if self._running:
            return DispatchReport(busy=True)
        self._running = True
        try:
            now = now_utc or self.reminders.clock()
            due = self.reminders.due(now)
            report = await self.sender.deliver(self._outgoing(r, now) for r in due)
        finally:
            self._running = False
        if report.total:
            log.info("reminders: %d due, %d sent, %d blocked, %d failed, %d skipped in %.1fs",
                     report.total, report.sent, report.blocked, report.failed, report.skipped,
                     report.seconds)
        return report

    def _outgoing(self, reminder: Reminder, now: dt.datetime) -> Outgoing:
        user_id, day = reminder.user_id, self.reminders.local_date(reminder, now)

        def text() -> str | None:
            if not self.reminders.mark_sent(user_id, day):
                return None
            return self.reminders.compose(user_id, now)

        return Outgoing(user_id, reminder.chat_id, text)

    async def broadcast(self, chat_ids: Iterable[int], text: str) -> DispatchReport:
        """Send one text to many chats through the same pacing (e.g. a trainer announcement).
        A blocked chat is passed to `mark_blocked` as user id (private chat id == user id)."""
        return await self.sender.deliver(Outgoing(c, c, lambda: text) for c in chat_ids)
