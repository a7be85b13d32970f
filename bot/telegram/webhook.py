"""The webhook server: validate, write the inbox, answer 200, then handle (PTB's custom-webhook
pattern, on tornado, which python-telegram-bot[webhooks] already brings).

PTB's built-in server answers 200 after putting the update on the queue, without a hook to store
it first, and compares the secret with ``!=``. This one:

* answers 403 unless ``X-Telegram-Bot-Api-Secret-Token`` matches (``hmac.compare_digest``);
* answers 400 for a body that is not UTF-8 JSON describing an update (never 500);
* claims the update in the inbox (bot.store.inbox) *before* answering 200: a replica that
  dies after the 200 leaves a pending row another replica takes over; an update that reaches
  two replicas is handled by the one whose claim wins;
* answers 200 for an update PTB cannot parse (recorded as skipped, logged once), so Telegram
  does not send the poison update again and again;
* answers 500 when the database cannot be written, so Telegram delivers the update again later.

All replicas sit behind one public URL. Only the leader (bot.store.leader) registers it, with
``max_connections=1``: Telegram then sends one update at a time and waits for the 200.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import TYPE_CHECKING, Any

import tornado.web
from tornado.httpserver import HTTPServer

from bot.store.inbox import Inbox
from bot.telegram.inbox import parse
from bot.telegram.request import clean_json

if TYPE_CHECKING:
    from telegram.ext import Application

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PATH = "/telegram"


class _UpdateHandler(tornado.web.RequestHandler):
    def initialize(self, bot_app: Application[Any, Any, Any, Any, Any, Any],
                   inbox: Inbox, secret: str) -> None:
        self.application_ = bot_app
        self.inbox = inbox
        self.secret = secret.encode()

    def _finish(self, status: int) -> None:
        self.set_status(status)
        self.finish()

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not self.secret or not hmac.compare_digest(given, self.secret):
            log.warning("webhook request without the right secret from %s refused",
                        self.request.remote_ip)
            return self._finish(403)
        try:
            raw = clean_json(json.loads(self.request.body.decode("utf-8")))  # lone surrogates
        except (UnicodeDecodeError, ValueError):
            return self._finish(400)
        if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
            return self._finish(400)
        bot = self.application_.bot
        try:
            update = await asyncio.to_thread(parse, raw, bot, self.inbox)
            claimed = update is not None and await asyncio.to_thread(
                self.inbox.claim, raw["update_id"], json.dumps(raw, ensure_ascii=False))
        except Exception:
            log.exception("could not store update %s; Telegram will send it again",
                          raw["update_id"])
            return self._finish(500)
        if claimed:
            await self.application_.update_queue.put(update)
        self._finish(200)

    def get(self) -> None:
        self._finish(405)


class WebhookServer:
    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], inbox: Inbox,
                 secret: str, listen: str, port: int) -> None:
        app = tornado.web.Application([(PATH, _UpdateHandler, {
            "bot_app": application, "inbox": inbox, "secret": secret})])
        self._server = HTTPServer(app, max_body_size=4 * 1024 * 1024)
        self.listen, self.port = listen, port

    def start(self) -> None:
        self._server.listen(self.port, address=self.listen)
        log.info("webhook server listening on %s:%s%s", self.listen, self.port, PATH)

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
