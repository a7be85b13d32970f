"""What people type to set a reminder: "19u30", "half acht 's avonds", "20:00 werkdagen", "pauze".

`interpret` turns one line into a `ReminderRequest`; the service applies it. Pure functions, no
I/O, so Telegram and the terminal chat understand exactly the same phrases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, TypeVar

from bot.reminders import texts

Days = Literal["daily", "weekdays"]
Action = Literal["set", "days", "pause", "resume", "off"]
T = TypeVar("T")


class ReminderError(Exception):
    """An error whose message is meant for the participant (Dutch)."""


@dataclass(frozen=True)
class ReminderRequest:
    action: Action
    time: str | None = None
    """'HH:MM' for action 'set'."""
    days: Days | None = None
    """Set together with the time ('20:00 werkdagen') or alone (action 'days')."""


_ACTIONS: dict[str, Action] = {
    "uit": "off", "stop": "off", "off": "off", "uitzetten": "off", "zet uit": "off",
    "pauze": "pause", "pauzeer": "pause", "pauzeren": "pause", "pause": "pause",
    "even niet": "pause",
    "hervat": "resume", "hervatten": "resume", "aan": "resume", "weer aan": "resume",
    "aanzetten": "resume", "zet aan": "resume", "resume": "resume", "on": "resume",
}
_DAY_ALIASES: dict[str, Days] = {
    "daily": "daily", "dagelijks": "daily", "elke dag": "daily", "iedere dag": "daily",
    "alle dagen": "daily", "op alle dagen": "daily",
    "weekdays": "weekdays", "werkdagen": "weekdays", "weekdagen": "weekdays",
    "doordeweeks": "weekdays", "ma-vr": "weekdays", "maandag tot en met vrijdag": "weekdays",
    "op werkdagen": "weekdays", "alleen werkdagen": "weekdays",
    "alleen op werkdagen": "weekdays", "op weekdagen": "weekdays", "door de week": "weekdays",
}
_DAY_PHRASES = sorted(_DAY_ALIASES.items(), key=lambda kv: -len(kv[0]))
"""Longest first, so "maandag tot en met vrijdag" wins over shorter aliases inside it."""
_NUMBERS = {
    "een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
    "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12,
}
_MINUTE_WORDS = {**_NUMBERS, "kwart": 15, "dertien": 13, "veertien": 14}
# Part of the day: how to move a 12-hour clock reading onto 24 hours.
_PERIODS: tuple[tuple[str, str], ...] = (
    ("'s avonds", "pm"), ("s avonds", "pm"), ("savonds", "pm"), ("in de avond", "pm"),
    ("'s middags", "pm"), ("s middags", "pm"), ("smiddags", "pm"), ("in de middag", "pm"),
    ("'s ochtends", "am"), ("s ochtends", "am"), ("sochtends", "am"), ("in de ochtend", "am"),
    ("'s morgens", "am"), ("s morgens", "am"), ("smorgens", "am"),
    ("'s nachts", "night"), ("s nachts", "night"),
    ("avond", "pm"), ("middag", "pm"), ("ochtend", "am"), ("pm", "pm"), ("am", "am"),
)
_DIGITS = re.compile(r"^(\d{1,2})\s*(?:[:.hu]|uur)\s*(\d{2})$")
_COMPACT = re.compile(r"^(\d{3,4})$")
_HOUR = re.compile(r"^(\d{1,2})$")
_WORDS = re.compile(
    r"^(?:(?P<min>\w+)\s+(?P<dir>over|voor)\s+)?(?P<half>half\s+)?(?P<hour>\w+)$"
)


def _normalise(text: str) -> str:
    value = text.strip().lower().replace("’", "'").replace("`", "'").replace("‘", "'")
    value = re.sub(r"(\d)(am|pm|u|h)\b", r"\1 \2", value)  # "7pm", "19u" -> "7 pm", "19 u"
    return " ".join(value.split())


def _split(value: str, phrases: Iterable[tuple[str, T]]) -> tuple[str, T | None]:
    """Take the first of ``phrases`` (whole words) out of ``value``: (rest, its meaning)."""
    for phrase, meaning in phrases:
        pattern = rf"(?:^|\s){re.escape(phrase)}(?:$|\s)"
        if re.search(pattern, value):
            return " ".join(re.sub(pattern, " ", value).split()), meaning
    return value, None


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _MINUTE_WORDS.get(word)


def _clock(value: str) -> tuple[int, int] | None:
    """(hour, minute) as written, before the part of the day is applied."""
    value = value.removeprefix("om ").removeprefix("rond ").removeprefix("tegen ").strip()
    value = re.sub(r"\s*(uur|u|h)$", "", value).strip()
    if match := _DIGITS.match(value):
        return int(match.group(1)), int(match.group(2))
    if match := _COMPACT.match(value):
        digits = match.group(1)
        return int(digits[:-2]), int(digits[-2:])
    if match := _HOUR.match(value):
        return int(match.group(1)), 0
    match = _WORDS.match(value)
    if match is None:
        return None
    hour = _number(match.group("hour"))
    if hour is None or not 1 <= hour <= 24:
        return None
    minute = 0
    if match.group("half"):
        hour, minute = hour - 1, 30
    if match.group("min"):
        shift = _number(match.group("min"))
        if shift is None or not 1 <= shift <= 29:
            return None
        minute += shift if match.group("dir") == "over" else -shift
        if minute < 0:
            hour, minute = hour - 1, minute + 60
    return hour % 24, minute


def _apply_period(hour: int, period: str | None) -> int:
    if period == "pm" and 1 <= hour <= 11:
        return hour + 12
    if period in {"am", "night"} and hour == 12:
        return 0
    return hour


def parse_clock(text: str) -> str:
    """A time of day as people write it -> 'HH:MM'. Raises `ReminderError` with examples."""
    value, period = _split(_normalise(text), _PERIODS)
    clock = _clock(value) if value else None
    if clock is None:
        raise ReminderError(texts.BAD_TIME)
    hour, minute = clock
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ReminderError(texts.TIME_OUT_OF_RANGE)
    return f"{_apply_period(hour, period):02d}:{minute:02d}"


def parse_days(text: str) -> Days:
    """'daily' / 'weekdays' or a Dutch equivalent ('elke dag', 'werkdagen', …)."""
    rest, days = _split(_normalise(text), _DAY_PHRASES)
    if days is None or rest:
        raise ReminderError(texts.BAD_DAYS)
    return days


def looks_like_time(text: str) -> bool:
    """Could this be an attempt at reminder settings (rather than, say, a question)?

    True for anything `interpret` understands and for near misses with digits ("25:99", "19:3"),
    so those get an error with examples; a question without a time in it is False.
    """
    value = _normalise(text)
    if value.endswith("?") or len(value) > 60:
        return False
    try:
        interpret(value)
        return True
    except ReminderError:
        return bool(re.search(r"\d", value)) and len(value.split()) <= 4


def interpret(text: str) -> ReminderRequest:
    """One line of reminder settings: a time (with days), days, or pause/resume/on/off."""
    value = _normalise(text).strip(".!")
    if value in _ACTIONS:
        return ReminderRequest(_ACTIONS[value])
    rest, days = _split(value, _DAY_PHRASES)
    if not rest:
        if days is None:
            raise ReminderError(texts.BAD_TIME)
        return ReminderRequest("days", days=days)
    return ReminderRequest("set", time=parse_clock(rest), days=days)
