"""SQL storage for participants and their work (SQLite by default, PostgreSQL by URL).

Every write commits immediately, so a crash or kill never loses saved work.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

from bot.sanitize import clean_text
from bot.settings import StartupError
from bot.store.permissions import private_file


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Participant(Base):
    __tablename__ = "participants"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    first_name: Mapped[str] = mapped_column(String(200), default="")
    username: Mapped[str] = mapped_column(String(200), default="")
    authorized: Mapped[bool] = mapped_column(Boolean, default=False)
    refused_notice: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(64), default="")
    """IANA time zone chosen by the participant ('' = the bot's default); the only copy:
    reminders and everything else local read it here."""
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    """Telegram refused a send because the participant blocked the bot (set by the send path,
    cleared when they write again, see ParticipantStore). Nothing is sent while it is set."""
    joined_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    library: Mapped[str] = mapped_column(String(200), default="", server_default="")
    """The participant's library (optional, set with /bibliotheek; shown on exports)."""
    cohort_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("cohorts.id", name="fk_participants_cohort"), nullable=True)
    """The participant's cohort (bot.store.cohorts); None means the default cohort."""


class QuestionLog(Base):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    grounded: Mapped[bool] = mapped_column(Boolean)
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class UserState(Base):
    """Small per-user conversation state (what the bot is waiting for, chat history…)."""

    __tablename__ = "user_state"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class RoleplayRecord(Base):
    __tablename__ = "roleplay_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    scenario_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="active")
    """active | agreement | max_turns | stopped: the one place a session's status is kept."""
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The rest of the session (`RoleplaySession.to_dict` without its status)."""
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    feedback: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class AssignmentAnswer(Base):
    __tablename__ = "assignment_answers"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    assignment: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    """Telegram message the answer came from: editing that message updates the answer."""


class Reminder(Base):
    __tablename__ = "reminders"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    time: Mapped[str] = mapped_column(String(5))
    """Local time 'HH:MM'."""
    days: Mapped[str] = mapped_column(String(16), default="daily")
    """'daily' or 'weekdays'."""
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    """The participant's own on/off choice (a blocked bot is `Participant.blocked`)."""
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    last_sent: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    """Local date of the last reminder sent: guards against firing twice on one day."""


class CourseDate(Base):
    """The lesdagen of one cohort."""

    __tablename__ = "course_dates"

    cohort_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("cohorts.id", name="fk_course_dates_cohort"), primary_key=True,
        autoincrement=False)
    lesdag: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    date: Mapped[dt.date] = mapped_column(Date)


class InboxUpdate(Base):
    """Every Telegram update, written before it is confirmed to Telegram (bot.store.inbox).

    The primary key is the atomic claim: of two processes that receive the same update, only
    the one whose INSERT wins handles it.
    """

    __tablename__ = "inbox"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(Text)
    """The raw update JSON as Telegram sent it."""
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    """pending (claimed, handlers not finished) | done | skipped (could not be parsed)"""
    owner: Mapped[str] = mapped_column(String(80), default="")
    """The process that holds the claim (host:pid:random)."""
    claimed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    """Renewed by the owner while it lives; an old one means the owner died (a stale claim)."""


class OutboxSend(Base):
    """One message the leader sends in bulk (a reminder, a broadcast): claim -> send -> confirm.

    ``status``: claimed (nothing sent yet; safe to retry) -> sending (the request is on its way)
    -> sent | uncertain (timed out or the process died while sending: maybe delivered, never
    repeated) | failed | blocked. See bot.store.outbox.
    """

    __tablename__ = "sends"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    """Unique per message, e.g. 'reminder:<user_id>:<local date>'."""
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12), index=True)
    owner: Mapped[str] = mapped_column(String(80), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    """The message itself when it is made before sending (a broadcast); '' for a reminder."""
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# Security: invite codes, brute-force throttles, flood windows (bot.store.access) -----------
class InviteCode(Base):
    """An invite code made by `wijkwijs invite new`; only its SHA-256 is stored."""

    __tablename__ = "invite_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    cohort_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("cohorts.id", name="fk_invite_codes_cohort"), nullable=True)
    """Joining with this code puts the participant in this cohort (None: default cohort)."""


class AccessThrottle(Base):
    """Wrong invite codes of one user (key 'u:<id>') or of everyone (key '*'), and the
    one-time refusal notice for outsiders (so they need no participant row)."""

    __tablename__ = "access_throttle"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    notified_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    refused_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class FloodWindow(Base):
    """Per-user fixed-window counters (kind 'update' or 'question'), shared by all replicas."""

    __tablename__ = "flood_windows"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime)
    count: Mapped[int] = mapped_column(Integer, default=0)
    warned: Mapped[bool] = mapped_column(Boolean, default=False)


# Cohorts: groups with their own lesdagen, invite codes and trainers (bot.store.cohorts) ------
class Cohort(Base):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    """Exactly one cohort is the default: participants without a cohort belong to it."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CohortTrainer(Base):
    """A trainer (an id from ADMIN_IDS) assigned to a cohort. A trainer without any
    assignment sees every cohort."""

    __tablename__ = "cohort_trainers"

    cohort_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("cohorts.id", name="fk_cohort_trainers_cohort"), primary_key=True,
        autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


class QuizProgress(Base):
    """Leitner box per participant and practice question (bot/quiz/schedule.py)."""

    __tablename__ = "quiz_progress"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    question_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    box: Mapped[int] = mapped_column(Integer, default=1)
    due: Mapped[dt.date] = mapped_column(Date)
    """Local date from which the question may be asked again."""
    last_verdict: Mapped[str] = mapped_column(String(16), default="")
    right: Mapped[int] = mapped_column(Integer, default=0)
    missed: Mapped[int] = mapped_column(Integer, default=0)
    """Answers judged 'fout' or 'half' (for the trainer's most-missed list)."""
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


# Waiting flows: PTB ConversationHandler states (bot.store.conversations) -------------------
class ConversationState(Base):
    """The state of one persistent ConversationHandler for one key (chat id, user id).

    Written as soon as a state changes (before the update is marked done), read for the user
    of every update, so a wait survives restarts and holds across replicas. No row: no wait.
    """

    __tablename__ = "conversations"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The ConversationHandler's name ('assignment-answer', 'reminder-time', …)."""
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    """The PTB conversation key as JSON, e.g. '[4242, 4242]' (chat id, user id)."""
    user_id: Mapped[int | None] = mapped_column(BigInteger, index=True, nullable=True)
    state: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


USER_TABLES: tuple[type[Base], ...] = (
    QuestionLog,
    UserState,
    RoleplayRecord,
    AssignmentAnswer,
    Reminder,
    OutboxSend,
    QuizProgress,
    ConversationState,
)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        # pre_ping: the first query after a database restart reconnects instead of failing.
        kwargs: dict[str, Any] = {"future": True, "pool_pre_ping": True,
                                  "json_serializer": _json_dumps}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            path = make_url(url).database
            if path and path != ":memory:" and not path.startswith("file:"):
                private_file(Path(path))  # 0600, and so its -wal/-shm
            if url in {"sqlite://", "sqlite:///:memory:"}:
                kwargs["poolclass"] = StaticPool
        if url.startswith("postgresql") and "connect_timeout" not in make_url(url).query:
            kwargs["connect_args"] = {"connect_timeout": 10}  # fail fast, never hang start-up
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        event.listen(self.engine, "before_cursor_execute", _scrub_parameters, retval=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def upgrade(self) -> None:
        """Create or migrate the schema to the newest revision (Alembic, under a lock).

        Raises `DatabaseUnavailable` (one line naming the setting) when it cannot connect."""
        from bot.store import migrate  # migrate imports this module

        self.check()
        migrate.upgrade(self)

    def check(self) -> None:
        """Connect once (``SELECT 1``); `DatabaseUnavailable` when that is impossible."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except OperationalError as exc:
            raise DatabaseUnavailable(self.url, exc) from exc

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()

    @property
    def is_postgres(self) -> bool:
        """PostgreSQL (erased rows linger on disk until VACUUM), else SQLite."""
        return self.engine.dialect.name == "postgresql"


class DatabaseUnavailable(StartupError):
    """The database cannot be reached; the message is one Dutch/English line naming the setting."""

    def __init__(self, url: str, cause: BaseException) -> None:
        shown = make_url(url).render_as_string(hide_password=True)
        detail = str(getattr(cause, "orig", None) or cause).strip().splitlines()
        super().__init__(
            f"Database niet bereikbaar / database unreachable: WIJKWIJS_DATABASE_URL={shown} "
            f"({detail[0] if detail else type(cause).__name__})"
        )


# Control characters (except tab, newline and CR) and lone surrogates are never stored:
# PostgreSQL rejects NUL in text, drivers reject surrogates, the rest garbles exports.
def _clean(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def _deep_clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {_deep_clean(k): _deep_clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_deep_clean(v) for v in value]
    return value


def _json_dumps(value: Any) -> str:
    """JSON columns: the same cleaning inside the document (json.dumps would escape it)."""
    return json.dumps(_deep_clean(value))


def _scrub_parameters(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                      executemany: bool) -> tuple[str, Any]:
    """The one place text is cleaned before it is stored: every bound string parameter
    (ORM and Core statements alike; JSON is already serialised to a string here)."""
    def scrub(params: Any) -> Any:
        if isinstance(params, dict):
            return {k: _clean(v) for k, v in params.items()}
        if isinstance(params, (tuple, list)):
            return type(params)(_clean(v) for v in params)
        return params

    if executemany and isinstance(parameters, (list, tuple)):
        return statement, type(parameters)(scrub(p) for p in parameters)
    return statement, scrub(parameters)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
