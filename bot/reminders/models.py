"""What the reminder service hands to adapters: plain data, never a database row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Reminder:
    """One participant's reminder settings, as read at one moment."""

    user_id: int
    chat_id: int
    time: str
    """Local time 'HH:MM'."""
    days: str
    """'daily' or 'weekdays'."""
    enabled: bool
    """Reminders go out: switched on by the participant, who has not blocked the bot."""
    paused: bool
    timezone: str
    """The participant's time zone (the bot's default when they chose none)."""
    last_sent: dt.date | None = None
    """Local date of the last reminder sent."""
    blocked: bool = False
    """The participant blocked the bot (Telegram refused a send); cleared when they write."""
