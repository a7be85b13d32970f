"""Chroma as the dense store: embedded `PersistentClient` by default, a Chroma server by URL.

Vectors always come from our own `Embedder`, so Chroma never loads its default embedding model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot.retrieval.embeddings import Embedder

COLLECTION_PREFIX = "wijkwijs_"


def make_client(persist_dir: Path, chroma_url: str = "") -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        url = urlparse(chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    persist_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(persist_dir), settings=chroma_settings)


class VectorStore:
    """A thin wrapper around a LangChain `Chroma` collection with cosine distance."""

    def __init__(self, client: Any, collection: str, embedder: Embedder) -> None:
        from langchain_chroma import Chroma

        self.client = client
        self.collection_name = collection
        self.embedder = embedder
        self.store = Chroma(
            client=client,
            collection_name=collection,
            embedding_function=embedder,
            collection_metadata={"hnsw:space": "cosine"},
        )

    def add(self, ids: list[str], texts: list[str], vectors: list[list[float]],
            metadatas: list[dict[str, Any]]) -> None:
        # Pass our vectors straight to the collection: one embedding pass, batch sized by us.
        coll = self.store._collection
        for start in range(0, len(ids), 256):
            end = start + 256
            coll.upsert(
                ids=ids[start:end],
                embeddings=vectors[start:end],  # type: ignore[arg-type]
                documents=texts[start:end],
                metadatas=metadatas[start:end],  # type: ignore[arg-type]
            )

    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), 256):
            self.store.delete(ids=ids[start : start + 256])

    def all_ids(self) -> set[str]:
        return set(self.store._collection.get(include=[])["ids"])

    def query(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        """Return ``(chunk id, cosine similarity)`` best first."""
        res = self.store._collection.query(
            query_embeddings=[vector],  # type: ignore[arg-type]
            n_results=k,
            include=["distances"],
        )
        ids = res["ids"][0]
        dists = (res.get("distances") or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=False)]

    def drop_other_collections(self) -> list[str]:
        dropped = []
        for coll in self.client.list_collections():
            name = coll if isinstance(coll, str) else coll.name
            if name.startswith(COLLECTION_PREFIX) and name != self.collection_name:
                self.client.delete_collection(name)
                dropped.append(name)
        return dropped
