"""Sending many messages (reminders, a trainer broadcast) at a steady, bounded pace.

Telegram-agnostic: the caller injects ``send(chat_id, text)`` and a classifier
``is_blocked(exc)`` for "the user blocked the bot" errors. Time is injected too
(``sleep`` and ``monotonic``), so tests run 10,000 messages in simulated time.

Design: a fixed pool of ``workers`` coroutines pulls from one iterator (never one task per
message) and every attempt first takes a slot from a `RateLimiter` (default 20 messages/s,
leaving headroom under Telegram's ~30/s for interactive answers). Database calls of the backend
are short and run inline on the event loop.

Exactly once, as far as Telegram allows (with an `Outbox`): a reminder is claimed (its date and a
``sends`` row in one transaction), marked ``sending`` right before the request, and confirmed
after it. Only errors that prove the message was not delivered (flood control, a refused
request, a connection that never opened; see ``not_delivered``) are retried; a time-out is
recorded as ``uncertain`` and not repeated. A new leader adopts claimed rows of a dead one
(`ReminderDispatcher.adopt`). Only the leader process runs the dispatcher (bot.store.leader).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from bot.reminders.models import Reminder
from bot.store.outbox import BLOCKED, CLAIMED, FAILED, FINAL, SENT, UNCERTAIN, Outbox, Row

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
    uncertain: int = 0
    """Maybe delivered (timed out, or the sender died while sending): not repeated."""
    seconds: float = 0.0
    busy: bool = False
    """True when another run was still going; nothing was done."""


class Tracker(Protocol):
    """The send state of one message in the database (see bot.store.outbox)."""

    def start(self) -> bool:
        """Right before each attempt: claimed -> sending. False = not ours: skip."""
        ...

    def settle(self, status: str, error: str = "") -> None:
        """After the attempt: sent | uncertain | failed | blocked, or claimed (to retry)."""
        ...


@dataclass(frozen=True)
class Outgoing:
    user_id: int
    chat_id: int
    text: Callable[[], str | None]
    """Called right before the first attempt; None = skip this message."""
    tracker: Tracker | None = None
    send: Send | None = None
    """Overrides the sender's ``send`` (e.g. a broadcast is sent without the reminder button)."""


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
        not_delivered: Callable[[BaseException], bool] | None = None,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``on_blocked(user_id)`` is called when ``is_blocked(exc)``; ``retry_after(exc)`` may
        return seconds to hold *all* sending (flood control); other errors are retried once
        after ``retry_delay`` seconds — when ``not_delivered`` is given, only those for which it
        returns True (the others count as ``uncertain`` and are not repeated)."""
        self._send = send
        self._not_delivered = not_delivered
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
        except Exception as exc:
            log.exception("could not make the message for user %s", message.user_id)
            report.failed += 1
            track = message.tracker
            if track is not None and track.start():  # claimed: record it as failed, so it is
                self._settle(track, FAILED, exc)     # not tried again every minute
            return
        if text is None:
            report.skipped += 1
            return
        track = message.tracker
        for attempt in (1, 2):
            await self.limiter.acquire()
            if track is not None and not track.start():
                report.skipped += 1
                return
            try:
                await (message.send or self._send)(message.chat_id, text)
            except Exception as exc:
                if self._is_blocked(exc):
                    report.blocked += 1
                    self._settle(track, BLOCKED, exc)
                    self._blocked(message.user_id)
                    return
                if self._not_delivered is not None and not self._not_delivered(exc):
                    log.warning("sending to chat %s may or may not have worked (%s); not "
                                "repeated", message.chat_id, exc)
                    report.uncertain += 1
                    self._settle(track, UNCERTAIN, exc)
                    return
                if attempt == 2:
                    log.warning("sending to chat %s failed twice: %s", message.chat_id, exc)
                    report.failed += 1
                    self._settle(track, FAILED, exc)
                    return
                report.retried += 1
                self._settle(track, CLAIMED, exc)
                hold = self._retry_after(exc) if self._retry_after else None
                if hold is not None:
                    self.limiter.pause(hold)
                else:
                    await self._sleep(self._retry_delay)
                continue
            report.sent += 1
            self._settle(track, SENT, None)
            return

    @staticmethod
    def _settle(track: Tracker | None, status: str, exc: BaseException | None) -> None:
        if track is None:
            return
        try:
            track.settle(status, "" if exc is None else f"{type(exc).__name__}: {exc}")
        except Exception:  # the message went (or not); a failed bookkeeping write must not
            log.exception("could not record send status %s", status)  # stop the others

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
    def claim(self, user_id: int, local_date: dt.date, outbox: Outbox) -> str | None: ...
    def mark_blocked(self, user_id: int) -> None: ...
    def compose(self, user_id: int, now_utc: dt.datetime | None = None) -> str: ...


class _OutboxTracker:
    def __init__(self, outbox: Outbox, key: str | None = None) -> None:
        self.outbox = outbox
        self.key = key

    def start(self) -> bool:
        return self.key is not None and self.outbox.start(self.key)

    def settle(self, status: str, error: str = "") -> None:
        if self.key is not None:
            self.outbox.settle(self.key, status, error)


class ReminderDispatcher:
    """Sends the due reminders. Call `run_once` every minute (e.g. from a job queue).

    Per reminder: claim today's date (with an outbox also a ``sends`` row), compose the text,
    send, confirm. Without an outbox the claim is at-most-once (`mark_sent`). A run that is
    still going when the next one starts makes the new one return at once with ``busy=True``.
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
        outbox: Outbox | None = None,
        not_delivered: Callable[[BaseException], bool] | None = None,
        broadcast_send: Send | None = None,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.reminders = reminders
        self.outbox = outbox
        self.broadcast_send = broadcast_send
        self.is_leader: Callable[[], bool] = lambda: True
        """Set by the adapter: only the leader sends (bot.store.leader)."""
        self._sleep = sleep
        self.sender = PacedSender(
            send, is_blocked=is_blocked, on_blocked=reminders.mark_blocked, rate=rate,
            workers=workers, retry_delay=retry_delay, retry_after=retry_after,
            not_delivered=not_delivered, sleep=sleep, monotonic=monotonic,
        )
        self._running = False

    async def run_once(self, now_utc: dt.datetime | None = None) -> DispatchReport:
        if self._running:
            return DispatchReport(busy=True)
        self._running = True
        try:
            now = now_utc or self.reminders.clock()
            report = await self._run(now)
            while self.outbox is not None and self.outbox.has_queued():  # queued meanwhile
                more = await self._run(now, due=False)
                report.total += more.total
                report.sent += more.sent
                report.failed += more.failed
                report.blocked += more.blocked
                report.uncertain += more.uncertain
        finally:
            self._running = False
        if report.total:
            log.info("reminders: %d due, %d sent, %d blocked, %d failed, %d uncertain, "
                     "%d skipped in %.1fs", report.total, report.sent, report.blocked,
                     report.failed, report.uncertain, report.skipped, report.seconds)
        return report

    async def _run(self, now: dt.datetime, *, due: bool = True) -> DispatchReport:
        adopted: list[Row] = []
        if self.outbox is not None:
            self.outbox.take_queued()
            adopted = self.outbox.claimed()
        reminders = self.reminders.due(now) if due else []
        outgoing = [*(self._adopted(row, now) for row in adopted),
                    *(self._outgoing(r, now) for r in reminders)]
        return await self.sender.deliver(outgoing)

    def adopt(self) -> int:
        """Call when this process becomes the leader: take over what a dead leader left
        (claimed rows are sent by the next `run_once`; rows it was sending become uncertain)."""
        return len(self.outbox.adopt()) if self.outbox is not None else 0

    def _outgoing(self, reminder: Reminder, now: dt.datetime) -> Outgoing:
        user_id, day = reminder.user_id, self.reminders.local_date(reminder, now)
        outbox = self.outbox
        if outbox is None:
            def text() -> str | None:
                if not self.reminders.mark_sent(user_id, day):
                    return None
                return self.reminders.compose(user_id, now)

            return Outgoing(user_id, reminder.chat_id, text)
        tracker = _OutboxTracker(outbox)

        def claimed_text() -> str | None:
            tracker.key = self.reminders.claim(user_id, day, outbox)
            if tracker.key is None:
                return None
            return self.reminders.compose(user_id, now)

        return Outgoing(user_id, reminder.chat_id, claimed_text, tracker)

    def _adopted(self, row: Row, now: dt.datetime) -> Outgoing:
        assert self.outbox is not None
        tracker = _OutboxTracker(self.outbox, row.key)
        if row.kind == "broadcast":
            return Outgoing(row.user_id, row.chat_id, lambda: row.text, tracker,
                            self.broadcast_send)
        return Outgoing(row.user_id, row.chat_id,
                        lambda: self.reminders.compose(row.user_id, now), tracker)

    async def queue_broadcast(self, chat_ids: Iterable[int], text: str, *,
                              poll: float = 0.5, give_up_after: float = 6 * 3600.0
                              ) -> DispatchReport:
        """Queue a broadcast for the leader (the only process that sends in bulk) and wait for
        its outcome. In the leader process it starts right away, elsewhere at the leader's next
        reminder check."""
        assert self.outbox is not None
        outbox, batch = self.outbox, secrets.token_hex(6)
        total = await asyncio.to_thread(outbox.enqueue, batch, "broadcast", chat_ids, text)
        if self.is_leader():
            await self.run_once()  # busy: the running one takes the queue when it is done
        waited = 0.0
        while True:
            counts = await asyncio.to_thread(outbox.batch_counts, "broadcast", batch)
            if sum(n for st, n in counts.items() if st in FINAL) >= total or waited > give_up_after:
                break
            await self._sleep(poll)
            waited += poll
        return DispatchReport(total=total, sent=counts.get(SENT, 0),
                              failed=counts.get(FAILED, 0), blocked=counts.get(BLOCKED, 0),
                              uncertain=counts.get(UNCERTAIN, 0))

    async def broadcast(self, chat_ids: Iterable[int], text: str) -> DispatchReport:
        """Send one text to many chats through the same pacing (e.g. a trainer announcement),
        with ``broadcast_send`` when given.
        A blocked chat is passed to `mark_blocked` as user id (private chat id == user id)."""
        return await self.sender.deliver(Outgoing(c, c, lambda: text, None, self.broadcast_send)
                                         for c in chat_ids)

    async def announce(self, chat_ids: Iterable[int], text: str) -> DispatchReport:
        """A broadcast, sent with ``broadcast_send`` (no reminder button): with an outbox the
        leader sends it (one send budget across replicas), otherwise this process does."""
        if self.outbox is not None:
            return await self.queue_broadcast(chat_ids, text)
        return await self.broadcast(chat_ids, text)
