"""End to end with an LLM: the real Application against the fake Bot API and OpenAI servers.

Streaming shows drafts (sendMessageDraft) in a private chat and one edited message in a group;
failures of the model end in the normal offline answer; rejected markup is resent as plain text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.services import Services
from bot.telegram import qa
from bot.telegram.render import render_answer
from tests.conftest import running_bot
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.telegram_server import FakeTelegramServer, find_button, parse_html

USER = 5151
GROUP = -100777
QUESTION = "Hoe ga ik om met weerstand van een collega?"
REPLY = ("Neem de zorgen van je collega serieus en luister eerst [1]. Vat samen wat je hoort "
         "en vraag door naar wat er achter het bezwaar zit [2]. Stel dan samen een **kleine "
         "eerste stap** voor, zodat je collega kan meedoen zonder alles meteen te veranderen [1].")


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAIServer]:
    async with FakeOpenAIServer(REPLY, chunk_size=8, chunk_delay=0.03) as server:
        yield server


@pytest.fixture(autouse=True)
def fast_previews(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qa, "DRAFT_INTERVAL", 0.1)
    monkeypatch.setattr(qa, "EDIT_INTERVAL", 0.1)


def llm_settings(llm: FakeOpenAIServer, **extra: Any) -> dict[str, Any]:
    return {"llm_provider": "openai", "llm_base_url": f"{llm.url}/v1", "llm_model": "test",
            **extra}


async def test_private_chat_streams_drafts_then_sends_the_answer(
        services: Services, telegram: FakeTelegramServer, llm: FakeOpenAIServer) -> None:
    async with running_bot(services, telegram, **llm_settings(llm)):
        await telegram.send_message(USER, QUESTION)
        [msg] = await telegram.wait_for_messages(USER, timeout=30)
        drafts = telegram.drafts(USER)
        assert len(drafts) >= 2
        assert len({d["draft_id"] for d in drafts}) == 1 and drafts[0]["draft_id"] != 0
        assert all(d["parse_mode"] == "HTML" for d in drafts)
        assert drafts[0]["text"].startswith("Neem de zorgen")
        assert len(drafts[-1]["text"]) > len(drafts[0]["text"])
        text = msg["plain_text"]
        assert text.startswith("Neem de zorgen") and "kleine eerste stap" in text
        assert "**" not in text and "<b>kleine eerste stap</b>" in msg["text"]
        assert "Bronnen" in text and find_button(msg, "Meer hierover")
        assert llm.requests[-1]["stream"] is True
        # The follow-up history was stored; /nieuw clears it and confirms in Dutch.
        assert services.participants.get_state(USER, "history")
        await telegram.send_message(USER, "/nieuw")
        [confirm] = await telegram.wait_for_messages(USER, timeout=30)
        assert "opnieuw" in confirm["plain_text"]
        assert services.participants.get_state(USER, "history") is None
        commands = {c["command"] for c in telegram.commands(language_code="nl")}
        assert "nieuw" in commands


async def test_group_streams_by_editing_one_message(
        services: Services, telegram: FakeTelegramServer, llm: FakeOpenAIServer) -> None:
    async with running_bot(services, telegram, **llm_settings(llm)):
        await telegram.send_message(USER, f"@wijkwijs_test_bot {QUESTION}", chat_id=GROUP,
                                    chat_type="group")
        await telegram.wait_for_request(
            "editMessageText", lambda r: "reply_markup" in r.params, timeout=30)
        [msg] = telegram.sent_messages(GROUP)
        assert msg["edited"] and len(msg["edits"]) >= 2  # interim edits, then the final one
        assert msg["edits"][0]["text"].startswith("Neem de zorgen")
        assert "Bronnen" in msg["plain_text"] and find_button(msg, "Meer hierover")
        assert telegram.drafts(GROUP) == []


async def test_stream_breaking_midway_in_a_group_ends_with_the_offline_answer(
        services: Services, telegram: FakeTelegramServer, llm: FakeOpenAIServer) -> None:
    offline = services.answers.ask(QUESTION)
    llm.reply(REPLY, abort_after=12, chunk_delay=0.05)
    async with running_bot(services, telegram, **llm_settings(llm)):
        await telegram.send_message(USER, f"@wijkwijs_test_bot {QUESTION}", chat_id=GROUP,
                                    chat_type="group")
        await telegram.wait_for_request(
            "editMessageText", lambda r: "reply_markup" in r.params, timeout=30)
        [msg] = telegram.sent_messages(GROUP)
        assert any(e["text"].startswith("Neem de zorgen") for e in msg["edits"])  # streamed
        assert msg["plain_text"] == parse_html(render_answer(offline))  # then replaced


async def test_model_failures_still_give_the_normal_answer(
        services: Services, telegram: FakeTelegramServer, llm: FakeOpenAIServer) -> None:
    offline = services.answers.ask(QUESTION)
    llm.reply(status=500)
    llm.reply("te laat [1]", delay=1.5)
    async with running_bot(services, telegram, **llm_settings(llm, llm_timeout=0.5)):
        for user in (USER, USER + 1):  # 500, then a time-out (separate users: no rewrite)
            await telegram.send_message(user, QUESTION)
            [msg] = await telegram.wait_for_messages(user, timeout=30)
            assert msg["plain_text"] == parse_html(render_answer(offline))  # as offline
            assert "Bronnen" in msg["plain_text"] and find_button(msg, "Meer hierover")
            assert telegram.drafts(user) == []
    assert not llm.replies


async def test_rejected_markup_is_resent_as_plain_text(
        services: Services, telegram: FakeTelegramServer, llm: FakeOpenAIServer) -> None:
    async with running_bot(services, telegram, **llm_settings(llm)):
        telegram.fail_next("sendMessage",
                           description="Bad Request: can't parse entities: unsupported tag")
        await telegram.send_message(USER, QUESTION)
        [msg] = await telegram.wait_for_messages(USER, timeout=30)
        assert msg["parse_mode"] is None
        assert "kleine eerste stap" in msg["plain_text"] and "<b>" not in msg["text"]
        assert "Bronnen" in msg["plain_text"] and find_button(msg, "Meer hierover")


async def test_nieuw_works_offline(services: Services, telegram: FakeTelegramServer) -> None:
    services.participants.set_state(USER, "history", [{"q": "oud", "a": "antwoord"}])
    async with running_bot(services, telegram):
        await telegram.send_message(USER, "/nieuw")
        [msg] = await telegram.wait_for_messages(USER, timeout=30)
        assert "opnieuw" in msg["plain_text"]
    assert services.participants.get_state(USER, "history") is None
