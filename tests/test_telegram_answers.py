"""End to end over the fake Bot API: objection advice with its two buttons, and a follow-up."""

from __future__ import annotations

from bot.services import Services
from tests.conftest import running_bot
from tests.fakes.telegram_server import FakeTelegramServer, find_button
from tests.test_telegram_e2e import USER, ask

OBJECTION = ("Hoe ga ik om met een wethouder die vindt dat de bibliotheek gewoon boeken moet "
             "uitlenen?")


async def test_objection_answer_with_practice_and_whole_case_buttons(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        [msg] = await ask(telegram, OBJECTION)
        text = msg["plain_text"]
        assert msg["parse_mode"] == "HTML"
        assert "Wat er vaak onder zit:" in text and "Zo pak je het aan:" in text
        assert "• Luister eerst." in text and "**" not in text
        assert "De wethouder die vindt dat de bieb gewoon boeken moet uitlenen – casus" in text
        practice = find_button(msg, "Oefen dit gesprek")
        whole = find_button(msg, "Hele casus")
        assert len(practice.encode()) <= 64 and len(whole.encode()) <= 64
        await telegram.press_button(USER, msg["message_id"], whole)
        [case] = await telegram.wait_for_messages(USER, timeout=20)
        assert case["plain_text"].startswith("📖")
        assert "Het bezwaar" in case["plain_text"] and "Goede aanpak" in case["plain_text"]
        assert "Zie ook" not in case["plain_text"]
        await telegram.press_button(USER, msg["message_id"], practice)
        intro, opening = await telegram.wait_for_messages(USER, count=2, timeout=20)
        assert "Je doel" in intro["plain_text"] and opening["plain_text"].startswith("🎭")


async def test_greeting_gets_a_friendly_reply_without_buttons(
        services: Services, telegram: FakeTelegramServer) -> None:
    from bot.answering import texts

    async with running_bot(services, telegram):
        [hello] = await ask(telegram, "Hoi!")
        assert hello["plain_text"] == texts.GREETING_REPLY
        assert not hello.get("reply_markup")
        [thanks] = await ask(telegram, "dank je wel")
        assert thanks["plain_text"] == texts.THANKS_REPLY
    with services.db.session() as s:  # not logged as course questions (trainer statistics)
        from sqlalchemy import func, select

        from bot.store.db import QuestionLog

        assert s.scalar(select(func.count()).select_from(QuestionLog)) == 0


async def test_follow_up_question_uses_the_previous_topic(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        [first] = await ask(telegram, "wat moet er in een draaiboek staan?")
        assert "Een draaiboek opstellen – lesstof" in first["plain_text"]
        [second] = await ask(telegram, "en hoe doe ik dat dan?")
        assert "Begin bij de datum en reken terug" in second["plain_text"]
        assert "Een draaiboek opstellen – lesstof" in second["plain_text"]
        [done] = await ask(telegram, "/nieuw")
        assert done["plain_text"]
        [third] = await ask(telegram, "en hoe doe ik dat dan?")
        assert "Begin bij de datum en reken terug" not in third["plain_text"]


async def test_assignment_answer_opens_the_checklist(services: Services,
                                                     telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        [msg] = await ask(telegram, "Wat moet ik indienen voor opdracht 1?")
        assert "een lijst van stakeholders" in msg["plain_text"]
        button = find_button(msg, "checklist")
        await telegram.press_button(USER, msg["message_id"], button)
        req = await telegram.wait_for_request("answerCallbackQuery")
        assert req is not None


async def test_off_topic_or_wordless_message_after_advice_does_not_repeat_it(
        services: Services, telegram: FakeTelegramServer) -> None:
    from bot import texts as ui_texts

    async with running_bot(services, telegram):
        [advice] = await ask(telegram, OBJECTION)
        assert "Zo pak je het aan:" in advice["plain_text"]
        [salary] = await ask(telegram, "wat verdient een community librarian in Belgie per "
                                       "maand bruto")
        assert "niet in het cursusmateriaal" in salary["plain_text"]
        assert "Zo pak je het aan:" not in salary["plain_text"]
        [junk] = await ask(telegram, ";;; <b>")
        assert junk["plain_text"] == ui_texts.NO_WORDS
        [follow] = await ask(telegram, "en hoe doe ik dat dan?")  # the advice is still at hand
        assert "Luister eerst" in follow["plain_text"]


async def test_follow_ups_on_advice_get_the_part_of_the_casus_they_ask_for(
        services: Services, telegram: FakeTelegramServer) -> None:
    """Round 12 (bot/answering/casus_followup.py): what not to say -> the pitfalls, word for
    word -> the example replies, why -> the concern; and an assignment named by number."""
    async with running_bot(services, telegram):
        [advice] = await ask(telegram, "mijn wethouder zegt dat de bieb gewoon boeken moet "
                                       "uitlenen")
        assert "Zo pak je het aan:" in advice["plain_text"]
        [avoid] = await ask(telegram, "wat kan ik beter niet zeggen?")
        assert "Tegenargumenteren." in avoid["plain_text"]
        assert "Zo pak je het aan:" not in avoid["plain_text"]
        [words] = await ask(telegram, "en wat zeg ik dan letterlijk?")
        assert words["plain_text"].startswith("Zeg bijvoorbeeld:")
        assert "Oodi" not in words["plain_text"]
        [why] = await ask(telegram, "waarom denkt hij zo?")
        assert "Wat er vaak onder zit:" in why["plain_text"]
        [task] = await ask(telegram, "wat moet ik nou precies inleveren voor opdracht 2?")
        assert "twee tot vier pagina's" in task["plain_text"]
        assert find_button(task, "checklist")


async def test_what_can_you_do_gets_how_wijkwijs_helps(
        services: Services, telegram: FakeTelegramServer) -> None:
    """Round 13 (bot/answering/social.py ``asks_about_bot``): a question about the bot itself
    is answered with what Wijkwijs does, not refused or sent to a lesson."""
    async with running_bot(services, telegram):
        [reply] = await ask(telegram, "what can you do?")
        assert reply["plain_text"].startswith("Wijkwijs is je cursusmaatje")
        assert "Dat staat niet in het cursusmateriaal" not in reply["plain_text"]
        [course] = await ask(telegram, "hoe doe je een wijkschouw?")
        assert "Wijkwijs is je cursusmaatje" not in course["plain_text"]
