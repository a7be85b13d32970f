"""Shared fixtures: settings without .env, one real index per session, a running bot."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GOMP_SPINCOUNT", "1000")  # as bot.services.configure_runtime
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bot.reminders.dispatcher import DispatchReport
from bot.retrieval.embeddings import Embedder
from bot.services import Services, build_services
from bot.settings import Settings
from bot.store.db import Database
from bot.store.participants import ParticipantStore
from bot.telegram.application import build_application
from bot.telegram.common import reminder_dispatcher
from tests.fakes.telegram_server import FakeTelegramServer
from tests.pgtest import DB_FIXTURES, fresh_postgres_database, postgres_base_url, sqlite_url

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
TOKEN = "123:ABC"


def make_settings(tmp: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp,
        "knowledge_dir": KNOWLEDGE,
        "prompts_dir": ROOT / "prompts",
        "telegram_token": TOKEN,
    }
    if os.environ.get("WIJKWIJS_TEST_QUESTION_KEYS"):
        # Question keys for the intent model from elsewhere (default: knowledge/vragen).
        values["intent_questions_dir"] = Path(os.environ["WIJKWIJS_TEST_QUESTION_KEYS"])
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class HashEmbedder(Embedder):
    """Deterministic, instant bag-of-words vectors for logic tests (not for quality)."""

    max_chars = 600

    def __init__(self, name: str = "test-hash") -> None:
        super().__init__()
        self.name = name
        self.calls = 0

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(256, dtype=np.float32)
        for word in text.lower().split():
            v[int(hashlib.md5(word.encode()).hexdigest(), 16) % 256] += 1.0
        n = float(np.linalg.norm(v)) or 1.0
        return v / n

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self._vec(t) for t in texts])

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        return np.vstack([self._vec(t) for t in texts]) if texts else np.zeros((0, 256))


def cli_on(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point `bot.cli.main` at this test's data directory and database (SQLite or PostgreSQL)."""
    monkeypatch.chdir(settings.data_dir)
    monkeypatch.setenv("WIJKWIJS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("WIJKWIJS_DATABASE_URL", settings.sqlalchemy_url)


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real index of knowledge/ (default model) per test session, shared read-only."""
    cache = os.environ.get("WIJKWIJS_TEST_INDEX_DIR")
    return Path(cache) if cache else tmp_path_factory.mktemp("shared-data")


@pytest.fixture(scope="session")
def base_services(index_dir: Path) -> Iterator[Services]:
    settings = make_settings(index_dir)
    services = build_services(settings, lambda _msg: None)
    yield services
    services.close()


# Databases: one fresh database per test, SQLite or (WIJKWIJS_TEST_DATABASE_URL) PostgreSQL ----
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "db: touches the database; runs on SQLite and PostgreSQL")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, empty database for this test (dropped afterwards on PostgreSQL)."""
    base = postgres_base_url()
    if base is None:
        yield sqlite_url(tmp_path)
        return
    with fresh_postgres_database(base) as url:
        yield url


@pytest.fixture
def make_db(db_url: str) -> Iterator[Callable[..., Database]]:
    """Factory: ``make_db()`` opens this test's database, upgraded to head; call it again for a
    second "process" on the same database. ``make_db(upgrade=False)`` leaves the schema alone."""
    opened: list[Database] = []

    def factory(upgrade: bool = True) -> Database:
        db = Database(db_url)
        if upgrade:
            db.upgrade()
        opened.append(db)
        return db

    yield factory
    for db in opened:
        db.close()


@pytest.fixture
def services(base_services: Services, tmp_path: Path, db_url: str) -> Iterator[Services]:
    """The shared retriever with a fresh database and settings per test."""
    settings = make_settings(tmp_path, database_url=db_url)
    db = Database(settings.sqlalchemy_url)
    db.upgrade()
    svc = dataclasses.replace(base_services, settings=settings, db=db,
                              participants=ParticipantStore(db))
    yield svc
    db.close()


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(default_token=TOKEN) as server:
        yield server


@asynccontextmanager
async def running_bot(services: Services, server: FakeTelegramServer,
                      **overrides: Any) -> AsyncIterator[Any]:
    """Run the real Application (polling) against the fake Bot API server."""
    settings = services.settings.model_copy(
        update={"telegram_api_url": server.api_root, **overrides}
    )
    svc = dataclasses.replace(services, settings=settings)
    app = build_application(settings, svc)
    async with app:
        if app.post_init is not None:  # run_polling() would call these hooks for us
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1, drop_pending_updates=False)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)


async def dispatch(app: Any, now: dt.datetime) -> DispatchReport:
    """One reminder run at ``now``, as the app's job makes it. That job also runs on its own
    (first after 5 s, then every minute); when it is busy, wait for it to finish instead of
    reading the "busy" report as "nothing was due"."""
    dispatcher = reminder_dispatcher(app)
    async with asyncio.timeout(20):
        while (report := await dispatcher.run_once(now)).busy:  # noqa: ASYNC110 (no event to wait on)
            await asyncio.sleep(0.02)
    return report
