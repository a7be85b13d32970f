"""Dense search is exact and the same in every process: the collection's HNSW settings make each
query visit the whole graph, and an index built with the earlier layout is rebuilt from its
stored vectors without embedding anything again."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bot.retrieval.index import Manifest, signature_digest
from bot.retrieval.retriever import HybridRetriever
from bot.retrieval.vectorstore import (
    META_SIGNATURE,
    SEARCH_LAYOUT,
    VectorStore,
    collection_count,
    find_collection,
    make_client,
)
from tests.conftest import HashEmbedder
from tests.test_ingest import indexer, kdir  # noqa: F401  (kdir: fixture)


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_top_results_equal_the_exact_ranking(tmp_path: Path) -> None:
    """600 random 384-d vectors (as many as the course has chunks) are hard for a graph search:
    with Chroma's default ef_search (100) several of these queries miss one of their true top
    30. The configured collection returns exactly the brute-force top 30, in order."""
    rng = np.random.default_rng(7)
    docs = _unit(rng.standard_normal((600, 384)).astype(np.float32))
    queries = _unit(rng.standard_normal((60, 384)).astype(np.float32))
    ids = [f"c-{i}" for i in range(len(docs))]
    store = VectorStore(make_client(tmp_path / "chroma"), "wijkwijs_exact_test", create=True,
                        lease=False, expected=len(docs))
    store.add(ids, ids, docs.tolist(), [{"n": i} for i in range(len(docs))])
    exact = np.argsort(-(queries @ docs.T), axis=1, kind="stable")[:, :30]
    for q, want in zip(queries, exact, strict=True):
        got = store.query(q.tolist(), 30)
        assert {cid for cid, _ in got} == {ids[j] for j in want}
        sims = [s for _, s in got]
        assert sims == sorted(sims, reverse=True)


def test_ingest_configures_the_collection_for_its_size(kdir: Path, tmp_path: Path) -> None:  # noqa: F811
    idx = indexer(kdir, tmp_path)
    idx.ingest()
    manifest = Manifest.read(tmp_path / "index")
    assert manifest is not None and manifest.signature["search"] == SEARCH_LAYOUT
    coll = find_collection(idx.client(), manifest.collection)
    assert coll is not None
    hnsw = coll.configuration_json["hnsw"]
    assert hnsw["space"] == "cosine"
    assert hnsw["ef_search"] >= len(manifest.chunks)


def test_an_index_of_the_earlier_layout_is_rebuilt_from_its_vectors(kdir: Path,  # noqa: F811
                                                                    tmp_path: Path) -> None:
    """An upgrade: the manifest and collection of layout 1 (Chroma's default settings) become a
    new, exactly searched collection; every vector is copied, none embedded again."""
    first = indexer(kdir, tmp_path)
    first.ingest()
    manifest = Manifest.read(tmp_path / "index")
    assert manifest is not None
    client = first.client()
    current = find_collection(client, manifest.collection)
    assert current is not None
    stored = current.get(include=["embeddings", "documents", "metadatas"])
    old_signature = {k: v for k, v in manifest.signature.items() if k != "search"}
    old_name = "wijkwijs_layout1collection"
    meta = {"hnsw:space": "cosine", META_SIGNATURE: signature_digest(old_signature)}
    old = client.get_or_create_collection(old_name, metadata=meta, embedding_function=None)
    old.add(ids=stored["ids"], embeddings=stored["embeddings"], documents=stored["documents"],
            metadatas=stored["metadatas"])
    first.close()
    client.delete_collection(manifest.collection)
    path = tmp_path / "index" / "index.json"
    raw = json.loads(path.read_text())
    raw["signature"], raw["collection"] = old_signature, old_name
    path.write_text(json.dumps(raw))

    idx = indexer(kdir, tmp_path)
    assert not idx.is_current()
    report = idx.ingest()
    assert report.rebuilt and report.embedded == 0 and report.reused == len(manifest.chunks)
    assert isinstance(idx.embedder, HashEmbedder) and idx.embedder.calls == 0
    upgraded = Manifest.read(tmp_path / "index")
    assert upgraded is not None and upgraded.collection not in (old_name, "")
    assert upgraded.signature["search"] == SEARCH_LAYOUT
    assert collection_count(idx.client(), upgraded.collection) == len(manifest.chunks)
    reader = HybridRetriever.open(tmp_path / "index", idx.embedder)
    assert reader.retrieve("contacten leggen netwerken").hits[0].chunk.path == \
        "lesstof/netwerken.md"
    reader.store.close()
    idx.close()
