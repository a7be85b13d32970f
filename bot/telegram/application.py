"""The python-telegram-bot wiring: the Application, its handlers in order, polling or webhook.

Built from a `bot.services.Services` container; the only module the entry point (`bot.cli`)
needs from the Telegram layer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from telegram.ext import Application

from bot.services import Services
from bot.settings import Settings

log = logging.getLogger(__name__)


def build_application(
    settings: Settings, services: Services
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The python-telegram-bot Application with every handler registered."""
    from telegram import BotCommand, Update
    from telegram.ext import (
        Application,
        CallbackQueryHandler,
        CommandHandler,
        MessageHandler,
        TypeHandler,
        filters,
    )
    from telegram.request import HTTPXRequest

    from bot.store.inbox import Inbox
    from bot.store.leader import Leader
    from bot.store.outbox import Outbox
    from bot.telegram.assignments import AssignmentHandlers
    from bot.telegram.cohorts import CohortHandlers
    from bot.telegram.concurrency import PerUserUpdateProcessor
    from bot.telegram.errors import on_error
    from bot.telegram.guards import Guards
    from bot.telegram.inbox import InboxBot, bot_id_of, install_inbox_jobs, mark_done
    from bot.telegram.leadership import install_leader_job
    from bot.telegram.qa import CB_CASE, CB_FORGET, CB_MENU, CB_MORE, CB_RATE, QAHandlers
    from bot.telegram.quiz import register_quiz_handlers
    from bot.telegram.ratelimit import MessageRateLimiter
    from bot.telegram.reminders import ReminderHandlers, install_reminder_job
    from bot.telegram.request import CleaningRequest
    from bot.telegram.roleplay import RoleplayHandlers
    from bot.telegram.trainer import TrainerHandlers, set_trainer_commands

    guards = Guards(settings, services.participants, clock=services.clock)
    qa = QAHandlers(services, guards)
    assignment_handlers = AssignmentHandlers(services)
    reminder_handlers = ReminderHandlers(services)
    trainer_handlers = TrainerHandlers(services, guards)

    async def post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        me = await app.bot.get_me()
        guards.bot_username = me.username or ""
        commands = [BotCommand(c, d) for c, d in services.command_list()]
        await app.bot.set_my_commands(commands)
        await app.bot.set_my_commands(commands, language_code="nl")
        await set_trainer_commands(app.bot, settings.admin_ids, services.command_list())
        log.info("Wijkwijs is running as @%s", guards.bot_username)

    # Update inbox (claim before confirming, done after the handlers) and the leader
    # (reminders, webhook registration): bot.store.inbox, bot.store.leader, docs/reliability.md.
    bot_id = bot_id_of(settings.telegram_token)
    inbox = Inbox(services.db, bot_id,
                  lease=dt.timedelta(seconds=settings.inbox_lease_seconds))
    leader = Leader(services.db, bot_id)

    async def post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await asyncio.to_thread(leader.resign)
        services.close()

    bot = InboxBot(settings.telegram_token, base_url=settings.bot_base_url,
                   base_file_url=settings.bot_base_file_url,
                   # PTB's builder defaults: a pool for concurrent sends, one for getUpdates
                   # (which also cleans lone surrogates out of incoming updates).
                   request=HTTPXRequest(connection_pool_size=256),
                   get_updates_request=CleaningRequest(connection_pool_size=1),
                   rate_limiter=MessageRateLimiter(
                       overall_max_rate=settings.rate_limit_per_second, max_retries=3),
                   inbox=inbox)

    async def done(update: object) -> None:
        await mark_done(inbox, update)

    application = (
        Application.builder()
        .bot(bot)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .concurrent_updates(PerUserUpdateProcessor(on_done=done))
        .build()
    )
    application.bot_data[INBOX_KEY] = inbox
    application.bot_data[LEADER_KEY] = leader
    install_inbox_jobs(application, inbox)
    install_leader_job(application, leader, settings.leader_check_seconds)
    # Guards run first (negative groups).
    application.add_handler(TypeHandler(Update, guards.group_filter), group=-2)
    application.add_handler(TypeHandler(Update, guards.access), group=-1)

    application.add_handlers([
        CommandHandler("start", qa.start),
        CommandHandler("help", qa.help),
        CommandHandler("vraag", qa.vraag),
        CommandHandler("privacy", qa.privacy),
        CommandHandler("vergeet", qa.forget),
        CommandHandler("nieuw", qa.new_conversation),
        CallbackQueryHandler(qa.menu_ask, pattern=f"^{CB_MENU}:ask$"),
        CallbackQueryHandler(qa.more, pattern=f"^{CB_MORE}:"),
        CallbackQueryHandler(qa.whole_case, pattern=f"^{CB_CASE}:"),
        CallbackQueryHandler(qa.rate, pattern=f"^{CB_RATE}:"),
        CallbackQueryHandler(qa.forget_confirm, pattern=f"^{CB_FORGET}:"),
    ])
    register_quiz_handlers(application, services)  # its conversation sees answers first
    # Assignments, reminders, trainer ---------------------------------------------------------
    # Before the fallbacks: the "waiting for your answer/time" text handlers must see a message
    # before the Q&A text handler. Group 1: any other command ends such waiting.
    application.add_handlers([
        *assignment_handlers.handlers(),
        *reminder_handlers.handlers(),
        *trainer_handlers.handlers(),
        *CohortHandlers(services, guards).handlers(),
    ])
    application.add_handlers([*assignment_handlers.late_handlers(),
                              *reminder_handlers.late_handlers()], group=1)
    # Reminders: checked every minute (jobs are re-created at start-up; the due logic in the
    # database makes restarts safe). Tests reach it via bot.telegram.reminders.reminder_dispatcher.
    install_reminder_job(application, services, leader=leader,
                         outbox=Outbox(services.db, owner=inbox.owner))
    # End of assignments, reminders, trainer ---------------------------------------------------
    if services.roleplay is not None:  # after the "waiting for text" handlers, before Q&A text
        application.add_handlers(RoleplayHandlers(services.roleplay).handlers())

    application.add_handlers([
        MessageHandler(filters.COMMAND, qa.unknown_command),
        MessageHandler(filters.TEXT, qa.text),  # in groups Guards.group_filter ran first
        MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL, qa.unsupported),
        CallbackQueryHandler(qa.stale_button),
    ])  # same group as the features, added last: only what nothing else took
    application.add_error_handler(on_error)
    return application


INBOX_KEY = "inbox"
LEADER_KEY = "leader"


def run_bot(settings: Settings, services: Services) -> None:
    """Start polling, or a webhook server when WIJKWIJS_WEBHOOK_URL is set."""
    from telegram import Update

    application = build_application(settings, services)
    if settings.webhook_url:
        asyncio.run(serve_webhook(settings, application))
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)


async def serve_webhook(settings: Settings,
                        application: Application[Any, Any, Any, Any, Any, Any],
                        stop: asyncio.Event | None = None) -> None:
    """PTB's custom-webhook pattern: our server (bot.telegram.webhook) writes the inbox before
    answering 200 and feeds ``application.update_queue``. Every replica serves; only the leader
    registers the webhook (all replicas sit behind the one public URL)."""
    import signal

    from telegram import Update

    from bot.telegram.leadership import on_lead
    from bot.telegram.webhook import PATH, WebhookServer

    async def register() -> None:
        await application.bot.set_webhook(
            f"{settings.webhook_url}{PATH}", secret_token=settings.webhook_secret or None,
            allowed_updates=Update.ALL_TYPES, max_connections=1, drop_pending_updates=False)
        log.info("webhook registered (this process is the leader)")

    on_lead(application, register)
    server = WebhookServer(application, application.bot_data[INBOX_KEY],
                           settings.webhook_secret, settings.webhook_listen, settings.webhook_port)
    if stop is None:  # run_bot: stop on Ctrl-C / SIGTERM
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        server.start()
        try:
            await stop.wait()
        finally:
            await server.stop()
            await application.stop()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)
