"""A fake OpenAI-compatible chat completions server for tests (no real model anywhere).

The real LangChain client (`ChatOpenAI`) talks HTTP to it on 127.0.0.1::

    async with FakeOpenAIServer() as llm:
        llm.reply("Een antwoord [1].")                 # scripted replies, first in first out
        llm.reply(status=500)                           # an HTTP error
        llm.reply("te laat", delay=5)                   # for time-out tests
        ... ChatOpenAI(base_url=f"{llm.url}/v1", ...) ...
        llm.requests[-1]["messages"]                    # what the client sent

``POST /v1/chat/completions`` answers non-streaming requests with one JSON completion and
streaming ones (``"stream": true``) with SSE chunks ``data: {...}\\n\\n`` ending in
``data: [DONE]``. When the queue is empty, ``default`` (a string, or a function of the request
body) gives the reply. ``busy_seconds`` sums the time spent answering (delays included), so a
benchmark can subtract the "model time".
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from aiohttp import web

JSONDict = dict[str, Any]


@dataclass
class Scripted:
    content: str = ""
    status: int = 200
    delay: float = 0.0
    """Seconds before the response starts (for time-out tests)."""
    chunk_delay: float = 0.0
    """Seconds between streamed chunks."""
    raw: str | None = None
    """Send this body as-is instead of a well-formed completion (malformed replies)."""
    abort_after: int | None = None
    """Streaming only: drop the connection after this many content chunks."""


def split_tokens(text: str, size: int = 6) -> list[str]:
    """Small pieces like a model's tokens (whitespace kept)."""
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


class FakeOpenAIServer:
    def __init__(self, default: str | Callable[[JSONDict], str] = "Volgens de bron [1].",
                 *, chunk_size: int = 6, chunk_delay: float = 0.0) -> None:
        self.default = default
        self.chunk_size = chunk_size
        self.chunk_delay = chunk_delay
        self.replies: deque[Scripted] = deque()
        self.requests: list[JSONDict] = []
        self.busy_seconds = 0.0
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._n = 0

    # Scripting ---------------------------------------------------------------------------------
    def reply(self, content: str = "", *, status: int = 200, delay: float = 0.0,
              chunk_delay: float | None = None, raw: str | None = None,
              abort_after: int | None = None) -> None:
        self.replies.append(Scripted(content, status, delay,
                                     self.chunk_delay if chunk_delay is None else chunk_delay,
                                     raw, abort_after))

    def messages(self, index: int = -1) -> list[JSONDict]:
        return list(self.requests[index]["messages"])

    def text(self, index: int = -1) -> str:
        """All message contents of one request, joined (for 'the prompt contains' checks)."""
        return "\n".join(str(m.get("content", "")) for m in self.messages(index))

    # Lifecycle ---------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``; the OpenAI base URL is ``{url}/v1``."""
        if self._port is None:
            raise RuntimeError("FakeOpenAIServer is not started")
        return f"http://127.0.0.1:{self._port}"

    # Handler -----------------------------------------------------------------------------------
    def _next(self, body: JSONDict) -> Scripted:
        if self.replies:
            return self.replies.popleft()
        content = self.default(body) if callable(self.default) else self.default
        return Scripted(content, chunk_delay=self.chunk_delay)

    def _base(self, body: JSONDict, obj: str) -> JSONDict:
        return {"id": f"chatcmpl-{self._n}", "object": obj, "created": int(time.time()),
                "model": str(body.get("model", "fake"))}

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        try:
            body: JSONDict = await request.json()
            self.requests.append(body)
            self._n += 1
            script = self._next(body)
            if script.delay:
                await asyncio.sleep(script.delay)
            if script.status != 200:
                return web.json_response(
                    {"error": {"message": "injected failure", "type": "server_error",
                               "code": script.status}}, status=script.status)
            if script.raw is not None:
                return web.Response(text=script.raw, content_type="application/json")
            if body.get("stream"):
                return await self._stream(request, body, script)
            return web.json_response({
                **self._base(body, "chat.completion"),
                "choices": [{"index": 0, "finish_reason": "stop", "message": {
                    "role": "assistant", "content": script.content}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })
        finally:
            self.busy_seconds += time.perf_counter() - started

    async def _stream(self, request: web.Request, body: JSONDict,
                      script: Scripted) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                               "Cache-Control": "no-cache"})
        await response.prepare(request)

        async def send(delta: JSONDict, finish: str | None = None) -> None:
            chunk = {**self._base(body, "chat.completion.chunk"),
                     "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())

        await send({"role": "assistant", "content": ""})
        for n, piece in enumerate(split_tokens(script.content, self.chunk_size)):
            if script.abort_after is not None and n >= script.abort_after:
                if request.transport is not None:
                    request.transport.abort()  # the connection drops mid-answer
                return response
            if script.chunk_delay:
                await asyncio.sleep(script.chunk_delay)
            await send({"content": piece})
        await send({}, finish="stop")
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response
