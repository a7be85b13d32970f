"""Assignments end to end: the real Application against the fake Bot API server."""

from __future__ import annotations

import io
from typing import Any

import docx

from bot.services import Services
from tests.conftest import running_bot
from tests.fakes.telegram_server import FakeTelegramServer, find_button

USER = 4242
TWO = "Bibliotheekvrienden (veel vrijwilligers)\nBuurthuis De Linde (ouderen)"
THREE = ("Bibliotheekvrienden (veel vrijwilligers)\nBuurthuis De Linde (ouderen)\n"
         "Welzijn Noord (kent de eenzame ouderen)")


async def ask(tg: FakeTelegramServer, text: str, count: int = 1) -> list[Any]:
    await tg.send_message(USER, text)
    return await tg.wait_for_messages(USER, count=count, timeout=20)


def current(tg: FakeTelegramServer, message_id: int) -> dict[str, Any]:
    return next(m for m in tg.sent_messages(USER) if m["message_id"] == message_id)


async def press_edit(tg: FakeTelegramServer, msg: dict[str, Any], label: str) -> dict[str, Any]:
    """Press a button that edits its own message; return the edited message."""
    await tg.press_button(USER, msg["message_id"], find_button(msg, label))
    await tg.wait_for_request("editMessageText",
                              lambda r: r.params.get("message_id") == msg["message_id"])
    return current(tg, msg["message_id"])


async def press_new(tg: FakeTelegramServer, msg: dict[str, Any], label: str) -> dict[str, Any]:
    """Press a button that answers with a new message; return it."""
    await tg.press_button(USER, msg["message_id"], find_button(msg, label))
    [new] = await tg.wait_for_messages(USER, timeout=20)
    return new


async def open_item(tg: FakeTelegramServer, n: int, label: str) -> dict[str, Any]:
    [overview] = await ask(tg, "/opdrachten")
    assignment = await press_edit(tg, overview, f"Opdracht {n}")
    return await press_edit(tg, assignment, label)


async def stale_answer(tg: FakeTelegramServer, message_id: int, data: str) -> str:
    await tg.press_button(USER, message_id, data, force=True)
    req = await tg.wait_for_request("answerCallbackQuery", lambda r: bool(r.params.get("text")))
    assert req.params.get("show_alert") is True
    return str(req.params["text"])


async def test_overview_write_check_replace_and_done(services: Services,
                                                      telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        [overview] = await ask(telegram, "/opdrachten")
        labels = [b["text"] for row in overview["reply_markup"]["inline_keyboard"] for b in row]
        assert [label.split(" ·")[0] for label in labels if "·" in label] == [
            f"Opdracht {n}" for n in (1, 2, 3, 4)]
        assert "▱▱▱▱ 0/10 · 0/10 ingevuld · 0 in orde · 0 afgevinkt" in overview["plain_text"]
        assert "👍 in orde · ✅ afgevinkt" in overview["plain_text"]  # the legend
        assert all(len(b["callback_data"].encode()) <= 64
                   for row in overview["reply_markup"]["inline_keyboard"] for b in row)

        assignment = await press_edit(telegram, overview, "Opdracht 3")
        assert "selecteer drie potentiële partners" in assignment["plain_text"]
        find_button(assignment, "Partner 3")
        find_button(assignment, "Terug")
        find_button(assignment, "Exporteer")

        item = await press_edit(telegram, assignment, "Kies drie")
        assert "Noem per regel één organisatie" in item["plain_text"]  # the help text
        assert "Nog niets ingevuld" in item["plain_text"]
        assert "Wat ontbreekt nog" in item["plain_text"]

        prompt = await press_new(telegram, item, "Schrijf antwoord")
        assert "Typ je antwoord" in prompt["plain_text"]
        [saved] = await ask(telegram, TWO)
        assert "Opgeslagen" in saved["plain_text"]
        assert "Je noemt 2 partners, de opdracht vraagt er 3." in saved["plain_text"]
        assert "Bronnen" not in saved["plain_text"]

        await press_new(telegram, saved, "Vervang antwoord")
        [saved] = await ask(telegram, THREE)
        assert "Je noemt" not in saved["plain_text"]
        assert "compleet" in saved["plain_text"]

        done = await press_edit(telegram, saved, "Markeer als klaar")
        assert "Status: ✅ afgevinkt" in done["plain_text"]
        find_button(done, "Toch niet klaar")
        [overview] = await ask(telegram, "/opdrachten")
        assert "partners\n▰▱▱▱ 1/10 · 1/10 ingevuld · 1 in orde · 1 afgevinkt" \
            in overview["plain_text"]
        assert any("1/10" in b["text"] for row in overview["reply_markup"]["inline_keyboard"]
                   for b in row)
        # The plain text answers went nowhere else (not to the Q&A).
        assert not [m for m in telegram.sent_messages(USER) if "Bronnen" in (m["text"] or "")]


async def test_answer_survives_restart_and_markup_is_escaped(
        services: Services, telegram: FakeTelegramServer) -> None:
    tricky = "<b>Buurthuis</b> & <i>co</i> 🎉 *ster* _x_ [a](b)"
    async with running_bot(services, telegram):
        item = await open_item(telegram, 3, "Partner 1")
        await press_new(telegram, item, "Schrijf antwoord")
        [saved] = await ask(telegram, tricky)
        assert "Opgeslagen" in saved["plain_text"]
    async with running_bot(services, telegram):
        item = await open_item(telegram, 3, "Partner 1")
        assert tricky in item["plain_text"]
        assert "&lt;b&gt;Buurthuis&lt;/b&gt; &amp;" in item["text"]
        find_button(item, "Vervang antwoord")


async def test_waiting_for_an_answer_survives_restart(services: Services,
                                                     telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        item = await open_item(telegram, 1, "Baken je werkgebied af")
        await press_new(telegram, item, "Schrijf antwoord")
    async with running_bot(services, telegram):
        [saved] = await ask(telegram, "De wijk Noord, omdat daar de meeste leden wonen.")
        assert "Opgeslagen" in saved["plain_text"]
    view = services.assignments.item(USER, 1, "werkgebied")
    assert view.answer.startswith("De wijk Noord")


async def test_cancel_and_other_commands_stop_waiting(services: Services,
                                                      telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        item = await open_item(telegram, 1, "Baken je werkgebied af")
        prompt = await press_new(telegram, item, "Schrijf antwoord")
        [cancelled] = await ask(telegram, "/annuleer")
        assert "geannuleerd" in cancelled["plain_text"]
        await press_new(telegram, item, "Schrijf antwoord")
        await press_edit(telegram, prompt, "Annuleer")
        await press_new(telegram, item, "Schrijf antwoord")
        await ask(telegram, "/help")
        [answer] = await ask(telegram, "wat is een elevator pitch?")
        assert "Opgeslagen" not in answer["plain_text"]
    assert services.assignments.item(USER, 1, "werkgebied").answer == ""


async def test_stale_buttons_get_an_answer_not_an_exception(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        [overview] = await ask(telegram, "/opdrachten")
        mid = overview["message_id"]
        assert "bestaat niet" in await stale_answer(telegram, mid, "a:item:3:bestaat-niet")
        assert "ken ik niet" in await stale_answer(telegram, mid, "a:open:9")
        assert "werkt niet meer" in await stale_answer(telegram, mid, "a:open:x")
        assert "werkt niet meer" in await stale_answer(telegram, mid, "a:done:3:keuze:7")
        assert "werkt niet meer" in await stale_answer(telegram, mid, "a:")
        [msg] = await ask(telegram, "/help")  # still running
        assert "Zo werkt" in msg["plain_text"]


async def test_long_assignment_is_paginated(services: Services,
                                            telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        [overview] = await ask(telegram, "/opdrachten")
        first = await press_edit(telegram, overview, "Opdracht 4")
        assert "Pagina 1 van 2" in first["plain_text"]
        second = await press_edit(telegram, first, "Meer")
        assert "Pagina 2 van 2" in second["plain_text"]
        find_button(second, "Tool 3")
        back = await press_edit(telegram, second, "Vorige")
        assert "Pagina 1 van 2" in back["plain_text"]


async def test_export_sends_docx_and_markdown(services: Services,
                                              telegram: FakeTelegramServer) -> None:
    services.assignments.save_answer(USER, 3, "keuze", THREE)
    services.assignments.save_answer(USER, 3, "partner-2-waarde", "Samen bereiken we ouders.")
    async with running_bot(services, telegram):
        [choose] = await ask(telegram, "/exporteer")
        await telegram.press_button(USER, choose["message_id"], find_button(choose, "Opdracht 3"))
        await telegram.wait_for_messages(USER, count=2, timeout=20)
        word, markdown = telegram.documents(USER)
    assert word["file_name"] == "opdracht-3-partners.docx"
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word["data"])).paragraphs]
    positions = [paragraphs.index(h) for h in (
        "Kies drie potentiële partners", "Partner 1: Bibliotheekvrienden",
        "Partner 2: Buurthuis De Linde", "Partner 3: Welzijn Noord")]
    assert positions == sorted(positions)
    keuze = next(i for i, p in enumerate(paragraphs) if p.startswith("Bibliotheekvrienden"))
    assert positions[0] < keuze < positions[1]
    answer = paragraphs.index("Samen bereiken we ouders.")
    assert positions[2] < answer < positions[3]
    assert paragraphs[answer + 1].startswith("⚠ Nog niet in orde")
    assert markdown["file_name"] == "opdracht-3-partners.md"
    text = markdown["data"].decode("utf-8")
    assert text.index("## Partner 1") < text.index("Samen bereiken we ouders.") \
        < text.index("## Partner 3")


async def test_start_menu_and_export_button(services: Services,
                                            telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        [welcome] = await ask(telegram, "/start")
        assert "opdrachten" in welcome["plain_text"]
        overview = await press_new(telegram, welcome, "Opdrachten")
        assert "Je opdrachten" in overview["plain_text"]
        assignment = await press_edit(telegram, overview, "Opdracht 2")
        await telegram.press_button(USER, assignment["message_id"],
                                    find_button(assignment, "Exporteer"))
        [refused] = await telegram.wait_for_messages(USER, timeout=20)
        assert "nog leeg" in refused["plain_text"] and not telegram.documents(USER)
        services.assignments.save_answer(USER, 2, "doel", "Twintig ouders doen mee voor de zomer.")
        await telegram.press_button(USER, assignment["message_id"],
                                    find_button(assignment, "Exporteer"))
        await telegram.wait_for_messages(USER, count=2, timeout=20)
        assert [d["file_name"] for d in telegram.documents(USER)] == [
            "opdracht-2-activiteit.docx", "opdracht-2-activiteit.md"]
