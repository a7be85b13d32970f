"""Issue 16/11 end to end through the fake Bot API server: checks on realistic answers,
ticking with warnings ("toch afvinken?"), edited answers, /opdrachten in a group, the library
name and the Word file's properties."""

from __future__ import annotations

import io

import docx

from bot.services import Services
from tests.conftest import running_bot
from tests.fakes.telegram_server import FakeTelegramServer
from tests.test_telegram_assignments import USER, ask, open_item, press_edit, press_new

GROUP = -100777
THREE_WITH_NOTES = ("Buurthuis De Schakel (veel ouderen), Taalschool Nieuwkomers (statushouders) "
                    "en basisschool De Wilg (taalachterstand)")
LIBRARY_ONLY = ("De bibliotheek krijgt hierdoor meer leden en meer uitleningen. We worden "
                "zichtbaarder in de wijk en kunnen aan de gemeente laten zien dat we een "
                "maatschappelijke rol spelen.")
VAGUE = "we gaan samen iets leuks doen voor de kinderen in de wijk, dat zien we later wel precies"


async def write(tg: FakeTelegramServer, item: dict[str, object], text: str) -> dict[str, object]:
    await press_new(tg, item, "antwoord")  # "Schrijf antwoord" or "Vervang antwoord"
    [saved] = await ask(tg, text)
    return saved


async def test_checks_read_realistic_answers(services: Services,
                                             telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        item = await open_item(telegram, 3, "Kies drie")
        saved = await write(telegram, item, THREE_WITH_NOTES)
        assert "compleet" in saved["plain_text"]
        saved = await write(telegram, saved, "Buurthuis De Schakel, Taalschool Nieuwkomers "
                                             "en basisschool De Wilg")
        assert "staat nog niet waarom je die kiest" in saved["plain_text"]
        assert "bijvoorbeeld" in saved["plain_text"]

        item = await open_item(telegram, 3, "Partner 1 – Wat levert")
        saved = await write(telegram, item, LIBRARY_ONLY)
        assert "wat de partner eraan heeft" in saved["plain_text"]

        item = await open_item(telegram, 3, "Partner 1 – Welke diensten")
        saved = await write(telegram, item, VAGUE)
        assert "nog vaag" in saved["plain_text"]

        # Advice beyond the course description is a tip, not something missing.
        item = await open_item(telegram, 1, "stakeholders")
        saved = await write(telegram, item, "Gemeente Westerveen (subsidie)\n"
                                            "Welzijn Noord, ouderenwerk\n"
                                            "Basisschool De Regenboog in de wijk")
        assert "compleet" in saved["plain_text"]
        assert "Tips (geen eis)" in saved["plain_text"] and "adviseert er 5" in saved["plain_text"]
    views = {v: services.assignments.item(USER, 3, v).status
             for v in ("keuze", "partner-1-waarde", "partner-1-diensten")}
    assert views == {"keuze": "ingevuld", "partner-1-waarde": "ingevuld",
                     "partner-1-diensten": "ingevuld"}


async def test_ticking_with_warnings_asks_first(services: Services,
                                               telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        item = await open_item(telegram, 3, "Partner 1 – Hoe ga je")
        saved = await write(telegram, item, "mailtje sturen")
        confirm = await press_edit(telegram, saved, "Markeer als klaar")
        assert "nog niet in orde" in confirm["plain_text"]
        assert "Wil je het toch afvinken?" in confirm["plain_text"]
        assert "nog kort (2 woorden" in confirm["plain_text"]
        assert not services.assignments.item(USER, 3, "partner-1-overtuigen").done
        back = await press_edit(telegram, confirm, "Terug")
        assert "Status: ✏️ ingevuld" in back["plain_text"]
        confirm = await press_edit(telegram, back, "Markeer als klaar")
        done = await press_edit(telegram, confirm, "Toch afvinken")
        assert "Status: ✅ afgevinkt" in done["plain_text"]
        assert services.assignments.item(USER, 3, "partner-1-overtuigen").done
        # "Eerst aanvullen" opens the answer prompt instead.
        other = await open_item(telegram, 3, "Partner 2 – Hoe ga je")
        other = await write(telegram, other, "bellen")
        confirm = await press_edit(telegram, other, "Markeer als klaar")
        prompt = await press_new(telegram, confirm, "Eerst aanvullen")
        assert "Typ je antwoord" in prompt["plain_text"]
        [overview] = await ask(telegram, "/opdrachten")
        assert "2/10 ingevuld · 0 in orde · 1 afgevinkt" in overview["plain_text"]


async def test_an_edited_answer_updates_the_stored_answer(services: Services,
                                                         telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        item = await open_item(telegram, 1, "Baken je werkgebied af")
        await press_new(telegram, item, "Schrijf antwoord")
        sent = await telegram.send_message(USER, "De wijk Noord.")
        [saved] = await telegram.wait_for_messages(USER, timeout=20)
        assert "Opgeslagen" in saved["plain_text"]
        await telegram.edit_message(USER, sent["message"]["message_id"],
                                    "De wijk Noord, omdat daar de meeste leden van de "
                                    "vestiging wonen.")
        [updated] = await telegram.wait_for_messages(USER, timeout=20)
        assert "bijgewerkt" in updated["plain_text"]
        assert "Bronnen" not in updated["plain_text"]  # not answered as a question
        # Editing a normal question is still a question.
        question = await telegram.send_message(USER, "wat is een elevator pitch?")
        await telegram.wait_for_messages(USER, timeout=20)
        await telegram.edit_message(USER, question["message"]["message_id"],
                                    "wat is een pitch?")
        [answer] = await telegram.wait_for_messages(USER, timeout=20)
        assert "bijgewerkt" not in answer["plain_text"]
    view = services.assignments.item(USER, 1, "werkgebied")
    assert view.answer.startswith("De wijk Noord, omdat daar de meeste leden")


async def test_opdrachten_in_a_group_stays_private(services: Services,
                                                  telegram: FakeTelegramServer) -> None:
    services.assignments.save_answer(USER, 3, "keuze", THREE_WITH_NOTES)
    async with running_bot(services, telegram):
        await telegram.send_message(USER, "/opdrachten", chat_id=GROUP, chat_type="supergroup")
        [notice] = await telegram.wait_for_messages(GROUP, timeout=20)
        assert "privégesprek" in notice["plain_text"]
        assert "ingevuld" not in notice["plain_text"] and "Opdracht 3" not in notice["plain_text"]
        [private] = await telegram.wait_for_messages(USER, timeout=20)
        assert "1/10 ingevuld" in private["plain_text"]
        await telegram.send_message(USER, "/exporteer 3", chat_id=GROUP, chat_type="supergroup")
        [notice] = await telegram.wait_for_messages(GROUP, timeout=20)
        assert "privégesprek" in notice["plain_text"]
        assert not telegram.documents(GROUP)
        # An assignment button pressed in the group answers only the presser.
        await telegram.press_button(USER, notice["message_id"], "a:open:3", chat_id=GROUP,
                                    force=True)
        req = await telegram.wait_for_request("answerCallbackQuery",
                                              lambda r: bool(r.params.get("text")))
        assert "privégesprek" in str(req.params["text"])
        await telegram.wait_for_messages(USER, timeout=20)  # the overview, privately
        assert not [m for m in telegram.sent_messages(GROUP) if "ingevuld" in (m["text"] or "")]


async def test_library_name_and_word_properties(services: Services,
                                                telegram: FakeTelegramServer) -> None:
    services.assignments.save_answer(USER, 3, "keuze", THREE_WITH_NOTES)
    services.assignments.save_answer(USER, 3, "partner-1-waarde", LIBRARY_ONLY)
    async with running_bot(services, telegram):
        [unknown] = await ask(telegram, "/bibliotheek")
        assert "weet nog niet" in unknown["plain_text"]
        await ask(telegram, "/exporteer 3", count=2)
        first_word = telegram.documents(USER)[0]
        assert "/bibliotheek" in (first_word.get("caption") or "")
        [saved] = await ask(telegram, "/bibliotheek Bibliotheek Westerveen <De Hoven>")
        assert "Bibliotheek Westerveen &lt;De Hoven&gt;" in saved["text"]
        await ask(telegram, "/exporteer 3", count=2)
        word = telegram.documents(USER)[2]
    doc = docx.Document(io.BytesIO(word["data"]))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0].startswith("Opdracht 3")
    assert "Bibliotheek: Bibliotheek Westerveen <De Hoven>" in texts[:5]
    assert any(t.startswith("Datum: ") for t in texts[:5])
    assert "Partner 1: Buurthuis De Schakel" in texts
    assert doc.core_properties.title.startswith("Opdracht 3")
    assert doc.core_properties.author == "Test"  # the participant's first name
    assert abs(doc.sections[0].page_width.cm - 21.0) < 0.01
    assert any(t.startswith("⚠ Nog niet in orde") for t in texts)


async def test_group_without_private_chat_points_to_it(services: Services,
                                                       telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        telegram.block_user(USER)  # the bot cannot start a private chat with this user
        await telegram.send_message(USER, "/opdrachten", chat_id=GROUP, chat_type="supergroup")
        [notice] = await telegram.wait_for_messages(GROUP, timeout=20)
    assert "Open een privégesprek met @" in notice["plain_text"]
    assert "ingevuld" not in notice["plain_text"]
