"""Per-participant reminders: settings, due logic and the reminder text. No Telegram here.

Once per local day, also across restarts: `last_sent` holds the local date a reminder was last
sent for, and `claim` (or the older `mark_sent`) claims that date with one conditional UPDATE that
succeeds for one caller only. `claim` also writes a ``sends`` row in the same transaction
(bot.store.outbox), so a crash between the claim and the send is retried by the next leader
instead of losing that day's reminder; nothing can make it fire twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import CursorResult, Update, or_, select, update
from sqlalchemy.orm import Session

from bot.assignments.service import AssignmentService
from bot.reminders import texts
from bot.reminders.calendar import CourseCalendar
from bot.reminders.models import Reminder
from bot.reminders.phrases import (
    ReminderError,
    ReminderRequest,
    interpret,
    parse_clock,
    parse_days,
)
from bot.reminders.schedule import DEFAULT_GRACE, as_utc, due_on, scheduled_utc, zone
from bot.store.db import Database, OutboxSend, Participant
from bot.store.db import Reminder as ReminderRow
from bot.store.outbox import Outbox
from bot.store.participants import ParticipantStore

log = logging.getLogger(__name__)


class ReminderService:
    def __init__(
        self,
        db: Database,
        default_tz: str,
        clock: Callable[[], dt.datetime],
        *,
        assignments: AssignmentService | None = None,
        calendar: CourseCalendar | None = None,
        grace: dt.timedelta = DEFAULT_GRACE,
    ) -> None:
        """``clock`` returns aware UTC now. ``assignments`` is needed for `compose` only."""
        zone(default_tz)  # fail early on a wrong default
        self.db = db
        self.default_tz = default_tz
        self.clock = clock
        self.assignments = assignments
        self.calendar = calendar or CourseCalendar(db)
        self.grace = grace
        self.participants = ParticipantStore(db)

    # Helpers -----------------------------------------------------------------------------------
    def _zone_name(self, user_id: int, chosen: str | None) -> str:
        """The participant's time zone (``Participant.timezone``, the only copy), or the default
        when they chose none or it is unknown."""
        if not chosen:
            return self.default_tz
        try:
            zone(chosen)
            return chosen
        except ReminderError:
            log.warning("participant %s has unknown time zone %r; using %s",
                        user_id, chosen, self.default_tz)
            return self.default_tz

    def _user_tz(self, s: Session, user_id: int) -> str:
        participant = s.get(Participant, user_id)
        return self._zone_name(user_id, participant.timezone if participant else None)

    def local_today(self, user_id: int) -> dt.date:
        """Today's date in the participant's own time zone."""
        with self.db.session() as s:
            tz = self._user_tz(s, user_id)
        return as_utc(self.clock()).astimezone(zone(tz)).date()

    def _view(self, s: Session, row: ReminderRow) -> Reminder:
        """The plain `Reminder` adapters get (no ORM row leaves this service)."""
        participant = s.get(Participant, row.user_id)
        blocked = bool(participant is not None and participant.blocked)
        return _as_view(row, self._zone_name(row.user_id, participant.timezone
                                             if participant else None), blocked)

    def _arm(self, reminder: ReminderRow, tz: str) -> None:
        """After a settings change, never fire "right now" for a time that has already passed
        today: the next reminder is the next occurrence of the chosen time."""
        now = as_utc(self.clock())
        today = now.astimezone(zone(tz)).date()
        if now >= scheduled_utc(today, reminder.time, tz) or (
                reminder.last_sent is not None and reminder.last_sent > today):
            reminder.last_sent = today

    def _require(self, s: Session, user_id: int) -> ReminderRow:
        reminder = s.get(ReminderRow, user_id)
        if reminder is None:
            raise ReminderError(texts.NO_REMINDER)
        return reminder

    # Settings ----------------------------------------------------------------------------------
    def get(self, user_id: int) -> Reminder | None:
        with self.db.session() as s:
            row = s.get(ReminderRow, user_id)
            return None if row is None else self._view(s, row)

    def set_time(self, user_id: int, chat_id: int, text: str) -> Reminder:
        """Turn reminders on at local time ``text`` ('19:30', '19u30', 'half acht 's avonds').

        Also switches a paused or off reminder back on. If the time has already passed today,
        the first reminder comes tomorrow.
        """
        hhmm = parse_clock(text)
        with self.db.session() as s:
            reminder = s.get(ReminderRow, user_id)
            if reminder is None:
                reminder = ReminderRow(user_id=user_id, chat_id=chat_id, time=hhmm,
                                       days="daily", enabled=True, paused=False)
                s.add(reminder)
            else:
                reminder.chat_id, reminder.time = chat_id, hhmm
                reminder.enabled, reminder.paused = True, False
            self._arm(reminder, self._user_tz(s, user_id))
            s.flush()
            return self._view(s, reminder)

    def apply(self, user_id: int, chat_id: int, text: str) -> ReminderRequest:
        """Apply one line as people type it: a time (with days), days, pause/resume/on/off."""
        request = interpret(text)
        if request.action == "set":
            assert request.time is not None
            self.set_time(user_id, chat_id, request.time)
            if request.days is not None:
                self.set_days(user_id, request.days)
        elif request.action == "days":
            assert request.days is not None
            self.set_days(user_id, request.days)
        elif request.action == "pause":
            self.pause(user_id)
        elif request.action == "resume":
            self.resume(user_id)
        else:
            self.off(user_id)
        return request

    def set_days(self, user_id: int, days: str) -> Reminder:
        """'daily' / 'weekdays' (or Dutch: 'elke dag', 'werkdagen')."""
        value = parse_days(days)
        with self.db.session() as s:
            reminder = self._require(s, user_id)
            reminder.days = value
            return self._view(s, reminder)

    def pause(self, user_id: int) -> Reminder:
        with self.db.session() as s:
            reminder = self._require(s, user_id)
            reminder.paused = True
            return self._view(s, reminder)

    def resume(self, user_id: int) -> Reminder:
        """Undo `pause` (and `off`). A time already passed today waits until tomorrow."""
        with self.db.session() as s:
            reminder = self._require(s, user_id)
            reminder.paused, reminder.enabled = False, True
            self._arm(reminder, self._user_tz(s, user_id))
            return self._view(s, reminder)

    def off(self, user_id: int) -> Reminder | None:
        """Switch reminders off (settings are kept, `resume` or `set_time` turns them on)."""
        with self.db.session() as s:
            reminder = s.get(ReminderRow, user_id)
            if reminder is None:
                return None
            reminder.enabled = False
            return self._view(s, reminder)

    def set_timezone(self, user_id: int, tz: str) -> None:
        """Store an IANA time zone for the participant (their reminder follows it)."""
        tz = tz.strip()
        zone(tz)
        self.participants.set_timezone(user_id, tz)
        with self.db.session() as s:
            reminder = s.get(ReminderRow, user_id)
            if reminder is not None:
                self._arm(reminder, tz)

    def describe(self, user_id: int) -> str:
        """One or two Dutch sentences: 'Je krijgt elke dag om 19:30 een herinnering.'"""
        reminder = self.get(user_id)
        if reminder is None or not reminder.enabled:
            return texts.STATUS_OFF
        days = texts.DAYS_WEEKDAYS if reminder.days == "weekdays" else texts.DAYS_DAILY
        template = texts.STATUS_PAUSED if reminder.paused else texts.STATUS_ON
        sentence = template.format(days=days, time=reminder.time)
        if reminder.timezone != self.default_tz:
            sentence += " " + texts.STATUS_TIMEZONE.format(tz=reminder.timezone)
        return sentence

    # Due logic ---------------------------------------------------------------------------------
    def local_date(self, reminder: Reminder, now_utc: dt.datetime) -> dt.date:
        """The reminder's local date at ``now_utc`` (the value to pass to `mark_sent`)."""
        return as_utc(now_utc).astimezone(zone(reminder.timezone)).date()

    def due(self, now_utc: dt.datetime | None = None) -> list[Reminder]:
        """Reminders to send now (see `schedule.due_on`); blocked participants never are."""
        now = as_utc(now_utc or self.clock())
        query = (
            select(ReminderRow, Participant.timezone)
            .outerjoin(Participant, Participant.user_id == ReminderRow.user_id)
            .where(ReminderRow.enabled.is_(True), ReminderRow.paused.is_(False),
                   or_(Participant.blocked.is_(None), Participant.blocked.is_(False)))
            .order_by(ReminderRow.user_id)
        )
        with self.db.session() as s:
            rows = [_as_view(row, self._zone_name(row.user_id, tz), False)
                    for row, tz in s.execute(query).all()]
        return [r for r in rows
                if due_on(now, r.time, r.days, r.timezone, r.last_sent, self.grace)]

    def mark_sent(self, user_id: int, local_date: dt.date) -> bool:
        """Claim ``local_date`` for this reminder. True for exactly one caller; False if it was
        already sent (or claimed) for that date, also by another process or before a restart."""
        stmt = _claim_date(user_id, local_date)
        with self.db.session() as s:
            result = cast(CursorResult[Any], s.execute(stmt))
            return result.rowcount == 1

    def claim(self, user_id: int, local_date: dt.date, outbox: Outbox) -> str | None:
        """Claim ``local_date`` and record the send as claimed by ``outbox``'s process, in one
        transaction. Returns the send key, or None if it was claimed already."""
        key = f"reminder:{user_id}:{local_date.isoformat()}"
        stmt = _claim_date(user_id, local_date)
        with self.db.session() as s:
            if cast(CursorResult[Any], s.execute(stmt)).rowcount != 1:
                return None
            reminder = s.get(ReminderRow, user_id)
            if reminder is None or s.get(OutboxSend, key) is not None:
                return None  # already sent today (the date was re-armed since)
            s.add(outbox.new_row(key, "reminder", user_id, reminder.chat_id))
            return key

    def mark_blocked(self, user_id: int) -> None:
        """Telegram refused a send: the participant blocked the bot. Only the participant is
        flagged (no reminder or broadcast goes out until they write again, which clears it);
        their own reminder settings stay as they chose them."""
        self.participants.set_blocked(user_id, True)

    # The message -------------------------------------------------------------------------------
    def compose(self, user_id: int, now_utc: dt.datetime | None = None) -> str:
        """The Dutch reminder text: next open item, progress and days to the next lesdag."""
        if self.assignments is None:
            raise RuntimeError("ReminderService needs assignments= to compose reminders")
        now = as_utc(now_utc or self.clock())
        with self.db.session() as s:
            tz = self._user_tz(s, user_id)
            participant = s.get(Participant, user_id)
            name = participant.first_name if participant is not None else ""
            cohort_id = participant.cohort_id if participant is not None else None
        lines = [texts.GREETING.format(name=name) if name else texts.GREETING_NO_NAME]
        next_item = self.assignments.next_open(user_id)
        if not self.assignments.assignments:
            lines.append(texts.NO_ASSIGNMENTS)
        elif next_item is None:
            lines.append(texts.ALL_DONE)
        else:
            lines.append(texts.NEXT_STEP.format(
                heading=next_item.assignment.heading, label=next_item.item.label,
                number=next_item.assignment.number, done=next_item.done,
                total=next_item.total))
        lesdag = self._lesdag_line(now.astimezone(zone(tz)).date(), cohort_id)
        if lesdag:
            lines.append(lesdag)
        return "\n".join(lines)

    def _lesdag_line(self, today: dt.date, cohort_id: int | None = None) -> str:
        """Days to the next lesdag of the participant's cohort (None: the default cohort)."""
        upcoming = self.calendar.next_lesdag(today, cohort_id)
        if upcoming is None:
            return ""
        n, day = upcoming
        days = (day - today).days
        if days == 0:
            return texts.LESDAG_TODAY.format(n=n)
        if days == 1:
            return texts.LESDAG_TOMORROW.format(n=n)
        return texts.LESDAG_DAYS.format(n=n, days=days)


def _claim_date(user_id: int, local_date: dt.date) -> Update:
    """Set ``last_sent`` to ``local_date`` unless it is already that date: the atomic claim that
    makes a reminder go out at most once per local date, whichever process runs it."""
    return (
        update(ReminderRow)
        .where(ReminderRow.user_id == user_id,
               or_(ReminderRow.last_sent.is_(None), ReminderRow.last_sent != local_date))
        .values(last_sent=local_date)
    )


def _as_view(row: ReminderRow, tz: str, blocked: bool) -> Reminder:
    return Reminder(user_id=row.user_id, chat_id=row.chat_id, time=row.time, days=row.days,
                    enabled=row.enabled and not blocked, paused=row.paused, timezone=tz,
                    last_sent=row.last_sent, blocked=blocked)
