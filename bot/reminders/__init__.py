"""Daily reminders, course dates and paced bulk sending. No Telegram here."""

from bot.reminders.calendar import CourseCalendar, parse_date, parse_dates
from bot.reminders.dispatcher import (
    DispatchReport,
    Outgoing,
    PacedSender,
    RateLimiter,
    ReminderBackend,
    ReminderDispatcher,
)
from bot.reminders.schedule import DEFAULT_GRACE, ReminderError, parse_days, parse_time
from bot.reminders.service import ReminderService

__all__ = [
    "DEFAULT_GRACE",
    "CourseCalendar",
    "DispatchReport",
    "Outgoing",
    "PacedSender",
    "RateLimiter",
    "ReminderBackend",
    "ReminderDispatcher",
    "ReminderError",
    "ReminderService",
    "parse_date",
    "parse_dates",
    "parse_days",
    "parse_time",
]
