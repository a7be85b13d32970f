"""Build the answer composer: load the knowledge files, the glossary and the question keys,
and train (or load from the cache) the intent, scope and casus-part models."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.answering.casus import CasusAdvisor
from bot.answering.casus_followup import train_part_model
from bot.answering.composer import USE_SCOPE_MODEL, AnswerComposer
from bot.answering.documents import build_documents
from bot.answering.facts import FactKinds
from bot.answering.glossary import Glossary
from bot.answering.intent import train_intent_model
from bot.answering.scope_training import train_scope_model
from bot.answering.sections import SectionVectors
from bot.knowledge.loader import load_knowledge
from bot.knowledge.question_keys import load_question_keys
from bot.retrieval.embeddings import Embedder
from bot.retrieval.keys import build_key_index
from bot.retrieval.retriever import HybridRetriever

log = logging.getLogger(__name__)


def build_composer(knowledge_dir: Path, retriever: HybridRetriever, embedder: Embedder,
                   cache_dir: Path | None = None,
                   index_dir: Path | None = None,
                   questions_dir: Path | None = None) -> AnswerComposer:
    """Load the knowledge files, the glossary and train the intent model (seconds, cached);
    attach the question keys (embedded at ingest into ``index_dir``, else here once).
    ``questions_dir``: the question keys for the intent model (None: knowledge/vragen)."""
    loaded = load_knowledge(knowledge_dir)
    docs = build_documents(loaded.files)
    keys = load_question_keys(knowledge_dir, loaded.files)
    for err in keys.errors:
        log.warning("question key skipped: %s", err)
    retriever.attach_keys(build_key_index(keys, embedder, index_dir or cache_dir))
    glossary = Glossary.load(knowledge_dir)
    intents = train_intent_model(knowledge_dir, embedder, glossary.normalise, cache_dir,
                                 questions_dir)
    advisor = CasusAdvisor(loaded.files, docs, embedder, cache_dir)
    retriever.normalise = glossary.normalise  # direct retrieval (eval, LLM path) alike
    assignments = {f.path: f.opdracht.assignment for f in loaded.files if f.opdracht}
    sections = SectionVectors.load(retriever)
    scope = train_scope_model(knowledge_dir, retriever, sections.by_section, embedder,
                              glossary.normalise, cache_dir) if USE_SCOPE_MODEL else None
    parts = train_part_model(knowledge_dir, embedder, glossary.normalise, cache_dir)
    return AnswerComposer(retriever, docs, intents, glossary, advisor, assignments, sections,
                          scope, parts, FactKinds.load(knowledge_dir))
