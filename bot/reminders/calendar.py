"""Course dates (lesdagen), set by the trainer, used in reminders ("Nog 5 dagen tot lesdag 3")."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Mapping

from sqlalchemy import delete, select

from bot.assignments.texts import format_date
from bot.reminders import texts
from bot.reminders.phrases import ReminderError
from bot.store.cohorts import CohortStore
from bot.store.db import CourseDate, Database

_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(text: str) -> dt.date:
    """'12-01-2027', '12/1/2027', '12.01.2027' or '2027-01-12' -> date."""
    value = text.strip()
    match = _ISO.match(value)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DMY.match(value)
        if not match:
            raise ReminderError(texts.BAD_DATE.format(text=value))
        day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ReminderError(texts.BAD_DATE.format(text=value)) from None


def parse_dates(text: str) -> dict[int, dt.date]:
    """A list of dates (space, comma, ';' or newline separated) -> {1: date, 2: date, …}.

    The order is the lesdag order, so the dates must go from early to late.
    """
    tokens = [t for t in re.split(r"[\s,;]+", text.strip()) if t]
    if not tokens:
        raise ReminderError(texts.NO_DATES)
    dates = [parse_date(t) for t in tokens]
    for earlier, later in itertools.pairwise(dates):
        if later <= earlier:
            raise ReminderError(texts.DATES_NOT_IN_ORDER.format(
                earlier=format_date(earlier), later=format_date(later)))
    return {n: d for n, d in enumerate(dates, start=1)}


def first_lesdag_from(dates: Mapping[int, dt.date],
                      today: dt.date) -> tuple[int, dt.date] | None:
    """The first of ``dates`` (lesdag -> date) on or after ``today`` as (number, date), or None."""
    upcoming = [(d, n) for n, d in dates.items() if d >= today]
    if not upcoming:
        return None
    day, n = min(upcoming)
    return n, day


class CourseCalendar:
    """Lesdagen per cohort. ``cohort_id=None`` means the default cohort."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.cohorts = CohortStore(db)

    def _cohort(self, cohort_id: int | None) -> int:
        return self.cohorts.default_id() if cohort_id is None else cohort_id

    def set_dates(self, dates: Mapping[int, dt.date | str],
                  cohort_id: int | None = None) -> dict[int, dt.date]:
        """Replace all lesdagen of a cohort. Values may be dates or strings for `parse_date`."""
        parsed: dict[int, dt.date] = {}
        for n, value in dates.items():
            if n < 1:
                raise ReminderError(texts.BAD_LESDAG)
            parsed[n] = value if isinstance(value, dt.date) else parse_date(value)
        cid = self._cohort(cohort_id)
        with self.db.session() as s:
            s.execute(delete(CourseDate).where(CourseDate.cohort_id == cid))
            s.add_all(CourseDate(cohort_id=cid, lesdag=n, date=d)
                      for n, d in sorted(parsed.items()))
        return dict(sorted(parsed.items()))

    def clear(self, cohort_id: int | None = None) -> None:
        cid = self._cohort(cohort_id)
        with self.db.session() as s:
            s.execute(delete(CourseDate).where(CourseDate.cohort_id == cid))

    def dates(self, cohort_id: int | None = None) -> dict[int, dt.date]:
        cid = self._cohort(cohort_id)
        with self.db.session() as s:
            rows = s.scalars(select(CourseDate).where(CourseDate.cohort_id == cid)
                             .order_by(CourseDate.lesdag))
            return {r.lesdag: r.date for r in rows}

    def next_lesdag(self, today: dt.date,
                    cohort_id: int | None = None) -> tuple[int, dt.date] | None:
        """The first lesdag on or after ``today`` as (number, date), or None."""
        return first_lesdag_from(self.dates(cohort_id), today)

    def render(self, cohort_id: int | None = None) -> str:
        """Dutch list of the lesdagen, one per line."""
        dates = self.dates(cohort_id)
        if not dates:
            return texts.CALENDAR_EMPTY
        return "\n".join(texts.CALENDAR_LINE.format(n=n, date=format_date(d, weekday=True))
                         for n, d in dates.items())
