"""No bot token or LLM key in any log line, traceback or operator message (issue 11, item 5).

The bot runs against the fake Bot API server with DEBUG logging (library loggers included), gets
a 401 from it, and an LLM endpoint that rejects the key and echoes it back. A raw handler sees
the records before redaction (proof that the secrets were really there to leak); the redacted
handler, like the real log, must not contain them. The CLI path is checked in a subprocess.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import os
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from telegram.error import InvalidToken

from bot import texts
from bot.redact import MASK, install_redaction, redact, set_secrets
from bot.services import Services
from bot.telegram.application import build_application
from tests.conftest import ROOT, running_bot
from tests.fakes.telegram_server import FakeTelegramServer

TOKEN = "987654321:AAHx7Qm3ZpV9kLw2Tn8Rb5Yc1Jd4Fe6Gh0S"
LLM_KEY = "sk-test-Z8fK2pQ9wX4mL7nR3tV6yB1cD5hJ0gSx"
USER = 6060


def secrets_in(text: str) -> list[str]:
    found = [s for s in (TOKEN, LLM_KEY, TOKEN.split(":")[1]) if s in text]
    return found + (["url-encoded token"] if TOKEN.replace(":", "%3A") in text else [])


@pytest.fixture
async def key_echoing_llm() -> AsyncIterator[str]:
    """An OpenAI-compatible endpoint that rejects every key and echoes it (like some gateways)."""

    async def completions(request: web.Request) -> web.Response:
        key = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return web.json_response({"error": {"message": f"Incorrect API key provided: {key}",
                                            "type": "invalid_request_error",
                                            "code": "invalid_api_key"}}, status=401)

    app = web.Application()
    app.router.add_post("/v1/chat/completions", completions)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
    await runner.cleanup()


@pytest.fixture
def captured_logs() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """(raw, redacted) log text of every logger at DEBUG, tracebacks included."""
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    raw_out, out = io.StringIO(), io.StringIO()
    fmt = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    handler = logging.StreamHandler(out)
    handler.setFormatter(fmt)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    noisy = {name: logging.getLogger(name).level
             for name in ("httpx", "httpcore", "telegram", "openai", "langchain", "aiohttp")}
    for name in noisy:
        logging.getLogger(name).setLevel(logging.DEBUG)
    hooks = sys.excepthook, threading.excepthook
    yield raw_out, out
    sys.excepthook, threading.excepthook = hooks
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    for name, level in noisy.items():
        logging.getLogger(name).setLevel(level)
    set_secrets([])


async def test_no_secret_in_debug_logs_tracebacks_or_llm_errors(
        services: Services, key_echoing_llm: str,
        captured_logs: tuple[io.StringIO, io.StringIO]) -> None:
    raw_out, out = captured_logs
    overrides = {"telegram_token": TOKEN, "llm_provider": "openai", "llm_model": "test",
                 "llm_base_url": key_echoing_llm, "llm_api_key": LLM_KEY, "log_level": "DEBUG"}
    install_redaction(services.settings.model_copy(update=overrides))
    raw = logging.StreamHandler(raw_out)  # before the redacting handler: sees the originals
    raw.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger().handlers.insert(0, raw)
    async with FakeTelegramServer(default_token=TOKEN) as tg:
        async with running_bot(services, tg, **overrides):
            await tg.send_message(USER, "Hoe ga ik om met weerstand van een collega?")
            [msg] = await tg.wait_for_messages(USER, timeout=60)
            assert "Bronnen" in msg["plain_text"]  # the LLM failed: the extractive answer
            tg.fail_next("sendMessage", error_code=500)  # an error in a handler
            await tg.send_message(USER, "/help")
            # A 5xx may have been delivered, so it is not repeated (ratelimit.proves_not_delivered):
            # one failed try, then the error handler logs it.
            await tg.wait_for_request("sendMessage", lambda r: r.status == 500)
            await asyncio.sleep(0.5)
        # A rejected token at start-up: PTB puts the token into the exception text.
        tg.fail_next("getMe", error_code=401, description="Unauthorized")
        settings = services.settings.model_copy(
            update={**overrides, "telegram_api_url": tg.api_root})
        app = build_application(settings, services)
        with pytest.raises(InvalidToken) as exc:
            await app.initialize()
        assert TOKEN in str(exc.value)
        logging.getLogger("bot.app").error("start-up failed: %s", exc.value, exc_info=exc.value)
    # The LLM error itself, with its traceback, as an operator debugging the key would log it.
    svc = dataclasses.replace(services, settings=services.settings.model_copy(update=overrides))
    assert svc.llm is not None
    try:
        await svc.llm.model.ainvoke("hoi")
    except Exception as llm_error:
        assert LLM_KEY in str(llm_error)  # the endpoint echoed the key
        logging.getLogger("bot.llm").warning("LLM call failed: %s", llm_error, exc_info=True)
    else:
        raise AssertionError("the key-echoing endpoint should have refused")
    raw_text, text = raw_out.getvalue(), out.getvalue()
    assert TOKEN in raw_text and LLM_KEY in raw_text  # they were there to leak
    assert "Traceback" in text and "rejected by the server" in text and MASK in text
    assert secrets_in(text) == []


def test_redact_catches_tokens_urls_and_passwords() -> None:
    set_secrets([TOKEN, LLM_KEY])
    try:
        line = redact(f"GET https://api.telegram.org/bot{TOKEN}/getMe key={LLM_KEY} "
                      f"{TOKEN.replace(':', '%3A')} postgresql://bot:hunter2@db/wijkwijs")
        assert secrets_in(line) == [] and "hunter2" not in line and "db/wijkwijs" in line
    finally:
        set_secrets([])
    # Also a token that is not configured (e.g. another bot's) is masked by its shape.
    other = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ww"
    assert "123456789:" not in redact(f"token {other}")
    assert redact(f"https://api.telegram.org/bot{other}/getMe") == \
        f"https://api.telegram.org/bot{MASK}/getMe"


async def test_cli_run_with_a_rejected_token_prints_one_line_without_it(
        tmp_path: Path, index_dir: Path, base_services: Services) -> None:
    """`wijkwijs run` at DEBUG against the fake server, which answers getMe with 401."""
    async with FakeTelegramServer(default_token=TOKEN) as tg:
        tg.fail_next("getMe", error_code=401, description="Unauthorized", times=5)
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKWIJS_")}
        env.update(PYTHONPATH=str(ROOT), WIJKWIJS_TELEGRAM_TOKEN=TOKEN,
                   WIJKWIJS_TELEGRAM_API_URL=tg.api_root, WIJKWIJS_LOG_LEVEL="DEBUG",
                   WIJKWIJS_DATA_DIR=str(index_dir), WIJKWIJS_KNOWLEDGE_DIR=str(ROOT / "knowledge"),
                   WIJKWIJS_PROMPTS_DIR=str(ROOT / "prompts"), WIJKWIJS_LLM_API_KEY=LLM_KEY,
                   WIJKWIJS_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=600)
        assert [r.method for r in tg.requests("getMe")]  # it really asked Telegram
    err = stderr.decode() + stdout.decode()
    assert proc.returncode == 2, err[-2000:]
    assert texts.CLI_TOKEN_REJECTED in err
    assert secrets_in(err) == []
