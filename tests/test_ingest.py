"""Incremental ingest: add, change, delete, model change, crash safety."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.retrieval.index import Indexer, Manifest
from bot.retrieval.retriever import HybridRetriever
from bot.retrieval.vectorstore import collection_count, collection_names
from tests.conftest import HashEmbedder
from tests.test_knowledge_loader import GOOD, make_kdir


def lesstof(topic: str, theme: str, text: str) -> str:
    return GOOD.replace("topic: netwerken", f"topic: {topic}").replace(
        "theme: netwerken", f"theme: {theme}").replace(
        "Netwerken is contacten leggen en onderhouden.", text)


@pytest.fixture
def kdir(tmp_path: Path) -> Path:
    return make_kdir(tmp_path, {
        "lesstof/netwerken.md": GOOD,
        "lesstof/promotie.md": lesstof("promotie", "programmas-en-activiteiten",
                                       "Promotie doe je met posters en sociale media."),
    })


def indexer(kdir: Path, tmp_path: Path, name: str = "hash-a") -> Indexer:
    return Indexer(kdir, tmp_path / "index", HashEmbedder(name))


def test_first_ingest_then_unchanged_embeds_nothing(kdir: Path, tmp_path: Path) -> None:
    first = indexer(kdir, tmp_path)
    report = first.ingest()
    assert (report.files, report.added, report.embedded) == (2, 2, report.chunks)
    again = indexer(kdir, tmp_path)
    assert again.is_current()
    report = again.ingest()
    assert report.embedded == 0 and report.unchanged == 2
    assert isinstance(again.embedder, HashEmbedder) and again.embedder.calls == 0


def test_change_and_delete_replace_only_those_chunks(kdir: Path, tmp_path: Path) -> None:
    indexer(kdir, tmp_path).ingest()
    before = {c.id for c in Manifest.read(tmp_path / "index").chunks if "netwerken" in c.path}
    (kdir / "lesstof/netwerken.md").write_text(GOOD.replace("onderhouden", "koesteren"))
    (kdir / "lesstof/promotie.md").unlink()
    idx = indexer(kdir, tmp_path)
    report = idx.ingest()
    assert (report.changed, report.removed, report.unchanged) == (1, 1, 0)
    manifest = Manifest.read(tmp_path / "index")
    assert manifest is not None
    assert {c.path for c in manifest.chunks} == {"lesstof/netwerken.md"}
    assert not before & {c.id for c in manifest.chunks}
    assert "koesteren" in manifest.chunks[0].text
    store_ids = HybridRetriever.open(tmp_path / "index", idx.embedder).store.all_ids()
    assert store_ids == {c.id for c in manifest.chunks}  # stale vectors deleted too


def test_model_change_rebuilds_everything(kdir: Path, tmp_path: Path) -> None:
    indexer(kdir, tmp_path, "hash-a").ingest()
    other = indexer(kdir, tmp_path, "hash-b")
    assert not other.is_current()
    report = other.ingest()
    assert report.rebuilt and report.embedded == report.chunks
    manifest = Manifest.read(tmp_path / "index")
    assert manifest is not None and manifest.signature["model"] == "hash-b"


def test_crash_mid_ingest_keeps_previous_index_usable(kdir: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    indexer(kdir, tmp_path).ingest()
    (kdir / "lesstof/netwerken.md").write_text(GOOD.replace("onderhouden", "koesteren"))

    def crash(self: Manifest, index_dir: Path) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr(Manifest, "write", crash)
    with pytest.raises(RuntimeError):
        indexer(kdir, tmp_path).ingest()
    monkeypatch.undo()
    retriever = HybridRetriever.open(tmp_path / "index", HashEmbedder("hash-a"))
    result = retriever.retrieve("contacten leggen netwerken")
    assert result.hits and all("koesteren" not in h.chunk.text for h in result.hits)
    # The next run finishes the job and removes the orphans the crash left behind.
    report = indexer(kdir, tmp_path).ingest()
    assert report.changed == 1
    manifest = Manifest.read(tmp_path / "index")
    assert manifest is not None
    retriever = HybridRetriever.open(tmp_path / "index", HashEmbedder("hash-a"))
    assert retriever.store.all_ids() == {c.id for c in manifest.chunks}


def test_bad_file_is_skipped_and_reported(kdir: Path, tmp_path: Path) -> None:
    (kdir / "lesstof/fout.md").write_text(GOOD.replace("topic: netwerken", "topic: breien"))
    report = indexer(kdir, tmp_path).ingest()
    assert [str(e) for e in report.errors] == ["lesstof/fout.md:4: unknown topic 'breien'"]
    assert report.chunks > 0


def test_chunks_fit_the_embedding_window() -> None:
    from bot.knowledge.loader import load_knowledge
    from bot.retrieval.chunking import chunk_file
    from tests.conftest import KNOWLEDGE

    for doc in load_knowledge(KNOWLEDGE).files:
        for chunk in chunk_file(doc, 600):
            assert len(chunk.embed_text) <= 600, chunk.id  # all-MiniLM-L6-v2 reads ~600 chars
            assert chunk.title == doc.title and chunk.topic == doc.topic


def test_cli_ingest_strict_fails_on_a_bad_file_and_keeps_indexing(kdir: Path,
                                                                   tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    (kdir / "lesstof/fout.md").write_text(GOOD.replace("kind: lesstof", "kind: roman"))
    env = dict(os.environ, WIJKWIJS_KNOWLEDGE_DIR=str(kdir), WIJKWIJS_DATA_DIR=str(tmp_path / "d"))
    cmd = [sys.executable, "-m", "bot.cli", "ingest"]
    loose = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert loose.returncode == 0
    assert "lesstof/fout.md:5: field 'kind'" in loose.stderr
    assert "2 bestanden" not in loose.stderr and "3 bestanden" in loose.stderr
    strict = subprocess.run([*cmd, "--strict"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert strict.returncode == 1
    assert "lesstof/fout.md:5:" in strict.stderr


def test_incremental_change_copies_unchanged_vectors_into_a_new_collection(
        kdir: Path, tmp_path: Path) -> None:
    first = indexer(kdir, tmp_path)
    first.ingest()
    old = Manifest.read(tmp_path / "index")
    assert old is not None
    reader = HybridRetriever.open(tmp_path / "index", HashEmbedder("hash-a"))  # a running bot
    (kdir / "lesstof/netwerken.md").write_text(GOOD.replace("onderhouden", "koesteren"))
    idx = indexer(kdir, tmp_path)
    report = idx.ingest()
    new = Manifest.read(tmp_path / "index")
    assert new is not None and new.collection != old.collection
    changed = [c for c in new.chunks if c.path == "lesstof/netwerken.md"]
    assert isinstance(idx.embedder, HashEmbedder) and idx.embedder.calls == len(changed)
    assert report.embedded == len(changed) and report.reused == len(new.chunks) - len(changed)
    # The running reader keeps its collection: leased, so neither ingest nor gc removes it.
    assert idx.gc(grace=0).deleted == []
    assert reader.retrieve("contacten leggen netwerken").hits[0].chunk.path == \
        "lesstof/netwerken.md"
    reader.store.close()
    first.close()
    assert idx.gc(grace=0).deleted == [old.collection]
    assert collection_names(idx.client()) == [new.collection]


def test_is_current_checks_the_store_not_only_the_manifest(kdir: Path, tmp_path: Path) -> None:
    idx = indexer(kdir, tmp_path)
    idx.ingest()
    manifest = Manifest.read(tmp_path / "index")
    assert manifest is not None and idx.is_current()
    idx.client().delete_collection(manifest.collection)
    again = indexer(kdir, tmp_path)
    assert not again.is_current()
    report = again.ingest()
    assert report.embedded == report.chunks == len(manifest.chunks)
    assert again.is_current()
    assert collection_count(again.client(), manifest.collection) == len(manifest.chunks)


def test_manifest_of_the_previous_version_reuses_its_vectors(kdir: Path, tmp_path: Path) -> None:
    import json

    indexer(kdir, tmp_path).ingest()
    path = tmp_path / "index" / "index.json"
    raw = json.loads(path.read_text())
    raw["signature"]["store"] = "embedded"  # earlier manifests recorded the store (URL)
    path.write_text(json.dumps(raw))
    idx = indexer(kdir, tmp_path)
    assert not idx.is_current()
    report = idx.ingest()
    assert not report.rebuilt and report.embedded == 0
    assert isinstance(idx.embedder, HashEmbedder) and idx.embedder.calls == 0
    assert idx.is_current()


def test_lease_heartbeat_refreshes_and_release_removes_it(tmp_path: Path) -> None:
    import time

    from bot.retrieval.leases import Lease, read_usage
    from bot.retrieval.vectorstore import make_client

    client = make_client(tmp_path / "chroma")
    lease = Lease(client, "wijkwijs_test", heartbeat=0.05)
    first = read_usage(client).last_seen["wijkwijs_test"]
    time.sleep(0.3)
    usage = read_usage(client)
    assert usage.live["wijkwijs_test"] == [lease.holder]
    assert usage.last_seen["wijkwijs_test"] > first
    assert read_usage(client, ttl=0.0, now=time.time() + 1).live == {}  # expired when silent
    lease.release()
    assert read_usage(client).last_seen == {}


def test_embedded_collection_lost_while_running_is_rebuilt(kdir: Path, tmp_path: Path) -> None:
    indexer(kdir, tmp_path).ingest()
    reader = HybridRetriever.open(tmp_path / "index", HashEmbedder("hash-a"))
    repair = indexer(kdir, tmp_path)
    repair.attach(reader.store)
    expected = [h.chunk.id for h in reader.retrieve("contacten leggen netwerken").hits]
    repair.client().delete_collection(reader.manifest.collection)
    assert [h.chunk.id for h in reader.retrieve("contacten leggen netwerken").hits] == expected
    assert isinstance(repair.embedder, HashEmbedder)
    assert repair.embedder.calls == len(reader.chunks)
