"""Security (issue 11): webhook secret, invite brute force, late buttons, /vergeet, flood, drafts,
lone surrogates. End to end through the fake Bot API server where it is a Telegram behaviour."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from bot import texts as ui_texts
from bot.sanitize import clean_text
from bot.services import Services
from bot.settings import Settings, SettingsError, load_settings
from bot.store.access import AccessStore, ThrottlePolicy
from bot.telegram import qa
from bot.telegram.request import CleaningRequest
from tests.conftest import ROOT, cli_on, running_bot
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.telegram_server import FakeTelegramServer, find_button
from tests.pgtest import MakeDb

USER = 7001
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class FakeClock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


async def ask(tg: FakeTelegramServer, text: str, user: int = USER, count: int = 1,
              **kwargs: Any) -> list[Any]:
    await tg.send_message(user, text, **kwargs)
    return await tg.wait_for_messages(user, count=count, timeout=30)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKWIJS_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


# Item 1: webhook secret ------------------------------------------------------------------------
@pytest.mark.parametrize("secret", [None, "kort", "x" * 31, "a" * 40 + "!", "b" * 257])
def test_webhook_mode_refuses_to_start_without_an_adequate_secret(
        tmp_path: Path, secret: str | None) -> None:
    env = clean_env(WIJKWIJS_TELEGRAM_TOKEN="123:ABC", WIJKWIJS_DATA_DIR=str(tmp_path / "d"),
                    WIJKWIJS_WEBHOOK_URL="https://bot.example.org")
    if secret is not None:
        env["WIJKWIJS_WEBHOOK_SECRET"] = secret
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "run"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "WIJKWIJS_WEBHOOK_SECRET" in lines[0] and "32" in lines[0]
    assert not (tmp_path / "d").exists()  # refused before anything was built


def test_webhook_secret_of_telegrams_alphabet_is_accepted() -> None:
    ok = "Ab9_-" * 7
    s = load_settings(_env_file=None, webhook_url="https://x.org", webhook_secret=ok)
    assert s.webhook_secret == ok
    assert load_settings(_env_file=None).webhook_secret == ""  # polling needs none
    with pytest.raises(SettingsError, match="WIJKWIJS_WEBHOOK_SECRET"):
        load_settings(_env_file=None, webhook_secret="kort")  # set but weak: refused too


# Item 4: invite brute force ----------------------------------------------------------------
def new_invite_code(settings: Settings, monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    """`wijkwijs invite new` on the bot's own database (SQLite or PostgreSQL)."""
    cli_on(settings, monkeypatch)
    assert cli.main(["invite", "new", "--bot", "wijkwijs_test_bot", *extra]) == 0
    out = capsys.readouterr().out
    code = out.split("Uitnodigingscode: ", 1)[1].split()[0]
    assert f"https://t.me/wijkwijs_test_bot?start={code}" in out
    return code


async def test_invite_new_asks_telegram_for_the_bot_name(tmp_path: Path) -> None:
    async with FakeTelegramServer(default_token="123:ABC") as tg:
        env = clean_env(WIJKWIJS_TELEGRAM_TOKEN="123:ABC", WIJKWIJS_TELEGRAM_API_URL=tg.api_root,
                        WIJKWIJS_DATA_DIR=str(tmp_path / "d"))
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "invite", "new", "--days", "14", cwd=tmp_path,
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, err.decode()
    text = out.decode()
    code = text.split("Uitnodigingscode: ", 1)[1].split()[0]
    assert f"https://t.me/wijkwijs_test_bot?start={code}" in text
    assert "WIJKWIJS_INVITE_ONLY" in err.decode()  # the bot is still open: say so
    listing = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "invite", "list", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE)
    listed = (await asyncio.wait_for(listing.communicate(), timeout=120))[0].decode()
    assert "geldig" in listed and code not in listed


async def test_invite_brute_force_is_locked_out_then_the_right_code_works(
        services: Services, telegram: FakeTelegramServer, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    code = new_invite_code(services.settings, monkeypatch, capsys)
    assert len(code) >= 22  # 128 random bits
    with services.db.engine.connect() as conn:
        stored = conn.exec_driver_sql("select code_hash from invite_codes").scalar()
    assert stored and code not in stored  # only the hash is stored
    clock = FakeClock()
    svc = dataclasses.replace(services, clock=clock)
    async with running_bot(svc, telegram, invite_only=True):
        for i in range(300):
            await telegram.send_message(USER, f"/start raad{i:04d}", first_name="Aanvaller")
        await telegram.send_message(USER, f"/start {code}", first_name="Aanvaller")
        await telegram.send_message(USER, "hallo?", first_name="Aanvaller")
        msgs = await telegram.wait_for_messages(USER, count=6, timeout=120)
        wrong = [m for m in msgs if "klopt niet" in m["plain_text"]]
        locked = [m for m in msgs if "Te veel verkeerde codes" in m["plain_text"]]
        assert len(wrong) == 4 and len(locked) == 1  # 5 codes checked, 296 not
        assert "30 seconden" in locked[0]["plain_text"]
        assert "alleen voor deelnemers" in msgs[-1]["plain_text"]  # the right code did not count
        assert not any("aangemeld" in m["plain_text"] for m in msgs)
        with services.db.engine.connect() as conn:
            assert conn.exec_driver_sql("select count(*) from participants").scalar() == 0
            failures = conn.exec_driver_sql(
                f"select failures from access_throttle where key = 'u:{USER}'").scalar()
        assert failures == 5
        clock.advance(31)
        joined, welcome = await ask(telegram, f"/start {code}", count=2)
        assert "aangemeld" in joined["plain_text"] and "Wijkwijs" in welcome["plain_text"]
        [answer] = await ask(telegram, "wat is netwerken?")
        assert "Bronnen" in answer["plain_text"]


def test_global_limit_and_growing_delay(make_db: MakeDb) -> None:
    db = make_db()
    store = AccessStore(db)
    now = dt.datetime(2026, 11, 2, 9, 0)
    invite = store.new_invite(now, valid_for=dt.timedelta(days=1))
    user = ThrottlePolicy(free=3, delay=10, max_delay=40)
    everyone = ThrottlePolicy(free=10, delay=60, max_delay=600)

    def attempt(uid: int, code: str) -> Any:
        return store.try_invite(uid, code, now, static_code="bieb2026", user_policy=user,
                                global_policy=everyone)

    # Per user: 3 free misses, then 10 s, 20 s, 40 s, 40 s (cap).
    waits = []
    for _ in range(6):
        result = attempt(1, "fout")
        waits.append(result.wait.total_seconds())
        now += result.wait
    assert waits == [0, 0, 10, 20, 40, 40]
    # Everyone: the 10th miss overall locks every user, even with the right code.
    for uid in range(100, 104):
        assert attempt(uid, "fout").status == "wrong"
    locked = attempt(200, invite.code)
    assert locked.status == "locked" and locked.wait > dt.timedelta(0)
    now += locked.wait
    assert attempt(200, invite.code).status == "ok"
    assert attempt(201, "bieb2026").status == "ok"  # WIJKWIJS_INVITE_CODE keeps working
    now += dt.timedelta(days=2)
    assert attempt(202, invite.code).status == "wrong"  # expired
    db.close()


# Item 6: late button presses ------------------------------------------------------------------
async def test_late_button_press_still_does_the_action(
        services: Services, telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        [msg] = await ask(telegram, "Hoe ga ik om met weerstand van een collega?")
        telegram.fail_next("answerCallbackQuery", description=TOO_OLD, times=10)
        await telegram.press_button(USER, msg["message_id"], find_button(msg, "Meer hierover"))
        [section] = await telegram.wait_for_messages(USER, timeout=20)
        assert section["plain_text"].startswith("📖")
        [confirm] = await ask(telegram, "/vergeet")
        await telegram.press_button(USER, confirm["message_id"], find_button(confirm, "Ja"))
        await telegram.wait_for_request("editMessageText")
        assert not any("iets mis" in m["plain_text"] for m in telegram.sent_messages(USER))
        failed = [r for r in telegram.requests("answerCallbackQuery") if r.status == 400]
        assert len(failed) == 2
    with services.db.engine.connect() as conn:
        assert conn.exec_driver_sql("select count(*) from questions").scalar() == 0


# Item 7: /vergeet ------------------------------------------------------------------------------
async def test_forget_keeps_membership_and_leaves_no_text_on_disk(
        services: Services, telegram: FakeTelegramServer) -> None:
    marker = "zebrapadwijkschouwvraag"
    async with running_bot(services, telegram, invite_code="bieb2026"):
        await ask(telegram, "/start bieb2026", count=2, first_name="Fien")
        await ask(telegram, f"wat is een wijkschouw {marker}?", first_name="Fien")
        [privacy] = await ask(telegram, "/privacy")
        postgres = services.db.engine.dialect.name == "postgresql"  # the PostgreSQL test pass
        assert ("VACUUM" if postgres else "tijdelijke databasebestanden") in privacy["plain_text"]
        [confirm] = await ask(telegram, "/vergeet")
        await telegram.press_button(USER, confirm["message_id"], find_button(confirm, "Ja"))
        req = await telegram.wait_for_request("editMessageText")
        assert "blijft aangemeld" in str(req.params.get("text"))
        db_file = services.settings.data_dir / "wijkwijs.db"
        for path in (db_file, db_file.with_name("wijkwijs.db-wal")):
            if path.exists():
                data = path.read_bytes()
                assert marker.encode() not in data and b"Fien" not in data, path
        with services.db.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "select first_name, chat_id, authorized from participants").fetchall()
        assert rows == [("", None, 1)]
        [answer] = await ask(telegram, "wat is netwerken?")
        assert "Bronnen" in answer["plain_text"]  # not locked out


# Item 9: flood, outsiders, drafts, surrogates ----------------------------------------------
async def test_commands_are_flood_limited_and_others_are_served(
        services: Services, telegram: FakeTelegramServer) -> None:
    frozen = dataclasses.replace(services, clock=FakeClock())
    async with running_bot(frozen, telegram, updates_per_minute=5):
        for _ in range(40):
            await telegram.send_message(USER, "/help")
        [other] = await ask(telegram, "/help", user=USER + 1)
        assert "Zo werkt" in other["plain_text"]
        await telegram.send_message(USER, "/privacy")  # still over the limit: dropped
        await telegram.wait_for_messages(USER, count=6, timeout=60)
        for _ in range(100):  # until the bot has fetched everything, then a little longer
            if not telegram.pending_updates():
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
        msgs = telegram.sent_messages(USER)
        assert sum("Zo werkt" in m["plain_text"] for m in msgs) == 5
        assert sum("Rustig aan" in m["plain_text"] for m in msgs) == 1
        assert len(msgs) == 6


async def test_300_help_commands_in_a_burst_get_the_default_budget(
        services: Services, telegram: FakeTelegramServer) -> None:
    """The issue's case: 300 /help in a few seconds got 300 replies."""
    limit = services.settings.updates_per_minute
    frozen = dataclasses.replace(services, clock=FakeClock())  # a slow machine stays in 1 window
    async with running_bot(frozen, telegram):
        for _ in range(300):
            await telegram.send_message(USER, "/help")
        await telegram.wait_for_messages(USER, count=limit + 1, timeout=120)
        for _ in range(300):
            if not telegram.pending_updates():
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
    msgs = telegram.sent_messages(USER)
    assert sum("Zo werkt" in m["plain_text"] for m in msgs) == limit == 60
    assert len(msgs) == limit + 1 and "Rustig aan" in msgs[-1]["plain_text"]


def test_flood_window_is_shared_by_replicas(make_db: MakeDb) -> None:
    db_a = make_db()
    db_b = make_db(upgrade=False)  # a second process on the same database
    a, b = AccessStore(db_a), AccessStore(db_b)
    now = dt.datetime(2026, 11, 2, 9, 0)
    window = dt.timedelta(minutes=1)
    allowed = [(a if i % 2 else b).flood_hit(1, "update", 10, window, now)[0] for i in range(30)]
    assert sum(allowed) == 10
    assert a.flood_hit(1, "update", 10, window, now + window)[0]  # a new window


async def test_outsiders_names_are_not_stored(services: Services,
                                              telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram, invite_only=True):
        [msg] = await ask(telegram, "hoi", first_name="Geheimenaam", username="geheim_handle")
        assert "alleen voor deelnemers" in msg["plain_text"]
        await telegram.send_message(USER, "nog eens", first_name="Geheimenaam")
        await ask(telegram, "/start", user=USER + 1)  # refused too: the bot is working
        await asyncio.sleep(0.5)
        assert len(telegram.sent_messages(USER)) == 1  # refused once
    with services.db.engine.connect() as conn:
        assert conn.exec_driver_sql("select count(*) from participants").scalar() == 0
    db_file = services.settings.data_dir / "wijkwijs.db"
    data = b"".join(p.read_bytes() for p in (db_file, db_file.with_name("wijkwijs.db-wal"))
                    if p.exists())  # SQLite; on PostgreSQL the row count above is the check
    assert b"Geheimenaam" not in data and b"geheim_handle" not in data


async def test_failing_draft_falls_back_to_a_message_after_the_first_failure(
        services: Services, telegram: FakeTelegramServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qa, "DRAFT_INTERVAL", 0.1)
    reply = ("Neem de zorgen van je collega serieus en luister eerst [1]. Vat samen wat je "
             "hoort en vraag door naar wat er achter het bezwaar zit [2].")
    async with FakeOpenAIServer(reply, chunk_size=8, chunk_delay=0.03) as llm:
        telegram.fail_next("sendMessageDraft", error_code=502, times=100)
        async with running_bot(services, telegram, llm_provider="openai", llm_model="test",
                               llm_base_url=f"{llm.url}/v1"):
            [msg] = await ask(telegram, "Hoe ga ik om met weerstand van een collega?")
    assert msg["plain_text"].startswith("Neem de zorgen") and "Bronnen" in msg["plain_text"]
    drafts = telegram.requests("sendMessageDraft")
    assert [r.status for r in drafts] == [502]  # no retries, no further drafts


async def test_lone_surrogate_in_a_question_is_cleaned(services: Services,
                                                       telegram: FakeTelegramServer) -> None:
    async with running_bot(services, telegram):
        [msg] = await ask(telegram, "wat is netwerken \ud800 in de wijk?")
        assert "Bronnen" in msg["plain_text"]
        [msg] = await ask(telegram, "\udcff\udcfe?")  # no words left: a clear message
        assert msg["plain_text"] == ui_texts.NO_WORDS  # no apology for an error
        [msg] = await ask(telegram, "\x00\x01 \x7f")
        assert "leeg" in msg["plain_text"]
    with services.db.engine.connect() as conn:
        questions = list(conn.exec_driver_sql("select question from questions").scalars())
    assert questions == ["wat is netwerken \ufffd in de wijk?"]


async def test_lone_surrogate_in_a_roleplay_reply_is_cleaned_on_arrival(
        services: Services, telegram: FakeTelegramServer) -> None:
    """Not only questions: every update is cleaned when it is parsed (polling)."""
    from tests.test_telegram_roleplay import USER as RP_USER
    from tests.test_telegram_roleplay import start_scenario

    async with running_bot(services, telegram):
        await start_scenario(telegram, "collega-veranderingsmoe")
        await telegram.send_message(RP_USER, "Ik hoor dat je moe bent \ud800. Wat maakt het zwaar?")
        [persona] = await telegram.wait_for_messages(RP_USER, timeout=30)
        assert persona["plain_text"].startswith("🎭"), persona["plain_text"]
    with services.db.engine.connect() as conn:
        state = conn.exec_driver_sql("select state from roleplay_sessions").scalar()
    assert "\\ud800" not in str(state) and "\ud800" not in str(state)


def test_clean_text() -> None:
    assert clean_text("a\ud800b") == "a\ufffdb"
    assert clean_text("x\ud83d\ude00y") == "x😀y"  # a split pair is joined again
    assert clean_text("n\x00u\x07l\tl\n") == "nul\tl\n"
    payload = b'{"ok": true, "result": [{"text": "a\\ud800b \\ud83d\\ude00", "n": [1, "\\udfff"]}]}'
    parsed = CleaningRequest(connection_pool_size=1).parse_json_payload(payload)
    assert parsed["result"] == [{"text": "a\ufffdb 😀", "n": [1, "\ufffd"]}]
