"""Leitner scheduling of practice questions, with a controllable clock and course dates."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from bot.knowledge.taxonomy import Taxonomy
from bot.quiz import texts
from bot.quiz.judge import QuizJudge
from bot.quiz.questions import QuizBank, load_quiz
from bot.quiz.schedule import INTERVALS, TOP_BOX, released
from bot.quiz.service import QuizService
from bot.reminders.calendar import CourseCalendar
from bot.store.participants import ParticipantStore
from tests.conftest import KNOWLEDGE
from tests.pgtest import MakeDb

USER = 7


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, days: int) -> None:
        self.now += dt.timedelta(days=days)


@pytest.fixture(scope="module")
def bank() -> QuizBank:
    return load_quiz(KNOWLEDGE)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def quiz(bank: QuizBank, clock: Clock, make_db: MakeDb) -> QuizService:
    db = make_db()
    # fuzzy matching only: these tests are about scheduling, not about embeddings
    return QuizService(bank, QuizJudge(None), ParticipantStore(db), CourseCalendar(db),
                       Taxonomy.load(KNOWLEDGE), "Europe/Amsterdam", clock)


RIGHT = {"lsd": "luisteren, samenvatten, doorvragen", "krachtenveld-assen": "invloed en belang"}


def test_good_answers_come_back_later_and_later_until_vast(quiz: QuizService,
                                                           clock: Clock) -> None:
    dues = []
    for _ in range(TOP_BOX):
        feedback = quiz.answer(USER, "lsd", RIGHT["lsd"])
        assert feedback.judgement.verdict == "goed"
        dues.append(quiz.schedule.progress(USER)["lsd"].due)
        clock.advance((dues[-1] - clock.now.date()).days)
    gaps = [(b - a).days for a, b in itertools.pairwise(dues)]
    assert gaps == [INTERVALS[3], INTERVALS[4], INTERVALS[5], INTERVALS[5]]
    assert quiz.schedule.progress(USER)["lsd"].box == TOP_BOX
    label = quiz.taxonomy.theme_labels["samenwerken-en-relatiebeheer"]
    assert quiz.progress(USER)[label] == (1, 6)
    assert "1 van 6 vast" in quiz.render_progress(USER)


def test_missed_question_comes_back_sooner_and_off_topic_changes_nothing(
        quiz: QuizService, clock: Clock) -> None:
    quiz.answer(USER, "lsd", RIGHT["lsd"])
    quiz.answer(USER, "lsd", RIGHT["lsd"])  # box 3: back in 7 days
    assert quiz.schedule.progress(USER)["lsd"].box == 3
    assert quiz.answer(USER, "lsd", "geen idee").judgement.verdict == "fout"
    p = quiz.schedule.progress(USER)["lsd"]
    assert (p.box, p.due) == (1, clock.now.date() + dt.timedelta(days=1))
    assert quiz.answer(USER, "lsd", "Hoe laat is de lunch?").judgement.verdict == "off-topic"
    assert quiz.schedule.progress(USER)["lsd"] == p
    half = quiz.answer(USER, "lsd", "luisteren")
    assert half.judgement.verdict == "half"
    assert quiz.schedule.progress(USER)["lsd"].missed == 2


def test_due_questions_first_and_nothing_due_in_reminder_mode(
        quiz: QuizService, bank: QuizBank, clock: Clock) -> None:
    asked = set()
    for _ in range(len(bank.questions)):
        q = quiz.next_question(USER, only_due=True)
        assert q is not None and q.id not in asked  # every new question once
        asked.add(q.id)
        assert quiz.pending(USER) == q
        quiz.answer(USER, q.id, "geen idee")
    assert quiz.pending(USER) is None
    assert quiz.next_question(USER, only_due=True) is None  # all back tomorrow
    assert quiz.next_question(USER) is not None  # on demand there is always one
    clock.advance(1)
    assert quiz.next_question(USER, only_due=True) is not None


def test_questions_of_a_coming_lesdag_are_not_asked(quiz: QuizService, bank: QuizBank,
                                                    clock: Clock) -> None:
    today = clock.now.date()
    quiz.calendar.set_dates({1: today - dt.timedelta(days=7), 2: today + dt.timedelta(days=7),
                             3: today + dt.timedelta(days=14), 4: today + dt.timedelta(days=21)})
    seen = set()
    while (q := quiz.next_question(USER, only_due=True)) is not None:
        seen.add(q.lesdag)
        quiz.answer(USER, q.id, RIGHT.get(q.id, "geen idee"))
    assert seen == {1}
    clock.advance(7)  # lesdag 2 has come: its questions, and the missed ones of lesdag 1
    seen = set()
    while (q := quiz.next_question(USER, only_due=True)) is not None:
        seen.add(q.lesdag)
        quiz.answer(USER, q.id, "geen idee")
    assert seen == {1, 2}


def test_released_without_dates_and_with_gaps(bank: QuizBank) -> None:
    today = dt.date(2027, 3, 1)
    q4 = next(q for q in bank.questions if q.lesdag == 4)
    assert released(q4, {}, today)  # no dates set: every lesdag counts as past
    assert not released(q4, {1: today, 2: today + dt.timedelta(days=3)}, today)
    assert released(q4, {1: today, 4: today}, today)


def test_most_missed_over_all_participants(quiz: QuizService) -> None:
    for user in (1, 2, 3):
        quiz.answer(user, "gotik", "geen idee")
    quiz.answer(1, "lsd", "luisteren")
    quiz.answer(2, "lsd", RIGHT["lsd"])
    assert quiz.schedule.most_missed() == [("gotik", 3, 3), ("lsd", 1, 2)]
    assert "GOTIK" in quiz.render_most_missed()
    # A trainer sees the misses of their own cohort's members only.
    assert quiz.schedule.most_missed(user_ids={2}) == [("gotik", 1, 1)]
    assert quiz.schedule.most_missed(user_ids=set()) == []
    assert "GOTIK" not in quiz.render_most_missed(user_ids=set())


def test_the_participants_own_cohort_decides_which_lesdagen_have_come(
        quiz: QuizService, clock: Clock) -> None:
    from bot.store.cohorts import CohortStore

    today = clock.now.date()
    cohorts = CohortStore(quiz.participants.db)
    later = cohorts.create("Najaar")
    quiz.participants.touch(USER, USER, "Anna", "")
    cohorts.move(USER, later.id)
    # The default cohort is at lesdag 4 already; the participant's own cohort starts next week.
    quiz.calendar.set_dates({n: today - dt.timedelta(days=7 * (5 - n)) for n in range(1, 5)})
    quiz.calendar.set_dates({n: today + dt.timedelta(days=7 * n) for n in range(1, 5)}, later.id)
    assert quiz.next_question(USER) is None
    cohorts.move(USER, cohorts.default_id())
    assert quiz.next_question(USER) is not None


def test_reminder_question_announces_once_and_can_be_switched_off(quiz: QuizService) -> None:
    """What a daily reminder carries (bot.telegram.reminders appends it with a button)."""
    first = quiz.reminder_question(USER)
    assert first is not None and quiz.bank.get(first.question_id) is not None
    assert "Oefenvraag van de dag" in first.html and "oefenvraag uit" in first.html
    second = quiz.reminder_question(USER)
    assert second is not None and "oefenvraag uit" not in second.html  # announced once
    assert quiz.toggle_in_reminder(USER, "oefenvraag misschien") == texts.TOGGLE_USAGE
    assert quiz.toggle_in_reminder(USER, "oefenvraag uit") == texts.REMINDER_OFF
    assert quiz.reminder_question(USER) is None
    assert quiz.toggle_in_reminder(USER, "Oefenvraag AAN") == texts.REMINDER_ON
    assert quiz.reminder_question(USER) is not None


def test_missed_section_is_empty_without_misses(quiz: QuizService) -> None:
    assert quiz.missed_section({1, 2}) == ""
    quiz.answer(1, "gotik", "geen idee")
    section = quiz.missed_section({1, 2})
    assert section.startswith("\n\n") and "GOTIK" in section
    assert quiz.missed_section({2}) == ""
