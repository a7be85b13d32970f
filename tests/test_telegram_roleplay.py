"""Role-play end to end through the fake Bot API server."""

from __future__ import annotations

from bot.roleplay import texts as rp_texts
from bot.services import Services
from tests.conftest import running_bot
from tests.fakes.telegram_server import FakeTelegramServer, find_button

USER = 5151
GOOD = [
    "Ik hoor dat je er echt moe van bent. Wat maakt het voor jou zo zwaar?",
    "Als ik je goed begrijp ben je bang dat je kennis er niet meer toe doet. Klopt dat?",
    "Zullen we volgende week samen kijken hoe jouw leestips een plek krijgen op de buurtochtend?",
]


async def start_scenario(tg: FakeTelegramServer, scenario_id: str) -> dict[str, object]:
    await tg.send_message(USER, "/oefenen")
    [menu] = await tg.wait_for_messages(USER, timeout=20)
    assert "Verras me" in str(menu["reply_markup"])
    await tg.press_button(USER, menu["message_id"], f"rp:start:{scenario_id}")
    intro, opening = await tg.wait_for_messages(USER, count=2, timeout=20)
    assert "Je doel" in intro["plain_text"]
    assert opening["plain_text"].startswith("🎭")
    return opening


async def test_full_roleplay_with_hint_until_feedback(services: Services,
                                                      telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        opening = await start_scenario(telegram, "collega-veranderingsmoe")
        await telegram.press_button(USER, opening["message_id"], find_button(opening, "Tip"))
        [hint] = await telegram.wait_for_messages(USER, timeout=20)
        assert hint["plain_text"].startswith("💡")
        feedback = None
        for line in GOOD:
            await telegram.send_message(USER, line)
            [persona] = await telegram.wait_for_messages(USER, timeout=30)
            assert persona["plain_text"].startswith("🎭")
            if persona["reply_markup"] is None:  # the last line: feedback follows
                [feedback] = await telegram.wait_for_messages(USER, timeout=30)
                break
        assert feedback is not None, "a good conversation should reach agreement"
        text = feedback["plain_text"]
        assert "De zorg eronder" in text and "Probeer volgende keer" in text
        # own words quoted as evidence (one quote per turn, the strongest technique of it)
        assert "Ik hoor dat je er echt moe van bent" in text or \
            "Wat maakt het voor jou zo zwaar?" in text
        reading = text.split("Lees verder:")[1]
        assert "Omgaan met weerstanden" in reading and ".md" not in reading  # titles, not paths
        # A message right after the end is not answered as a question about the course...
        await telegram.send_message(USER, "Zullen we dan volgende week beginnen?")
        [notice] = await telegram.wait_for_messages(USER, timeout=20)
        assert notice["plain_text"] == rp_texts.SESSION_OVER
        assert "Bronnen" not in notice["plain_text"]
        # ...but after that, text is a question again.
        await telegram.send_message(USER, "wat is een elevator pitch")
        [answer] = await telegram.wait_for_messages(USER, timeout=20)
        assert "Bronnen" in answer["plain_text"]
        await telegram.send_message(USER, "/mijnoefeningen")
        [history] = await telegram.wait_for_messages(USER, timeout=20)
        assert "De collega die moe is" in history["plain_text"]


async def test_a_command_after_the_end_means_the_participant_moved_on(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        await start_scenario(telegram, "collega-veranderingsmoe")
        await telegram.send_message(USER, GOOD[0])
        await telegram.wait_for_messages(USER, timeout=30)
        await telegram.send_message(USER, "/stop")
        [feedback] = await telegram.wait_for_messages(USER, timeout=30)
        assert "Je score" in feedback["plain_text"]
        await telegram.send_message(USER, "/mijnoefeningen")
        [history] = await telegram.wait_for_messages(USER, timeout=20)
        assert "De collega die moe is" in history["plain_text"]
        # Not the "conversation is over" notice: the participant did something else since.
        await telegram.send_message(USER, "wat is een elevator pitch")
        [answer] = await telegram.wait_for_messages(USER, timeout=20)
        assert answer["plain_text"] != rp_texts.SESSION_OVER
        assert "Bronnen" in answer["plain_text"]


async def test_stop_halfway_gives_feedback_and_poor_replies_score_low(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        await start_scenario(telegram, "wethouder-alleen-boeken")
        await telegram.send_message(USER, "Ja maar het is nu eenmaal besloten, u moet gewoon mee.")
        [persona] = await telegram.wait_for_messages(USER, timeout=30)
        assert persona["plain_text"].startswith("🎭")
        await telegram.send_message(USER, "/stop")
        [feedback] = await telegram.wait_for_messages(USER, timeout=30)
        assert "Je stopte" in feedback["plain_text"]
        score = int(feedback["plain_text"].split("Je score: ")[1].split("/")[0])
        assert score < 40
        await telegram.send_message(USER, "/stop")
        [again] = await telegram.wait_for_messages(USER, timeout=20)
        assert "niet aan het oefenen" in again["plain_text"]


async def test_roleplay_survives_restart(services: Services,
                                         telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        opening = await start_scenario(telegram, "teamleider-tijd-en-geld")
        await telegram.send_message(USER, GOOD[0])
        await telegram.wait_for_messages(USER, timeout=30)
    async with running_bot(services, telegram):
        await telegram.send_message(USER, "Wat zou jou helpen om hier ruimte voor te maken?")
        [persona] = await telegram.wait_for_messages(USER, timeout=30)
        assert persona["plain_text"].startswith("🎭")  # still the role-play, not an answer
        assert "Bronnen" not in persona["plain_text"]
        # A button from before the restart still works.
        await telegram.press_button(USER, opening["message_id"], find_button(opening, "Stop"))
        [feedback] = await telegram.wait_for_messages(USER, timeout=30)
        assert "Je score" in feedback["plain_text"]
        assert "Wat zou jou helpen" in feedback["plain_text"] or "2 beurten" in \
            feedback["plain_text"]


async def test_stale_roleplay_buttons(services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        [msg] = [await telegram.send_message(USER, "/help")]
        [help_msg] = await telegram.wait_for_messages(USER, timeout=20)
        await telegram.press_button(USER, help_msg["message_id"], "rp:hint", force=True)
        req = await telegram.wait_for_request("answerCallbackQuery")
        assert "niet aan het oefenen" in str(req.params.get("text"))
        await telegram.press_button(USER, help_msg["message_id"], "rp:start:bestaat-niet",
                                    force=True)
        req = await telegram.wait_for_request("answerCallbackQuery")
        assert "ken ik niet" in str(req.params.get("text"))
        assert msg


async def test_start_menu_offers_roleplay(services: Services,
                                          telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        await telegram.send_message(USER, "/start")
        [welcome] = await telegram.wait_for_messages(USER, timeout=20)
        assert "Oefenen met lastige gesprekken" in welcome["plain_text"]
        await telegram.press_button(USER, welcome["message_id"], find_button(welcome, "Oefenen"))
        [menu] = await telegram.wait_for_messages(USER, timeout=20)
        assert "Kies een gesprek" in menu["plain_text"]
        assert len(menu["reply_markup"]["inline_keyboard"]) >= 9  # 8+ scenarios + "Verras me"
        await telegram.press_button(USER, menu["message_id"], "rp:start:*")
        intro, opening = await telegram.wait_for_messages(USER, count=2, timeout=20)
        assert "Je doel" in intro["plain_text"] and opening["plain_text"].startswith("🎭")


async def test_persona_reacts_to_content_end_to_end(services: Services,
                                                    telegram: FakeTelegramServer) -> None:
    """Off-topic, sarcasm and an insult through Telegram: the persona's reaction and the
    resistance follow what was said (issue 14, point 3)."""
    assert services.roleplay is not None
    store = services.roleplay.store

    def resistance() -> int:
        session = store.load_active(USER)
        assert session is not None
        return session.resistance

    async with running_bot(services, telegram):
        await start_scenario(telegram, "wethouder-alleen-boeken")
        start = resistance()
        await telegram.send_message(USER, "Wat vindt u eigenlijk van het weer vandaag?")
        [off_topic] = await telegram.wait_for_messages(USER, timeout=30)
        assert "daar kwam ik eigenlijk niet voor" in off_topic["plain_text"] or \
            "bij de zaak houden" in off_topic["plain_text"] or \
            "niet om" in off_topic["plain_text"]
        assert resistance() == start
        await telegram.send_message(USER, "Ik hoor u, maar het is nu eenmaal besloten.")
        [pushed] = await telegram.wait_for_messages(USER, timeout=30)
        assert "besloten" in pushed["plain_text"].lower()
        after_push = resistance()
        assert after_push > start
        await telegram.send_message(USER, "Eerlijk gezegd vind ik dat een beetje kortzichtig.")
        [insulted] = await telegram.wait_for_messages(USER, timeout=30)
        assert "kortzichtig" in insulted["plain_text"]
        assert "niet tegen me te praten" in insulted["plain_text"] or \
            "snel klaar" in insulted["plain_text"]
        assert resistance() > after_push
        await telegram.send_message(USER, "/stop")
        [feedback] = await telegram.wait_for_messages(USER, timeout=30)
        text = feedback["plain_text"]
        assert "Luisteren en erkennen" in text  # names from the technique data
        assert "Dit werkte:" not in text  # nothing good was said, nothing is praised
