"""Pure time logic for reminders: deciding when a reminder is due (parsing: `phrases`).

All decisions are made in the reminder's own time zone with `zoneinfo`, so a DST switch never
shifts the local time ("19:30" stays 19:30 local in summer and in winter).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

from bot.reminders import texts
from bot.reminders.phrases import ReminderError

DEFAULT_GRACE = dt.timedelta(hours=6)
"""How late a reminder may still go out (after downtime), always on the same local date."""


@lru_cache(maxsize=64)
def zone(name: str) -> zoneinfo.ZoneInfo:
    """ZoneInfo for ``name``; raises `ReminderError` for an unknown zone."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ReminderError(texts.BAD_TIMEZONE) from None


def as_utc(moment: dt.datetime) -> dt.datetime:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def local_date(now_utc: dt.datetime, tz: str) -> dt.date:
    return as_utc(now_utc).astimezone(zone(tz)).date()


def day_allowed(days: str, day: dt.date) -> bool:
    return days != "weekdays" or day.weekday() < 5


def scheduled_utc(day: dt.date, hhmm: str, tz: str) -> dt.datetime:
    """The UTC moment of local ``hhmm`` on ``day``.

    On the spring-forward day a time inside the gap (02:30 in Amsterdam) maps to the instant
    just after the jump (03:30 local); on the fall-back day an ambiguous time maps to its first
    occurrence. Comparisons are always done in UTC: aware datetimes that share a tzinfo compare
    by wall time in Python, which would be wrong around a DST switch.
    """
    hour, minute = (int(p) for p in hhmm.split(":"))
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone(tz))  # fold=0
    return local.astimezone(dt.UTC)


def due_on(
    now_utc: dt.datetime,
    hhmm: str,
    days: str,
    tz: str,
    last_sent: dt.date | None,
    grace: dt.timedelta = DEFAULT_GRACE,
) -> dt.date | None:
    """The local date to send for if a reminder is due at ``now_utc``, else None.

    Due when today's local date is an allowed day, the local time has reached ``hhmm`` (compared
    in UTC), we are at most ``grace`` late, and nothing was sent yet for this local date.
    Only today's occurrence counts: a missed reminder is never sent after local midnight.
    """
    now = as_utc(now_utc)
    today = now.astimezone(zone(tz)).date()
    if last_sent == today or not day_allowed(days, today):
        return None
    start = scheduled_utc(today, hhmm, tz)
    if start <= now <= start + grace:
        return today
    return None
