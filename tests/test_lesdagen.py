"""A participant's own lesdagen: the plan (knowledge), date questions, /lesdagen and answers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from pathlib import Path

import pytest

from bot.adapters.terminal import run_terminal_chat
from bot.answering.service import Answer, Source
from bot.reminders import CourseCalendar, CourseSchedule, DateQuestion, LesdagPlan
from bot.reminders import texts as rt
from bot.services import Services
from bot.store.cohorts import CohortStore
from bot.store.db import Database
from bot.store.participants import ParticipantStore
from tests.pgtest import MakeDb

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
PLAN = LesdagPlan.load(KNOWLEDGE)
DATES = {1: "12-01-2027", 2: "26-01-2027", 3: "09-02-2027", 4: "23-02-2027"}
TODAY = dt.date(2027, 2, 4)  # a Thursday: lesdag 1 and 2 are past, lesdag 3 in 5 days
USER = 500


# The plan is the material's ------------------------------------------------------------------
def test_plan_agrees_with_cursusinformatie() -> None:
    """Every lesdag of "Een mogelijke indeling van de lesdagen" with its topic, the assignments
    you work on afterwards and the lesdag the assignments are discussed on."""
    markdown = (KNOWLEDGE / PLAN.source).read_text(encoding="utf-8")
    section = markdown.split("## Een mogelijke indeling van de lesdagen", 1)[1].split("\n## ")[0]
    lines = re.findall(r"^- \*\*Lesdag (\d+):\*\* (.+)$", section, re.MULTILINE)
    assert [int(n) for n, _ in lines] == [p.number for p in PLAN.lesdagen] == [1, 2, 3, 4]
    for (_, text), planned in zip(lines, PLAN.lesdagen, strict=True):
        assert text.startswith(planned.topic), (text, planned.topic)
        work = re.search(r"Daarna werk je aan opdracht ([\d en,]+)\.", text)
        assert planned.work_on == (tuple(int(n) for n in re.findall(r"\d", work.group(1)))
                                   if work else ())
        assert bool(planned.discuss) == ("bespreekt je opdrachten" in text)
    assert [PLAN.work_after(n) for n in (1, 2, 3, 4)] == [1, 2, 3, 3]
    assert [PLAN.discussed_on(n) for n in (1, 2, 3, 4)] == [4, 4, 4, 4]


def test_no_plan_file_means_no_date_questions(tmp_path: Path) -> None:
    plan = LesdagPlan.load(tmp_path)
    assert plan.lesdagen == ()
    assert plan.date_question("wanneer moet opdracht 3 af?", "opdracht") is None


# Date questions (nl, vl, en) ------------------------------------------------------------------
@pytest.mark.parametrize(("question", "intent", "expected"), [
    ("wanneer moet opdracht 3 af?", "opdracht", DateQuestion(assignment=3)),
    ("Tegen wanneer moet ik opdr. 2 inleveren?", "opdracht", DateQuestion(assignment=2)),
    ("tegen wanneer moet ik opdracht vier binnendoen?", "opdracht", DateQuestion(assignment=4)),
    ("wat is de deadline van opdracht 1?", "opdracht", DateQuestion(assignment=1)),
    ("When is assignment 2 due?", "opdracht", DateQuestion(assignment=2)),
    ("wanneer is de volgende lesdag?", "cursus", DateQuestion(next=True)),
    ("when is our next session?", "buiten_scope", DateQuestion(next=True)),
    ("wanneer is lesdag 4?", "cursus", DateQuestion(lesdag=4)),
    ("welke datum is de derde lesdag?", "cursus", DateQuestion(lesdag=3)),
    ("wanneer is de volgende les?", "", DateQuestion(next=True)),
    ("wanneer zijn de contactdagen?", "cursus", DateQuestion()),
])
def test_date_questions(question: str, intent: str, expected: DateQuestion) -> None:
    assert PLAN.date_question(question, intent) == expected


def test_the_answers_assignment_when_the_question_names_none() -> None:
    asked = PLAN.date_question("wanneer moet ik mijn omgevingsanalyse inleveren?", "opdracht", 1)
    assert asked == DateQuestion(assignment=1)


@pytest.mark.parametrize(("question", "intent"), [
    ("wanneer gebruik je een draaiboek?", "cursus"),         # about the subject
    ("wat moet ik indienen voor opdracht 1?", "opdracht"),   # not *when*
    ("hoeveel uur per week kost de cursus?", "cursus"),
    ("wanneer is de bibliotheek open?", "buiten_scope"),    # not the course calendar
    ("mijn teamleider vraagt wanneer de activiteit klaar is", "weerstand"),
    ("when should I involve partners in my activity?", "stappen"),
])
def test_not_date_questions(question: str, intent: str) -> None:
    assert PLAN.date_question(question, intent) is None


# The service (database) --------------------------------------------------------------------
@pytest.fixture
def db(make_db: MakeDb) -> Database:
    database: Database = make_db()
    return database


def schedule(db: Database, today: dt.date = TODAY) -> CourseSchedule:
    return CourseSchedule(db, PLAN, lambda _user: today)


def test_dates_set_assignment_questions(db: Database) -> None:
    CourseCalendar(db).set_dates(DATES)
    s = schedule(db)
    three = s.answer(USER, DateQuestion(assignment=3))
    assert three.startswith(rt.SCHEDULE_HEADER)
    assert ("**Opdracht 3**: daaraan werk je na lesdag 3 (di 9 februari 2027); je bespreekt hem "
            "op lesdag 4 (di 23 februari 2027).") in three
    assert "De volgende lesdag is lesdag 3: di 9 februari 2027, over 5 dagen." in three
    assert "- Lesdag 1: di 12 januari 2027 (geweest) – Werken als community librarian." in three
    assert "- Lesdag 4: di 23 februari 2027 (over 19 dagen)" in three
    assert "inleverdatum spreek je af met je trainer" in three
    one = s.answer(USER, DateQuestion(assignment=1))
    assert "na lesdag 1 (di 12 januari 2027)" in one
    two = s.answer(USER, DateQuestion(assignment=2))
    assert "na lesdag 2 (di 26 januari 2027)" in two
    four = s.answer(USER, DateQuestion(assignment=4))
    assert "**Opdracht 4**: daaraan werk je na lesdag 3 (di 9 februari 2027)" in four


def test_dates_set_lesdag_and_next(db: Database) -> None:
    CourseCalendar(db).set_dates(DATES)
    assert "Lesdag 4 is op di 23 februari 2027 (over 19 dagen)." in \
        schedule(db).answer(USER, DateQuestion(lesdag=4))
    assert "Voor lesdag 6 heeft je trainer nog geen datum" in \
        schedule(db).answer(USER, DateQuestion(lesdag=6))
    assert "Vandaag is lesdag 3." in schedule(db, dt.date(2027, 2, 9)).overview(USER)
    assert "Morgen is lesdag 3 (di 9 februari 2027)." in \
        schedule(db, dt.date(2027, 2, 8)).overview(USER)
    overview = schedule(db).overview(USER)
    assert "inleverdatum" not in overview and "Vraag het aan je trainer" in overview
    assert "Je bespreekt je opdrachten." in overview


def test_past_course(db: Database) -> None:
    CourseCalendar(db).set_dates(DATES)
    text = schedule(db, dt.date(2027, 6, 1)).overview(USER)
    assert rt.SCHEDULE_ALL_PAST in text
    assert "- Lesdag 4: di 23 februari 2027 (geweest)" in text


def test_no_dates_gives_the_general_plan(db: Database) -> None:
    text = schedule(db).answer(USER, DateQuestion(assignment=3))
    assert text.startswith(rt.SCHEDULE_NOT_SET)
    assert "**Opdracht 3**: daaraan werk je na lesdag 3; je bespreekt hem op lesdag 4." in text
    assert "- Lesdag 3: Samenwerken en relatiebeheer" in text
    assert "volgende lesdag" not in text
    assert "inleverdatum spreek je af met je trainer" in text


def test_cohort_with_and_without_dates(db: Database) -> None:
    """A participant sees their own cohort's dates; none set there: the trainer has not yet,
    even when the default cohort has dates. Without a cohort: the default cohort's."""
    cohorts, participants = CohortStore(db), ParticipantStore(db)
    CourseCalendar(db).set_dates(DATES)
    later = cohorts.create("Voorjaar")
    participants.touch(USER, USER, "Anna")
    participants.touch(USER + 1, USER + 1, "Bert")  # no cohort chosen: the default cohort
    cohorts.move(USER, later.id)
    s = schedule(db)
    assert s.overview(USER).startswith(rt.SCHEDULE_NOT_SET)
    assert "Lesdag 3: di 9 februari 2027" in s.overview(USER + 1)
    assert "Lesdag 3: di 9 februari 2027" in s.overview(USER + 99)  # never seen: the default
    CourseCalendar(db).set_dates({1: "02-03-2027", 2: "16-03-2027"}, later.id)
    own = s.overview(USER)
    assert "- Lesdag 1: di 2 maart 2027 (over 26 dagen)" in own
    assert "- Lesdag 3: nog geen datum – Samenwerken" in own
    assert "februari" not in own


# The answer a participant gets (Services.with_dates) ------------------------------------------
def _at(services: Services, day: dt.date) -> Services:
    moment = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    return dataclasses.replace(services, clock=lambda: moment)


def test_with_dates_before_a_course_answer_and_instead_of_a_refusal(services: Services) -> None:
    svc = _at(services, TODAY)
    svc.calendar.set_dates(DATES)
    source = Source(title="Opdracht 3", topic="opdracht", kind="opdracht",
                    path="opdrachten/opdracht-3-partners.md", section="s", score=1.0)
    course = Answer("wanneer moet opdracht 3 af?", "Een document met drie partners.", True,
                    [source], intent="opdracht", assignment=3)
    dated = svc.with_dates(USER, course.question, course)
    assert dated.answer.startswith(rt.SCHEDULE_HEADER)
    assert dated.answer.endswith("\n\nEen document met drie partners.")
    assert dated.sources == [source] and dated.assignment == 3
    refused = Answer("when is our next session?", "Dat staat niet in het cursusmateriaal.",
                     False, intent="buiten_scope")
    replaced = svc.with_dates(USER, refused.question, refused)
    assert "De volgende lesdag is lesdag 3" in replaced.answer
    assert "cursusmateriaal" not in replaced.answer and replaced.sources == []
    plan = dataclasses.replace(source, path=svc.schedule.plan.source)
    general = Answer("wanneer is lesdag 4?", "*Dit is een mogelijke indeling*", True, [plan],
                     intent="cursus")
    assert "mogelijke indeling" not in svc.with_dates(USER, general.question, general).answer
    other = Answer("wanneer gebruik je een draaiboek?", "Een draaiboek ...", True, [source],
                   intent="cursus")
    assert svc.with_dates(USER, other.question, other) is other


def test_the_offline_answer_itself_does_not_change(services: Services) -> None:
    """`AnswerService.ask` (what the answer eval measures) never has the dates."""
    svc = _at(services, TODAY)
    svc.calendar.set_dates(DATES)
    answer = svc.answers.ask("wanneer moet opdracht 3 af?")
    assert "Jouw lesdagen" not in answer.answer
    assert "Jouw lesdagen" in svc.with_dates(USER, answer.question, answer).answer


def test_terminal_chat_lesdagen_and_date_question(services: Services) -> None:
    svc = _at(services, TODAY)
    out = io.StringIO()
    run_terminal_chat(svc, io.StringIO("/lesdagen\n"), out, user_id=USER)
    assert "nog niet ingesteld" in out.getvalue()
    svc.calendar.set_dates(DATES)
    out = io.StringIO()
    run_terminal_chat(svc, io.StringIO("/lesdagen\nwanneer moet opdracht 3 af?\n"), out,
                      user_id=USER)
    text = out.getvalue()
    assert "**" not in text
    assert "• Lesdag 3: di 9 februari 2027 (over 5 dagen)" in text
    assert "Opdracht 3: daaraan werk je na lesdag 3 (di 9 februari 2027); je bespreekt hem " \
           "op lesdag 4 (di 23 februari 2027)." in text
    assert "Bronnen:" in text  # still the course answer below the dates
