"""The trainer's view on all participants: progress per assignment and last activity.

No Telegram here. `render_overview` returns plain text with aligned columns: show it in a
monospace block (e.g. HTML ``<pre>``, escaped).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from bot.assignments.service import AssignmentService
from bot.store.cohorts import CohortStore
from bot.store.db import AssignmentAnswer, Database, Participant
from bot.trainer import texts

CSV_DELIMITER = ";"
"""Dutch Excel uses ';' as list separator (',' is the decimal comma), so ';' opens cleanly."""
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Cells starting with these are formulas in Excel: prefixed with "'" (CSV injection)."""
MAX_TEXT_ROWS = 40
NAME_WIDTH = 14


@dataclass(frozen=True)
class ParticipantRow:
    user_id: int
    name: str
    """First name, or '@username', or the user id as text."""
    username: str
    first_name: str
    progress: dict[int, tuple[int, int]]
    """Per assignment number: (done, total)."""
    last_seen: dt.datetime | None
    """Aware UTC."""
    blocked: bool
    cohort: str = ""
    """The name of the participant's cohort."""

    def progress_text(self, n: int) -> str:
        done, total = self.progress.get(n, (0, 0))
        return f"{done}/{total}"


def _is_participant(p: Participant) -> bool:
    """Everyone except outsiders who were refused access (and never authorised later)."""
    return not (p.refused_notice and not p.authorized)


def _csv_cell(value: str) -> str:
    return f"'{value}" if value.startswith(CSV_FORMULA_START) else value


class TrainerService:
    def __init__(self, db: Database, assignment_service: AssignmentService, *,
                 timezone: str = "Europe/Amsterdam") -> None:
        """``timezone`` is used to show last activity in local time."""
        self.db = db
        self.assignments = assignment_service
        self._tz = zoneinfo.ZoneInfo(timezone)
        self.cohorts = CohortStore(db)

    def _participants(self, cohort_ids: Collection[int] | None = None) -> list[Participant]:
        """Participants in join order; only those of ``cohort_ids`` when given (participants
        without a cohort belong to the default cohort)."""
        default = self.cohorts.default_id()
        with self.db.session() as s:
            rows = s.scalars(select(Participant).order_by(Participant.joined_at,
                                                          Participant.user_id))
            return [p for p in rows if _is_participant(p) and (
                cohort_ids is None or (p.cohort_id or default) in cohort_ids)]

    def overview(self, cohort_ids: Collection[int] | None = None) -> list[ParticipantRow]:
        """One row per participant (ordered by name), with done/total per assignment."""
        default = self.cohorts.default_id()
        names = {c.id: c.name for c in self.cohorts.all()}
        done: dict[tuple[int, int], set[str]] = defaultdict(set)
        with self.db.session() as s:
            query = select(AssignmentAnswer.user_id, AssignmentAnswer.assignment,
                           AssignmentAnswer.item_id).where(AssignmentAnswer.done.is_(True))
            for user_id, n, item_id in s.execute(query):
                done[(user_id, n)].add(item_id)
        rows = []
        for p in self._participants(cohort_ids):
            progress = {
                a.number: (sum(1 for i in a.items if i.id in done[(p.user_id, a.number)]),
                           len(a.items))
                for a in self.assignments.assignments
            }
            name = p.first_name or (f"@{p.username}" if p.username else str(p.user_id))
            last_seen = p.last_seen.replace(tzinfo=dt.UTC) if p.last_seen else None
            rows.append(ParticipantRow(p.user_id, name, p.username, p.first_name, progress,
                                       last_seen, p.blocked,
                                       names.get(p.cohort_id or default, "")))
        return sorted(rows, key=lambda r: (r.name.casefold(), r.user_id))

    def _local(self, moment: dt.datetime | None, fmt: str) -> str:
        return moment.astimezone(self._tz).strftime(fmt) if moment else texts.NEVER

    def overview_csv(self, cohort_ids: Collection[int] | None = None) -> bytes:
        """UTF-8 with BOM and ';' separators, so Dutch Excel opens it directly.

        Progress is one number per assignment ("done"), with the total in the column header:
        a cell like '2/7' would turn into a date in Excel.
        """
        numbers = [a.number for a in self.assignments.assignments]
        totals = {a.number: len(a.items) for a in self.assignments.assignments}
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=CSV_DELIMITER, lineterminator="\r\n")
        writer.writerow([texts.CSV_NAME, texts.CSV_USERNAME, texts.CSV_USER_ID,
                         *(texts.CSV_ASSIGNMENT.format(n=n, total=totals[n]) for n in numbers),
                         texts.CSV_LAST_SEEN, texts.CSV_BLOCKED, texts.CSV_COHORT])
        for row in self.overview(cohort_ids):
            writer.writerow([
                _csv_cell(row.first_name), _csv_cell(row.username), str(row.user_id),
                *(str(row.progress.get(n, (0, 0))[0]) for n in numbers),
                self._local(row.last_seen, "%Y-%m-%d %H:%M"),
                texts.YES if row.blocked else texts.NO,
                _csv_cell(row.cohort),
            ])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")

    def render_overview(self, max_rows: int = MAX_TEXT_ROWS,
                        cohort_ids: Collection[int] | None = None) -> str:
        """Short Dutch text table: name, done/total per assignment, last activity."""
        rows = self.overview(cohort_ids)
        if not rows:
            return texts.NO_PARTICIPANTS
        numbers = [a.number for a in self.assignments.assignments]
        widths = {n: max(len(texts.COL_ASSIGNMENT.format(n=n)),
                         *(len(r.progress_text(n)) for r in rows)) for n in numbers}
        head = [texts.COL_NAME.ljust(NAME_WIDTH),
                *(texts.COL_ASSIGNMENT.format(n=n).ljust(widths[n]) for n in numbers),
                texts.COL_LAST_SEEN]
        lines = [texts.HEADER.format(count=len(rows)), "", " ".join(head)]
        for row in rows[:max_rows]:
            name = row.name
            if len(name) > NAME_WIDTH:
                name = name[: NAME_WIDTH - 1] + "…"
            lines.append(" ".join([
                name.ljust(NAME_WIDTH),
                *(row.progress_text(n).ljust(widths[n]) for n in numbers),
                self._local(row.last_seen, "%d-%m %H:%M"),
            ]) + (texts.BLOCKED_MARK if row.blocked else ""))
        if len(rows) > max_rows:
            lines.append(texts.MORE_ROWS.format(count=len(rows) - max_rows))
        return "\n".join(lines)

    def recipients(self, cohort_ids: Collection[int] | None = None) -> list[int]:
        """Chat ids for a broadcast: participants with a known chat who did not block the bot
        (each chat once, in join order), of ``cohort_ids`` when given."""
        chats = (p.chat_id for p in self._participants(cohort_ids)
                 if not p.blocked and p.chat_id is not None)
        return list(dict.fromkeys(chats))
