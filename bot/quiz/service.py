"""Practice questions for one participant: pick, judge, schedule, progress. No Telegram here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from html import escape
from zoneinfo import ZoneInfo

from bot.knowledge.taxonomy import Taxonomy
from bot.quiz import texts
from bot.quiz.judge import Judgement, QuizJudge
from bot.quiz.questions import QuizBank, QuizQuestion
from bot.quiz.schedule import INTERVALS, TOP_BOX, QuizSchedule
from bot.reminders.calendar import CourseCalendar
from bot.store.participants import ParticipantStore

PENDING = "quiz_pending"
"""UserState key: the question id the participant is answering."""
IN_REMINDER = "quiz_in_reminder"
"""UserState key: False when the participant switched the question in the reminder off."""
ANNOUNCED = "quiz_announced"


@dataclass(frozen=True)
class Feedback:
    question: QuizQuestion
    judgement: Judgement
    box: int | None


@dataclass(frozen=True)
class ReminderQuestion:
    """The practice question a daily reminder carries: its id (for the answer button) and the
    HTML to append to the reminder (with the one-time announcement the first time)."""

    question_id: str
    html: str


class QuizService:
    def __init__(self, bank: QuizBank, judge: QuizJudge, participants: ParticipantStore,
                 calendar: CourseCalendar, taxonomy: Taxonomy, timezone: str,
                 clock: Callable[[], dt.datetime]) -> None:
        self.bank = bank
        self.judge = judge
        self.participants = participants
        self.calendar = calendar
        self.taxonomy = taxonomy
        self.tz = ZoneInfo(timezone)
        self.clock = clock
        self.schedule = QuizSchedule(participants.db, self.today)

    def today(self) -> dt.date:
        return self.clock().astimezone(self.tz).date()

    # Asking ------------------------------------------------------------------------------------
    def next_question(self, user_id: int, only_due: bool = False) -> QuizQuestion | None:
        """Pick a question and remember it as the one being answered."""
        participant = self.participants.get(user_id)  # lesdagen of the participant's cohort
        dates = self.calendar.dates(participant.cohort_id if participant else None)
        question = self.schedule.pick(user_id, self.bank.questions, dates, only_due)
        self.participants.set_state(user_id, PENDING, question.id if question else None)
        return question

    def pending(self, user_id: int) -> QuizQuestion | None:
        qid = self.participants.get_state(user_id, PENDING)
        return self.bank.get(qid) if isinstance(qid, str) else None

    def set_pending(self, user_id: int, question_id: str | None) -> None:
        self.participants.set_state(user_id, PENDING, question_id)

    def answer(self, user_id: int, question_id: str, text: str) -> Feedback:
        question = self.bank.get(question_id)
        if question is None:
            raise LookupError(question_id)
        judgement = self.judge.judge(question, text)
        progress = self.schedule.record(user_id, question.id, judgement.verdict)
        self.participants.set_state(user_id, PENDING, None)
        return Feedback(question, judgement, progress.box if progress else None)

    # Reminder setting --------------------------------------------------------------------------
    def in_reminder(self, user_id: int) -> bool:
        return self.participants.get_state(user_id, IN_REMINDER) is not False

    def set_in_reminder(self, user_id: int, on: bool) -> str:
        self.participants.set_state(user_id, IN_REMINDER, None if on else False)
        self.participants.set_state(user_id, ANNOUNCED, True)
        return texts.REMINDER_ON if on else texts.REMINDER_OFF

    def toggle_in_reminder(self, user_id: int, arg: str) -> str:
        """``/herinnering oefenvraag aan|uit``: the Dutch reply (usage when ``arg`` is neither)."""
        words = arg.lower().split()
        if len(words) != 2 or words[1] not in {"aan", "uit"}:
            return texts.TOGGLE_USAGE
        return self.set_in_reminder(user_id, words[1] == "aan")

    def reminder_question(self, user_id: int) -> ReminderQuestion | None:
        """The question for today's reminder (reminders go to the private chat: chat id = user
        id), or None when switched off or nothing is due."""
        if not self.in_reminder(user_id):
            return None
        question = self.schedule.pick(user_id, self.bank.questions, self.calendar.dates(),
                                      only_due=True)
        if question is None:
            return None
        html = texts.REMINDER_QUESTION.format(theme=escape(self.theme_label(question)),
                                              question=escape(question.question))
        if self.announce_once(user_id):
            html += texts.ANNOUNCE
        return ReminderQuestion(question.id, html)

    def announce_once(self, user_id: int) -> bool:
        """True the first time (the reminder then carries the announcement)."""
        if self.participants.get_state(user_id, ANNOUNCED):
            return False
        self.participants.set_state(user_id, ANNOUNCED, True)
        return True

    # Rendering (HTML; adapters pass plain=True for the terminal) -------------------------------
    def theme_label(self, question: QuizQuestion) -> str:
        return self.taxonomy.theme_labels.get(question.theme, question.theme)

    def render_question(self, question: QuizQuestion) -> str:
        return texts.ASK.format(theme=escape(self.theme_label(question)),
                                question=escape(question.question))

    def render_feedback(self, feedback: Feedback) -> str:
        j = feedback.judgement
        lines = [texts.VERDICT[j.verdict]]
        if j.verdict != "off-topic":
            if j.matched:
                lines.append(texts.RIGHT.format(points=escape(", ".join(j.matched))))
            if j.missing and j.verdict != "goed":
                lines.append(texts.MISSING.format(points=escape(", ".join(j.missing))))
        lines.append(texts.MODEL.format(answer=escape(feedback.question.model_answer)))
        if feedback.box == TOP_BOX and j.verdict == "goed":
            lines.append(texts.VAST)
        else:
            days = INTERVALS.get(feedback.box or 1, 1)
            lines.append(texts.NEXT_TIME[j.verdict].format(days=days))
        return "\n\n".join(lines)

    def source_section(self, question: QuizQuestion) -> str:
        """Section id used by the retriever ('Meer hierover')."""
        return f"{question.source}#{question.section}"

    # Progress ----------------------------------------------------------------------------------
    def progress(self, user_id: int) -> dict[str, tuple[int, int]]:
        """Theme label -> (questions "vast", questions in the theme)."""
        boxes = self.schedule.progress(user_id)
        out: dict[str, tuple[int, int]] = {}
        for theme, questions in self.bank.by_theme().items():
            vast = sum(1 for q in questions if q.id in boxes and boxes[q.id].box == TOP_BOX)
            out[self.taxonomy.theme_labels.get(theme, theme)] = (vast, len(questions))
        return out

    def render_progress(self, user_id: int) -> str:
        if not self.schedule.progress(user_id):
            return texts.PROGRESS_NONE
        lines = [texts.PROGRESS_TITLE]
        lines += [texts.PROGRESS_LINE.format(theme=escape(t), vast=v, total=n)
                  for t, (v, n) in self.progress(user_id).items()]
        lines.append(texts.PROGRESS_FOOT)
        return "\n".join(lines)

    def render_most_missed(self, limit: int = 5,
                           user_ids: Collection[int] | None = None) -> str:
        """For trainers: the questions missed most often by ``user_ids`` (a cohort; all
        participants when None), or '' if none."""
        rows = self.schedule.most_missed(limit, user_ids)
        lines = []
        for qid, missed, people in rows:
            q = self.bank.get(qid)
            if q is not None:
                lines.append(texts.MISSED_LINE.format(question=escape(q.question), missed=missed,
                                                      people=people))
        return "\n".join([texts.MISSED_TITLE, *lines]) if lines else ""

    def missed_section(self, user_ids: Collection[int]) -> str:
        """For /overzicht: the most-missed questions of these participants as a section to
        append ('' when none)."""
        text = self.render_most_missed(user_ids=set(user_ids))
        return f"\n\n{text}" if text else ""
