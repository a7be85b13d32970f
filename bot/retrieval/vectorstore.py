"""Chroma as the dense store: embedded `PersistentClient` by default, a Chroma server by URL.

Vectors always come from our own `Embedder`, so Chroma never loads its default embedding model
(collections are opened with ``embedding_function=None``). We talk to chromadb directly: the
LangChain wrapper added nothing we used.

Collections are named by content (see ``bot.retrieval.index``), never by the server's address,
so every process that indexes the same knowledge with the same model shares one collection.
While a `VectorStore` is open it holds a lease on its collection (``bot.retrieval.leases``), so
other processes never garbage-collect it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot.retrieval.embeddings import Embedder

log = logging.getLogger(__name__)

COLLECTION_PREFIX = "wijkwijs_"
BATCH = 256
META_SIGNATURE = "wijkwijs_signature"
META_CREATED = "wijkwijs_created"
META_CHUNKS = "wijkwijs_chunks"

SEARCH_LAYOUT = 2
"""Version of the collection's search configuration (``hnsw_config``). Part of the index
signature (not of the vectors' identity): a new layout builds a new collection from the stored
vectors, without embedding anything again. Layout 1 was Chroma's default (ef_search 100),
which missed one of the top 30 for about one question in twenty, differently in each process
(Chroma rebuilds its graph from the write-ahead log with two threads on every start)."""

MIN_SEARCH_EF = 100


def hnsw_config(expected: int) -> dict[str, Any]:
    """HNSW settings for a collection that will hold ``expected`` vectors: an ``ef_search`` at
    least the collection's size makes every query visit the whole (small) graph, so the top
    results are exact and the same in every process and replica; one construction thread makes
    the graph itself the same everywhere."""
    return {"space": "cosine", "ef_search": max(MIN_SEARCH_EF, expected),
            "ef_construction": 200, "num_threads": 1}


def server_address(chroma_url: str) -> tuple[str, int, bool]:
    """``(host, port, ssl)`` of a Chroma URL; spelling (case, trailing slash) does not matter."""
    url = urlparse(chroma_url.strip())
    ssl = url.scheme.lower() == "https"
    return (url.hostname or "127.0.0.1"), url.port or (443 if ssl else 8000), ssl


def make_client(persist_dir: Path, chroma_url: str = "") -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        host, port, ssl = server_address(chroma_url)
        return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
    persist_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(persist_dir), settings=chroma_settings)


def collection_names(client: Any) -> list[str]:
    """Names of all Wijkwijs index collections on a client (not the lease records)."""
    out = []
    for coll in client.list_collections():
        name = coll if isinstance(coll, str) else coll.name
        if name.startswith(COLLECTION_PREFIX):
            out.append(name)
    return sorted(out)


def find_collection(client: Any, name: str) -> Any | None:
    from chromadb.errors import NotFoundError

    try:
        return client.get_collection(name, embedding_function=None)
    except (NotFoundError, ValueError):  # ValueError: older chromadb
        return None


def collection_count(client: Any, name: str) -> int | None:
    """Number of records in a collection, ``None`` when it does not exist."""
    coll = find_collection(client, name)
    return None if coll is None else int(coll.count())


def get_vectors(coll: Any, ids: Iterable[str]) -> dict[str, list[float]]:
    """Stored vectors for those ``ids`` that the collection holds."""
    wanted = list(ids)
    out: dict[str, list[float]] = {}
    for start in range(0, len(wanted), BATCH):
        res = coll.get(ids=wanted[start : start + BATCH], include=["embeddings"])
        embeddings = res.get("embeddings")
        if embeddings is None:
            continue
        for cid, vec in zip(res["ids"], embeddings, strict=True):
            out[cid] = [float(x) for x in vec]
    return out


class VectorStore:
    """One Chroma collection with cosine distance, holding a lease while open."""

    def __init__(self, client: Any, collection: str, embedder: Embedder | None = None, *,
                 create: bool = False, metadata: Mapping[str, Any] | None = None,
                 lease: bool = True, expected: int = 0) -> None:
        from bot.retrieval.leases import Lease

        self.client = client
        self.collection_name = collection
        self.embedder = embedder
        self.on_missing: Callable[[], object] | None = None
        """Rebuilds the collection when it disappears while in use (set by the composition root)."""
        self._recover_lock = threading.Lock()
        # The lease comes first: a collection being created is already protected from gc.
        self.lease = Lease(client, collection) if lease else None
        if create:
            meta: dict[str, Any] = {META_CREATED: time.time()}
            meta.update(metadata or {})
            try:
                self._collection = client.get_or_create_collection(
                    collection, metadata=meta, embedding_function=None,
                    configuration={"hnsw": hnsw_config(expected)})
            except Exception:  # created by another process at the same moment
                found = find_collection(client, collection)
                if found is None:
                    raise
                self._collection = found
        else:
            self._collection = self._get()

    def _get(self) -> Any:
        coll = find_collection(self.client, self.collection_name)
        if coll is None:
            from chromadb.errors import NotFoundError

            raise NotFoundError(f"Chroma collection {self.collection_name} does not exist; "
                                "restart the bot or run 'wijkwijs ingest' to rebuild it")
        return coll

    def add(self, ids: list[str], texts: list[str], vectors: list[list[float]],
            metadatas: list[dict[str, Any]]) -> None:
        for start in range(0, len(ids), BATCH):
            end = start + BATCH
            self._collection.upsert(
                ids=ids[start:end],
                embeddings=vectors[start:end],
                documents=texts[start:end],
                metadatas=metadatas[start:end],
            )

    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), BATCH):
            self._collection.delete(ids=ids[start : start + BATCH])

    def all_ids(self) -> set[str]:
        return set(self._collection.get(include=[])["ids"])

    def count(self) -> int:
        return int(self._collection.count())

    def vectors(self, ids: Iterable[str]) -> dict[str, list[float]]:
        return get_vectors(self._collection, ids)

    def query(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        """Return ``(chunk id, cosine similarity)`` best first."""
        from chromadb.errors import NotFoundError

        try:
            res = self._query(vector, k)
        except NotFoundError:
            self._recover()
            res = self._query(vector, k)
        ids = res["ids"][0]
        dists = (res.get("distances") or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=False)]

    def _query(self, vector: list[float], k: int) -> Any:
        return self._collection.query(query_embeddings=[vector], n_results=k,
                                      include=["distances"])

    def _recover(self) -> None:
        """The collection was deleted: use the one another process rebuilt, or rebuild it."""
        stale = self._collection
        with self._recover_lock:
            if self._collection is not stale:  # another thread recovered meanwhile
                return
            coll = find_collection(self.client, self.collection_name)
            if coll is None and self.on_missing is not None:
                log.warning("Chroma collection %s disappeared; rebuilding it",
                            self.collection_name)
                self.on_missing()
                coll = find_collection(self.client, self.collection_name)
            if coll is None:
                self._get()  # raises a clear NotFoundError
            self._collection = coll

    def close(self) -> None:
        """Release the lease (the collection itself stays)."""
        if self.lease is not None:
            self.lease.release()
