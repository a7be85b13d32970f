"""The python-telegram-bot wiring: the Application, its handlers in order, polling or webhook.

Built from a `bot.services.Services` container; the only module the entry point (`bot.cli`)
needs from the Telegram layer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from telegram import Bot
from telegram.ext import Application

from bot import features
from bot.features import Catalog
from bot.services import Services
from bot.settings import Settings
from bot.telegram.common import WATCH_GROUP, TelegramFeature
from bot.telegram.guards import Guards

log = logging.getLogger(__name__)


def telegram_features(settings: Settings, services: Services, guards: Guards,
                      catalog: Catalog) -> list[TelegramFeature]:
    """Every feature's Telegram side, IN HANDLER ORDER (group 0): the first handler that
    takes an update wins. Q&A commands and buttons first; the practice-question conversation
    before the "waiting for text" handlers of assignments and reminders; role-play after them;
    the Q&A catch-alls (`TelegramFeature.last`) after everything."""
    from bot.store.access import AccessStore
    from bot.store.cohorts import CohortStore
    from bot.telegram import assignments, cohorts, qa, quiz, reminders, roleplay, trainer

    cohort_store = CohortStore(services.db)
    qa_handlers = qa.QAHandlers(
        ask=services.ask, answers=services.answers, participants=services.participants,
        guards=guards, catalog=catalog, new_conversation=services.new_conversation,
        forget_user=services.forget_user,
        practice_ids=frozenset(s.id for s in services.roleplay.scenarios())
        if services.roleplay is not None else frozenset(),
        assignment_numbers=frozenset(a.number for a in services.catalogue),
        postgres=services.db.is_postgres, with_dates=services.with_dates)
    trainer_handlers = trainer.TrainerHandlers(
        trainer=services.trainer, participants=services.participants, cohorts=cohort_store,
        calendar=services.calendar, quiz=services.quiz, guards=guards,
        assignment_numbers=[a.number for a in services.assignments.assignments],
        timezone=settings.timezone, clock=services.clock)
    registered = [
        *qa.register(qa_handlers),
        quiz.register(services.quiz, services.answers),
        assignments.register(services.assignments, services.participants),
        reminders.register(services.reminders, services.participants, services.quiz,
                           services.schedule),
        trainer.register(trainer_handlers),
        cohorts.register(cohorts.CohortHandlers(cohort_store, AccessStore(services.db),
                                                services.calendar, guards)),
        roleplay.register(services.roleplay),
    ]
    return [f for f in registered if f is not None and catalog.has(f.spec)]


async def set_commands(bot: Bot, catalog: Catalog, admin_ids: list[int]) -> None:
    """The command menus, from the registry: everyone's, and per trainer (their private chat)
    everyone's plus the trainer commands. An admin who never opened the bot has no chat yet;
    that is logged, not fatal."""
    from telegram import BotCommand, BotCommandScopeChat
    from telegram.error import TelegramError

    commands = [BotCommand(c.name, c.description) for c in catalog.commands]
    await bot.set_my_commands(commands)
    await bot.set_my_commands(commands, language_code="nl")
    trainer = [BotCommand(c.name, c.description) for c in catalog.trainer_commands]
    for admin in admin_ids:
        try:
            await bot.set_my_commands(trainer, scope=BotCommandScopeChat(admin))
        except TelegramError as exc:
            log.info("could not set trainer commands for %s: %s", admin, exc)


def build_application(
    settings: Settings, services: Services
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The python-telegram-bot Application with every handler registered."""
    from telegram import Update
    from telegram.constants import ParseMode
    from telegram.ext import Defaults, TypeHandler
    from telegram.request import HTTPXRequest

    from bot.store.conversations import ConversationStore
    from bot.store.inbox import Inbox
    from bot.store.leader import Leader
    from bot.store.outbox import Outbox
    from bot.telegram.concurrency import PerUserUpdateProcessor
    from bot.telegram.errors import on_error
    from bot.telegram.flows import install_waiting_flows
    from bot.telegram.inbox import InboxBot, bot_id_of, install_inbox_jobs, mark_done
    from bot.telegram.leadership import install_leader_job
    from bot.telegram.persistence import SqlConversationPersistence, write_through
    from bot.telegram.ratelimit import MessageRateLimiter
    from bot.telegram.reminders import install_reminder_job
    from bot.telegram.request import CleaningRequest

    guards = Guards(settings, services.participants, clock=services.clock)
    catalog = features.catalog(services)
    registered = telegram_features(settings, services, guards, catalog)
    for feature in registered:
        feature.check()  # every command in the registry has a handler

    async def post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        me = await app.bot.get_me()
        guards.bot_username = me.username or ""
        await set_commands(app.bot, catalog, settings.admin_ids)
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
                   inbox=inbox,
                   # Every message is HTML unless a handler says parse_mode=None (plain text).
                   defaults=Defaults(parse_mode=ParseMode.HTML))

    async def done(update: object) -> None:
        await write_through(application, update)  # waiting flows: states saved first
        await mark_done(inbox, update)

    application = (
        Application.builder()
        .bot(bot)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .concurrent_updates(PerUserUpdateProcessor(on_done=done))
        .persistence(SqlConversationPersistence(ConversationStore(services.db)))
        .build()
    )
    application.bot_data[INBOX_KEY] = inbox
    application.bot_data[LEADER_KEY] = leader
    install_inbox_jobs(application, inbox)
    install_leader_job(application, leader, settings.leader_check_seconds)
    # Guards run first (negative groups).
    application.add_handler(TypeHandler(Update, guards.group_filter), group=-2)
    application.add_handler(TypeHandler(Update, guards.access), group=-1)
    # The features in order (group 0), then the catch-alls: only what nothing took. The
    # waiting flows add their refresh (group -3) and "moved on" (group 1) handlers below.
    for feature in registered:
        application.add_handlers(feature.handlers)
    for feature in registered:
        application.add_handlers(feature.last)
    for feature in registered:
        application.add_handlers(feature.watchers, group=WATCH_GROUP)
    # Reminders: checked every minute (jobs are re-created at start-up; the due logic in the
    # database makes restarts safe). Tests reach it via bot.telegram.common.reminder_dispatcher.
    install_reminder_job(application, services.reminders, services.quiz,
                         every=settings.reminder_check_seconds, leader=leader,
                         outbox=Outbox(services.db, owner=inbox.owner))
    install_waiting_flows(application)  # after every handler: it looks for the flows
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
