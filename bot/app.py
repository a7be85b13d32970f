"""Composition root: reads settings, builds services, registers Telegram handlers.

This is the only module that wires concrete classes together. Everything else receives what it
needs through its constructor.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.answering.service import AnswerService
from bot.knowledge.taxonomy import Taxonomy
from bot.retrieval.embeddings import Embedder, make_embedder
from bot.retrieval.index import Indexer, IngestReport, Progress
from bot.retrieval.retriever import HybridRetriever
from bot.settings import Settings

if TYPE_CHECKING:
    from telegram.ext import Application

log = logging.getLogger(__name__)


def configure_runtime(settings: Settings) -> None:
    """Process-wide switches for libraries: never phone home, never download models."""
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ.setdefault(key, "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "chromadb", "apscheduler", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@dataclass
class Services:
    settings: Settings
    taxonomy: Taxonomy
    embedder: Embedder
    retriever: HybridRetriever
    answers: AnswerService


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
    taxonomy = Taxonomy.load(settings.knowledge_dir)
    embedder = make_embedder(settings.embedding_model)
    ensure_index(settings, embedder, progress)
    retriever = HybridRetriever.open(
        settings.index_dir, embedder, settings.chroma_url, settings.grounded_threshold
    )
    answers = AnswerService(retriever, taxonomy, top_k=settings.top_k)
    return Services(settings, taxonomy, embedder, retriever, answers)


def build_application(settings: Settings, services: Services) -> Application:  # type: ignore[type-arg]
    from bot.telegram.application import build_telegram_application

    return build_telegram_application(settings, services)
