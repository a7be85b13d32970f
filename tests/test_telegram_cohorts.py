"""Cohorts end to end (issue 16): per-cohort lesdagen in reminders, cohort invite links, trainers
who only see their own cohort, moving participants, and the progress PNG."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import struct
from typing import Any

import pytest

from bot import cli
from bot.services import Services
from bot.store.cohorts import CohortStore
from tests.conftest import cli_on, dispatch, running_bot
from tests.fakes.telegram_server import FakeTelegramServer, find_button

HEAD = 1  # ADMIN_IDS without an assignment: sees every cohort
TA = 2  # trainer of cohort A ("Voorjaar")
TB = 3  # trainer of cohort B ("Najaar")
ANNA = 4242
BERT = 5151
NOW = dt.datetime(2027, 1, 7, 12, 0, tzinfo=dt.UTC)
AT_19_31 = dt.datetime(2027, 1, 7, 18, 31, tzinfo=dt.UTC)
DATES_A = "12-01-2027 26-01-2027 09-02-2027 23-02-2027"
DATES_B = "19-01-2027 02-02-2027 16-02-2027 02-03-2027"


async def ask(tg: FakeTelegramServer, text: str, user: int, first_name: str = "Trainer",
              count: int = 1) -> list[dict[str, Any]]:
    await tg.send_message(user, text, first_name=first_name)
    return await tg.wait_for_messages(user, count=count, timeout=20)


async def one(tg: FakeTelegramServer, text: str, user: int) -> dict[str, Any]:
    [msg] = await ask(tg, text, user)
    return msg


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture
def cohorts(services: Services) -> tuple[int, int]:
    store = CohortStore(services.db)
    a, b = store.create("Voorjaar"), store.create("Najaar")
    store.add_trainer(a.id, TA)
    store.add_trainer(b.id, TB)
    return a.id, b.id


async def test_two_cohorts_end_to_end(services: Services, telegram: FakeTelegramServer,
                                      cohorts: tuple[int, int], monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    a, b = cohorts
    svc = dataclasses.replace(services, clock=lambda: NOW)
    store = CohortStore(svc.db)
    # Cohort B's invite from the command line (`wijkwijs invite new --cohort Najaar`).
    cli_on(svc.settings, monkeypatch)
    assert cli.main(["invite", "new", "--bot", "wijkwijs_test_bot", "--cohort", "Najaar"]) == 0
    code_b = capsys.readouterr().out.split("Uitnodigingscode: ", 1)[1].split()[0]
    assert cli.main(["invite", "new", "--bot", "x", "--cohort", "Bestaatniet"]) == 1

    async with running_bot(svc, telegram, admin_ids=[HEAD, TA, TB]) as app:
        # Cohort A's invite from the trainer in Telegram; joining through each link.
        invite = await one(telegram, "/uitnodiging Voorjaar", TA)
        assert "https://t.me/wijkwijs_test_bot?start=" in invite["plain_text"]
        code_a = invite["plain_text"].split("?start=", 1)[1].split()[0]
        refused = await one(telegram, "/uitnodiging Najaar", TA)
        assert "Ik ken geen groep" in refused["plain_text"]

        joined = await ask(telegram, f"/start {code_a}", ANNA, "Anna", count=2)
        assert any('Je zit in groep "Voorjaar"' in m["plain_text"] for m in joined)
        joined = await ask(telegram, f"/start {code_b}", BERT, "Bert", count=2)
        assert any('Je zit in groep "Najaar"' in m["plain_text"] for m in joined)
        assert store.cohort_of(ANNA).id == a and store.cohort_of(BERT).id == b

        # Each trainer sets their own lesdagen; reminders name the participant's cohort's day.
        saved = await one(telegram, f"/cursusdata {DATES_A}", TA)
        assert "Lesdag 1: di 12 januari 2027" in saved["plain_text"]
        saved = await one(telegram, f"/cursusdata {DATES_B}", TB)
        assert "Lesdag 1: di 19 januari 2027" in saved["plain_text"]
        wrong = await one(telegram, f"/cursusdata Voorjaar {DATES_B}", TB)
        assert "Ik ken geen groep" in wrong["plain_text"]
        assert svc.calendar.dates(a)[1] == dt.date(2027, 1, 12)
        assert svc.calendar.dates(b)[1] == dt.date(2027, 1, 19)
        assert svc.calendar.dates() == {}  # the default cohort has none
        await one(telegram, "/herinnering 19:30", ANNA)
        await one(telegram, "/herinnering 19:30", BERT)
        await dispatch(app, AT_19_31)
        [anna_reminder] = await telegram.wait_for_messages(ANNA, timeout=20)
        [bert_reminder] = await telegram.wait_for_messages(BERT, timeout=20)
        assert "Nog 5 dagen tot lesdag 1." in anna_reminder["plain_text"]
        assert "Nog 12 dagen tot lesdag 1." in bert_reminder["plain_text"]

        # Trainer A sees only cohort A: overview, CSV, broadcast.
        table = await one(telegram, "/overzicht", TA)
        assert "Anna" in table["plain_text"] and "Bert" not in table["plain_text"]
        await telegram.press_button(TA, table["message_id"], find_button(table, "CSV"))
        await telegram.wait_for_messages(TA, timeout=20)
        [document] = telegram.documents(TA)
        rows = list(csv.reader(io.StringIO(document["data"].decode("utf-8-sig")), delimiter=";"))
        assert rows[0][-1] == "Groep"
        assert [(r[0], r[-1]) for r in rows[1:]] == [("Anna", "Voorjaar")]
        forged = await telegram.press_button(TA, table["message_id"], f"t:oc:{b}", force=True)
        await telegram.wait_for_request(
            "answerCallbackQuery",
            lambda r: r.params.get("callback_query_id") == forged["callback_query"]["id"])
        assert "niet van jou" in telegram.callback_answers()[-1].get("text", "")
        assert len(telegram.documents(TA)) == 1
        hidden = await one(telegram, "/overzicht Najaar", TA)
        assert "Ik ken geen groep" in hidden["plain_text"]

        preview = await one(telegram, "/bericht Denk aan opdracht 2!", TA)
        assert "gaat naar 1 deelnemers" in preview["plain_text"]
        send = find_button(preview, "Verstuur")
        assert send == f"t:send:{a}"
        forged = await telegram.press_button(TA, preview["message_id"], f"t:send:{b}",
                                             force=True)
        await telegram.wait_for_request(
            "answerCallbackQuery",
            lambda r: r.params.get("callback_query_id") == forged["callback_query"]["id"])
        await telegram.press_button(TA, preview["message_id"], send)
        [anna_msg] = await telegram.wait_for_messages(ANNA, timeout=20)
        assert "Denk aan opdracht 2!" in anna_msg["plain_text"]
        await telegram.wait_for_messages(TA, count=1, timeout=20)  # the report
        assert not [m for m in telegram.sent_messages(BERT) if "trainer" in m["plain_text"]]

        # Moving is a trainer action, only between cohorts the trainer may see.
        denied = await one(telegram, f"/verplaats {BERT} Voorjaar", TA)
        assert "Ik vind geen deelnemer" in denied["plain_text"]
        assert store.cohort_of(BERT).id == b
        moved = await one(telegram, f"/verplaats {BERT} Voorjaar", HEAD)
        assert 'Bert zit nu in groep "Voorjaar"' in moved["plain_text"]
        assert store.cohort_of(BERT).id == a
        assert "Nog 5 dagen tot lesdag 1." in svc.reminders.compose(BERT, AT_19_31)

        # The head trainer chooses a cohort (or all) and gets the progress picture.
        choose = await one(telegram, "/overzicht", HEAD)
        assert choose["plain_text"] == "Welke groep?"
        await telegram.press_button(HEAD, choose["message_id"],
                                    find_button(choose, "Alle groepen"))
        [table] = await telegram.wait_for_messages(HEAD, timeout=20)
        assert "Anna" in table["plain_text"] and "Bert" in table["plain_text"]
        await telegram.press_button(HEAD, table["message_id"], find_button(table, "Grafiek"))
        await telegram.wait_for_messages(HEAD, timeout=30)
        [picture] = telegram.documents(HEAD)
    assert picture["file_name"].endswith(".png")
    width, height = png_size(picture["data"])
    assert 300 <= width <= 2000 and 200 <= height <= 2000
    assert 5_000 < len(picture["data"]) < 1_000_000


async def test_groups_command_creates_and_lists(services: Services,
                                                telegram: FakeTelegramServer,
                                                cohorts: tuple[int, int]) -> None:
    async with running_bot(services, telegram, admin_ids=[HEAD, TA]):
        made = await one(telegram, "/groepen nieuw Najaar 2027", HEAD)
        assert 'Groep "Najaar 2027" gemaakt' in made["plain_text"]
        twice = await one(telegram, "/groepen nieuw najaar 2027", HEAD)
        assert "al een groep" in twice["plain_text"]
        only_head = await one(telegram, "/groepen nieuw Stiekem", TA)
        assert "zonder vaste groep" in only_head["plain_text"]
        listing = await one(telegram, "/groepen", TA)
        assert "Voorjaar" in listing["plain_text"] and "Najaar" not in listing["plain_text"]
        listing = await one(telegram, "/groepen", HEAD)
        for name in ("Standaard", "Voorjaar", "Najaar", "Najaar 2027"):
            assert name in listing["plain_text"]
    assert CohortStore(services.db).by_name("Stiekem") is None


def test_cohort_cli(services: Services, monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str]) -> None:
    cli_on(services.settings, monkeypatch)
    services.participants.touch(ANNA, ANNA, "Anna", "anna_b")
    assert cli.main(["groep", "nieuw", "Voorjaar", "2027"]) == 0
    assert cli.main(["groep", "new", "voorjaar  2027"]) == 1  # exists already
    assert cli.main(["groep", "trainer", str(TA), "Voorjaar", "2027"]) == 0
    assert cli.main(["groep", "verplaats", "@anna_b", "Voorjaar", "2027"]) == 0
    assert cli.main(["groep", "move", "999", "Voorjaar", "2027"]) == 1
    capsys.readouterr()
    assert cli.main(["groep", "list"]) == 0
    out = capsys.readouterr().out
    assert "Standaard (standaard)\t0 deelnemers" in out
    assert f"Voorjaar 2027\t1 deelnemers\ttrainers: {TA}" in out
    store = CohortStore(services.db)
    assert store.cohort_of(ANNA).name == "Voorjaar 2027"
    assert [c.name for c in store.visible(TA)] == ["Voorjaar 2027"]
    assert len(store.visible(HEAD)) == 2


async def test_invite_only_bot_admits_into_the_cohort(services: Services,
                                                      telegram: FakeTelegramServer,
                                                      cohorts: tuple[int, int]) -> None:
    """With INVITE_ONLY, a cohort link both admits the outsider and places them."""
    from bot.store.access import AccessStore

    a, _ = cohorts
    store = CohortStore(services.db)
    made = AccessStore(services.db).new_invite(dt.datetime(2027, 1, 1))
    store.attach_invite(made.id, a)
    async with running_bot(services, telegram, invite_only=True, admin_ids=[HEAD]):
        refused = await one(telegram, "/start", ANNA)
        assert store.cohort_of(ANNA).is_default and "Voorjaar" not in refused["plain_text"]
        joined = await ask(telegram, f"/start {made.code}", ANNA, "Anna", count=3)
        assert any('Je zit in groep "Voorjaar"' in m["plain_text"] for m in joined)
    participant = services.participants.get(ANNA)
    assert participant is not None and participant.authorized
    assert store.cohort_of(ANNA).id == a
