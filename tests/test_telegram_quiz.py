"""Practice questions end to end through the fake Bot API server: /oefenvraag, the reminder's
question and its answer, /herinnering oefenvraag uit, /mijnvoortgang, /annuleer."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from bot.services import Services
from tests.conftest import dispatch, running_bot
from tests.fakes.telegram_server import FakeTelegramServer, find_button

USER = 4343
NOW = dt.datetime(2027, 1, 7, 12, 0, tzinfo=dt.UTC)
AT_19_31 = dt.datetime(2027, 1, 7, 18, 31, tzinfo=dt.UTC)  # 19:31 in Amsterdam


async def say(tg: FakeTelegramServer, text: str) -> dict[str, Any]:
    await tg.send_message(USER, text)
    [msg] = await tg.wait_for_messages(USER, timeout=30)
    return msg


async def test_oefenvraag_judges_the_next_message_and_shows_the_source(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        asked = await say(telegram, "/oefenvraag")
        assert "Oefenvraag" in asked["plain_text"]
        assert services.quiz is not None
        question = services.quiz.pending(USER)
        assert question is not None and question.question in asked["plain_text"]
        assert question.id == "competentie"  # new questions of lesdag 1 first
        reply = await say(telegram, "kennis, vaardigheeden en houding")
        assert reply["plain_text"].startswith("✅ Goed!")
        assert "Modelantwoord" in reply["plain_text"]
        await telegram.press_button(USER, reply["message_id"],
                                    find_button(reply, "Meer hierover"))
        [section] = await telegram.wait_for_messages(USER, timeout=30)
        assert "competentie is een combinatie" in section["plain_text"]

        asked = await say(telegram, "/oefenvraag")
        assert services.quiz.pending(USER) is not None
        cancelled = await say(telegram, "/annuleer")
        assert "slaan deze oefenvraag over" in cancelled["plain_text"]
        assert services.quiz.pending(USER) is None
        answer = await say(telegram, "wat is netwerken?")  # no longer waiting: Q&A again
        assert "Bronnen" in answer["plain_text"]

        progress = await say(telegram, "/mijnvoortgang")
        assert "0 van 6 vast" in progress["plain_text"]
    assert services.quiz.schedule.progress(USER)["competentie"].box == 2


async def test_reminder_carries_a_question_and_its_answer_is_judged(
        services: Services, telegram: FakeTelegramServer) -> None:
    svc = dataclasses.replace(services, clock=lambda: NOW)
    async with running_bot(svc, telegram) as app:
        await say(telegram, "/herinnering 19:30")
        await dispatch(app, AT_19_31)
        [reminder] = await telegram.wait_for_messages(USER, timeout=30)
        text = reminder["plain_text"]
        assert "Oefenvraag van de dag" in text and "Nieuw:" in text  # announced once
        assert svc.quiz is not None
        find_button(reminder, "Naar mijn opdrachten")  # the reminder's own button stays
        await telegram.press_button(USER, reminder["message_id"],
                                    find_button(reminder, "Beantwoorden"))
        [prompt] = await telegram.wait_for_messages(USER, timeout=30)
        assert "Typ je antwoord" in prompt["plain_text"]
        question = svc.quiz.pending(USER)
        assert question is not None and question.question in text
        reply = await say(telegram, "alleen kennis denk ik")
        assert reply["plain_text"].startswith("🟡 Half goed.")
        assert "Dit mist nog: vaardigheden, houding" in reply["plain_text"]
        find_button(reply, "Meer hierover")

        off = await say(telegram, "/herinnering oefenvraag uit")
        assert "zonder oefenvraag" in off["plain_text"]
        await dispatch(app, AT_19_31 + dt.timedelta(days=1))
        [plain] = await telegram.wait_for_messages(USER, timeout=30)
        assert "Oefenvraag" not in plain["plain_text"]
        on = await say(telegram, "/herinnering oefenvraag aan")
        assert "weer in je herinnering" in on["plain_text"]
    progress = svc.quiz.schedule.progress(USER)[question.id]
    assert (progress.box, progress.missed) == (1, 1)


async def test_trainer_overview_lists_the_most_missed_questions(
        services: Services, telegram: FakeTelegramServer) -> None:
    assert services.quiz is not None
    for user in (21, 22):  # participants of the (default) cohort the trainer sees
        services.participants.touch(user, user, f"D{user}", "")
        services.quiz.answer(user, "gotik", "geen idee")
    services.quiz.answer(21, "lsd", "luisteren")
    admin = 1
    async with running_bot(services, telegram, admin_ids=[admin]):
        await telegram.send_message(admin, "/overzicht")
        [overview] = await telegram.wait_for_messages(admin, timeout=30)
    text = overview["plain_text"]
    assert "Oefenvragen die het vaakst misgaan" in text
    assert text.index("Waar staat GOTIK") < text.index("Waar staan de letters van LSD")
    assert "(2× mis, 2 deelnemer(s))" in text


async def test_open_question_survives_a_restart_and_other_commands_end_it(
        services: Services, telegram: FakeTelegramServer) -> None:
    assert services.quiz is not None
    services.quiz.set_pending(USER, "lsd")  # asked before a restart: no conversation in memory
    async with running_bot(services, telegram):
        reply = await say(telegram, "luisteren samenvaten en doorvragen")
        assert reply["plain_text"].startswith("✅ Goed!")
        await say(telegram, "/oefenvraag")
        assert services.quiz.pending(USER) is not None
        await say(telegram, "/help")  # another command: the question is dropped
        answer = await say(telegram, "wat is netwerken?")
        assert "Bronnen" in answer["plain_text"]
    assert services.quiz.pending(USER) is None
    assert list(services.quiz.schedule.progress(USER)) == ["lsd"]
