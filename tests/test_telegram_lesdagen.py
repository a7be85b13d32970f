"""End to end over the fake Bot API: the trainer sets the lesdagen, the participant sees them
with /lesdagen and in the answer to "wanneer moet opdracht 3 af?"."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from bot.services import Services
from tests.conftest import running_bot
from tests.fakes.telegram_server import FakeTelegramServer

TRAINER = 1
ANNA = 4242
NOW = dt.datetime(2027, 1, 7, 12, 0, tzinfo=dt.UTC)  # Thursday 7 January 2027
DATES = "12-01-2027 26-01-2027 09-02-2027 23-02-2027"


async def ask(tg: FakeTelegramServer, text: str, user: int,
              first_name: str = "Anna") -> dict[str, Any]:
    await tg.send_message(user, text, first_name=first_name)
    [msg] = await tg.wait_for_messages(user, timeout=30)
    return msg


async def test_participant_sees_the_trainers_dates(services: Services,
                                                   telegram: FakeTelegramServer) -> None:
    svc = dataclasses.replace(services, clock=lambda: NOW)
    async with running_bot(svc, telegram, admin_ids=[TRAINER]):
        await ask(telegram, "/start", ANNA)
        before = await ask(telegram, "/lesdagen", ANNA)
        assert "nog niet ingesteld" in before["plain_text"]
        assert "Lesdag 3: Samenwerken en relatiebeheer" in before["plain_text"]

        saved = await ask(telegram, f"/cursusdata {DATES}", TRAINER, "Trainer")
        assert "Lesdag 3: di 9 februari 2027" in saved["plain_text"]

        answer = await ask(telegram, "wanneer moet opdracht 3 af?", ANNA)
        text = answer["plain_text"]
        assert "Jouw lesdagen" in text
        assert "Lesdag 3: di 9 februari 2027" in text
        assert "Lesdag 4: di 23 februari 2027" in text
        assert "Opdracht 3: daaraan werk je na lesdag 3 (di 9 februari 2027); je bespreekt " \
               "hem op lesdag 4 (di 23 februari 2027)." in text
        assert "inleverdatum spreek je af met je trainer" in text
        assert "<b>Jouw lesdagen</b>" in answer["text"]  # Markdown rendered, no literal **

        listed = await ask(telegram, "/lesdagen", ANNA)
        assert "De volgende lesdag is lesdag 1: di 12 januari 2027, over 5 dagen." \
            in listed["plain_text"]
        assert "Lesdag 4: di 23 februari 2027 (over 47 dagen) – Pitch-training" \
            in listed["plain_text"]

        help_text = await ask(telegram, "/help", ANNA)
        assert "/lesdagen" in help_text["plain_text"]
        menu = {c["command"] for c in telegram.commands(language_code="nl")}
        assert "lesdagen" in menu
