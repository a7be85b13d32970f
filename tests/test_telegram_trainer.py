"""Trainer commands end to end: /overzicht, /overzicht csv, /cursusdata, /bericht."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from typing import Any

from bot.services import Services
from tests.conftest import dispatch, running_bot
from tests.fakes.telegram_server import FakeTelegramServer, find_button

ADMIN = 1
ANNA = 4242
BERT = 5151
NOW = dt.datetime(2027, 1, 7, 12, 0, tzinfo=dt.UTC)
AT_19_31 = dt.datetime(2027, 1, 7, 18, 31, tzinfo=dt.UTC)
DATES = "12-01-2027 26-01-2027 09-02-2027 23-02-2027"


async def ask(tg: FakeTelegramServer, text: str, user: int = ADMIN,
              first_name: str = "Trainer") -> dict[str, Any]:
    await tg.send_message(user, text, first_name=first_name)
    [msg] = await tg.wait_for_messages(user, timeout=20)
    return msg


async def join(tg: FakeTelegramServer) -> None:
    await ask(tg, "/start", ANNA, "Anna")
    await ask(tg, "/start", BERT, "Bert")


async def test_only_trainers(services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram, admin_ids=[ADMIN]):
        for command in ("/overzicht", "/overzicht csv", f"/cursusdata {DATES}", "/bericht hoi"):
            msg = await ask(telegram, command, ANNA, "Anna")
            assert msg["plain_text"] == "Alleen voor trainers."
        assert telegram.documents(ANNA) == []
        assert services.calendar.dates() == {}
        default = {c["command"] for c in telegram.commands(language_code="nl")}
        trainer = {c["command"] for c in telegram.commands({"type": "chat", "chat_id": ADMIN})}
        assert "overzicht" not in default
        assert {"overzicht", "cursusdata", "bericht", "opdrachten", "start"} <= trainer


async def test_overview_and_csv(services: Services, telegram: FakeTelegramServer) -> None:
    services.assignments.set_done(ANNA, 1, "werkgebied", True)
    async with running_bot(services, telegram, admin_ids=[ADMIN]):
        await join(telegram)
        table = await ask(telegram, "/overzicht")
        assert table["text"].startswith("<pre>")
        assert "Deelnemers: 3" in table["plain_text"]
        anna = next(line for line in table["plain_text"].splitlines()
                    if line.startswith("Anna"))
        assert "1/7" in anna
        assert "Bert" in table["plain_text"]
        await ask(telegram, "/overzicht csv")
        [document] = telegram.documents(ADMIN)
    assert document["file_name"].endswith(".csv")
    assert document["data"].startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(document["data"].decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Naam"
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Anna", "Bert", "Trainer"}
    assert by_name["Anna"][3] == "1"  # assignment 1 done


async def test_course_dates_show_up_in_reminders(services: Services,
                                                 telegram: FakeTelegramServer) -> None:
    svc = dataclasses.replace(services, clock=lambda: NOW)
    async with running_bot(svc, telegram, admin_ids=[ADMIN]) as app:
        empty = await ask(telegram, "/cursusdata")
        assert "nog geen lesdagen" in empty["plain_text"]
        assert "/cursusdata 12-01-2027" in empty["plain_text"]
        saved = await ask(telegram, f"/cursusdata {DATES}")
        assert "Lesdag 1: di 12 januari 2027" in saved["plain_text"]
        assert "Lesdag 4: di 23 februari 2027" in saved["plain_text"]
        wrong = await ask(telegram, "/cursusdata 26-01-2027 12-01-2027")
        assert "niet op volgorde" in wrong["plain_text"]
        assert len(svc.calendar.dates()) == 4

        await ask(telegram, "/herinnering 19:30", ANNA, "Anna")
        await dispatch(app, AT_19_31)
        [reminder] = await telegram.wait_for_messages(ANNA, timeout=20)
        assert "Nog 5 dagen tot lesdag 1." in reminder["plain_text"]


async def test_broadcast_with_preview_and_report(services: Services,
                                                 telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram, admin_ids=[ADMIN]):
        await join(telegram)
        usage = await ask(telegram, "/bericht")
        assert "/bericht" in usage["plain_text"]
        preview = await ask(telegram, "/bericht Denk aan <opdracht 2> & lees H3!\nTot dinsdag.")
        assert "gaat naar 3 deelnemers" in preview["plain_text"]
        cancel = find_button(preview, "Annuleer")
        send = find_button(preview, "Verstuur")
        assert "Denk" not in send  # the text waits in the database, not in the button

        telegram.block_user(BERT)
        await telegram.press_button(ADMIN, preview["message_id"], send)
        [anna] = await telegram.wait_for_messages(ANNA, timeout=20)
        assert "Bericht van je trainer" in anna["plain_text"]
        assert "Denk aan <opdracht 2> & lees H3!\nTot dinsdag." in anna["plain_text"]
        own, report = await telegram.wait_for_messages(ADMIN, count=2, timeout=20)
        assert "Bericht van je trainer" in own["plain_text"]
        assert report["plain_text"] == "📣 Klaar. Verstuurd: 2, mislukt: 1. " \
            "(1 deelnemers hebben de bot geblokkeerd.)"
        participant = services.participants.get(BERT)
        assert participant is not None and participant.blocked

        # A second tap (or the stale cancel button) cannot send it again.
        await telegram.press_button(ADMIN, preview["message_id"], cancel, force=True)
        await telegram.wait_for_request(
            "editMessageText", lambda r: "Oké, het bericht is niet verstuurd" in r.params["text"])
        assert len([m for m in telegram.sent_messages(ANNA) if "trainer" in m["plain_text"]]) == 1
