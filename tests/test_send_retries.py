"""A send that may have reached Telegram is never repeated; one that provably did not is."""

from __future__ import annotations

import contextlib
from typing import Any

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.telegram.ratelimit import MessageRateLimiter, proves_not_delivered


def caused(exc: Exception, cause: BaseException) -> Exception:
    exc.__cause__ = cause
    return exc


REQUEST = httpx.Request("POST", "http://x")
MAYBE_DELIVERED = [
    caused(TimedOut(), httpx.ReadTimeout("read", request=REQUEST)),
    caused(TimedOut(), httpx.WriteTimeout("write", request=REQUEST)),
    caused(NetworkError("httpx.RemoteProtocolError: x"),
           httpx.RemoteProtocolError("x", request=REQUEST)),
    NetworkError("Bad Gateway"),
]
NOT_DELIVERED = [
    BadRequest("Chat not found"), Forbidden("bot was blocked by the user"), RetryAfter(3),
    caused(NetworkError("httpx.ConnectError: refused"), httpx.ConnectError("refused")),
    caused(TimedOut(), httpx.ConnectTimeout("connect")),
    caused(TimedOut("Pool timeout: all connections busy"), httpx.PoolTimeout("pool")),
]


@pytest.mark.parametrize("exc", MAYBE_DELIVERED, ids=repr)
def test_maybe_delivered(exc: Exception) -> None:
    assert proves_not_delivered(exc) is False


@pytest.mark.parametrize("exc", NOT_DELIVERED, ids=repr)
def test_not_delivered(exc: Exception) -> None:
    assert proves_not_delivered(exc) is True


async def _call(limiter: MessageRateLimiter, endpoint: str, errors: list[Exception]) -> int:
    calls = 0

    async def callback(*_a: Any, **_k: Any) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if errors:
            raise errors.pop(0)
        return {"ok": True}

    with contextlib.suppress(TimedOut, NetworkError):  # the final error is expected here
        await limiter.process_request(callback, (), {}, endpoint, {"chat_id": 1}, None)
    return calls


async def test_rate_limiter_does_not_repeat_a_timed_out_send(
        monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_sleep(_s: float) -> None:
        return None

    monkeypatch.setattr("bot.telegram.ratelimit.asyncio.sleep", no_sleep)
    limiter = MessageRateLimiter(overall_max_rate=1000, max_retries=3)
    await limiter.initialize()
    timeout = caused(TimedOut(), httpx.ReadTimeout("read", request=REQUEST))
    assert await _call(limiter, "sendMessage", [timeout]) == 1  # may have been delivered
    refused = caused(NetworkError("httpx.ConnectError: x"), httpx.ConnectError("x"))
    assert await _call(limiter, "sendMessage", [refused]) == 2  # never left: sent again
    # Idempotent calls (edits) are still retried after a time-out.
    timeout = caused(TimedOut(), httpx.ReadTimeout("read", request=REQUEST))
    assert await _call(limiter, "editMessageText", [timeout]) == 2
