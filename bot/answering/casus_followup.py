"""Which part of a casus a follow-up on objection advice asks for.

After advice ("mijn wethouder zegt dat de bieb gewoon boeken moet uitlenen") participants go on
with short questions that the general intent model was not trained for: "wat zeg ik dan
letterlijk?" (the example replies), "wat kan ik beter niet zeggen?" (the pitfalls, which the
intent model took for another objection), "waarom denkt hij zo?" (the concern). This is a small
classifier of the same kind as the intent model (bot/answering/intent.py: logistic regression
over the query embedding plus character n-grams), trained on the hand-labelled follow-ups in
``knowledge/casus-vervolg.yaml`` and cached like it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.answering.intent import (
    EMBEDDING_WEIGHT,
    C,
    IntentModel,
    cached_model,
    load_labelled_questions,
)
from bot.retrieval.embeddings import Embedder

log = logging.getLogger(__name__)

PARTS_FILE = "casus-vervolg.yaml"
PARTS = ("zorg", "aanpak", "zinnen", "valkuilen")
MODEL_VERSION = "1"
MIN_CONFIDENCE = 0.5
"""The part is used only at this probability or more; below it the follow-up keeps round 11's
handling (the intent model's intent, else more of the advice)."""


def load_part_examples(path: Path) -> list[tuple[str, str]]:
    return load_labelled_questions(path, "parts", PARTS, "part")


@dataclass(frozen=True)
class CasusPart:
    part: str
    confidence: float


class CasusPartModel:
    """``part(text, vector)``: the casus part a follow-up asks for, or None when unsure."""

    def __init__(self, model: IntentModel) -> None:
        self.model = model

    def predict(self, text: str, vector: np.ndarray | None) -> CasusPart:
        pred = self.model.predict(self.model.normalise(text), vector)
        return CasusPart(pred.intent, pred.confidence)

    def part(self, text: str, vector: np.ndarray | None) -> str | None:
        pred = self.predict(text, vector)
        return pred.part if pred.confidence >= MIN_CONFIDENCE else None


def train_part_model(knowledge_dir: Path, embedder: Embedder,
                     normalise: Callable[[str], str] = lambda s: s,
                     cache_dir: Path | None = None) -> CasusPartModel | None:
    """The casus-part model (None without ``knowledge/casus-vervolg.yaml``), cached in
    ``cache_dir`` by a hash of its examples."""
    path = knowledge_dir / PARTS_FILE
    if not path.is_file():
        log.warning("no %s: follow-ups on a casus use the intent model only", path)
        return None
    examples = load_part_examples(path)
    digest = hashlib.sha256("\n".join(
        [MODEL_VERSION, embedder.name, repr((C, EMBEDDING_WEIGHT)),
         *(f"{normalise(q)}\t{label}" for q, label in examples)]).encode("utf-8"),
    ).hexdigest()[:16]
    cached = cache_dir / f"casus-part-model-{digest}.npz" if cache_dir else None
    model = cached_model(cached, IntentModel(embedder, normalise).load,
                         lambda: IntentModel(embedder, normalise).fit(examples, cache_dir),
                         "casus part model")
    return CasusPartModel(model)
