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
from bot.reminders.lesdagen import CourseSchedule, DateQuestion, LesdagPlan
from bot.reminders.models import Reminder
from bot.reminders.phrases import (
    ReminderError,
    ReminderRequest,
    interpret,
    looks_like_time,
    parse_clock,
    parse_days,
)
from bot.reminders.schedule import DEFAULT_GRACE
from bot.reminders.service import ReminderService

__all__ = [
    "DEFAULT_GRACE",
    "CourseCalendar",
    "CourseSchedule",
    "DateQuestion",
    "DispatchReport",
    "LesdagPlan",
    "Outgoing",
    "PacedSender",
    "RateLimiter",
    "Reminder",
    "ReminderBackend",
    "ReminderDispatcher",
    "ReminderError",
    "ReminderRequest",
    "ReminderService",
    "interpret",
    "looks_like_time",
    "parse_clock",
    "parse_date",
    "parse_dates",
    "parse_days",
]
