"""Ingest and retrieval against a real Chroma server (`chroma run` on 127.0.0.1)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.retrieval.index import Indexer, Manifest
from bot.retrieval.retriever import HybridRetriever
from bot.retrieval.vectorstore import collection_count, collection_names
from bot.services import build_indexer, ensure_index
from bot.settings import Settings
from tests.conftest import KNOWLEDGE, ROOT, HashEmbedder, make_settings
from tests.test_ingest import lesstof
from tests.test_knowledge_loader import GOOD, make_kdir

CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    if not CHROMA.exists() and shutil.which("chroma") is None:
        pytest.skip("chroma CLI not installed")
    port = free_port()
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("chroma server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_ingest_and_retrieve_against_chroma_server(tmp_path: Path, chroma_url: str) -> None:
    kdir = make_kdir(tmp_path, {
        "lesstof/netwerken.md": GOOD,
        "lesstof/promotie.md": lesstof("promotie", "programmas-en-activiteiten",
                                       "Promotie doe je met posters en sociale media."),
    })
    index = tmp_path / "index"
    report = Indexer(kdir, index, HashEmbedder(), chroma_url=chroma_url).ingest()
    assert report.embedded == report.chunks > 0
    assert not (index / "chroma").exists()  # nothing embedded locally
    retriever = HybridRetriever.open(index, HashEmbedder(), chroma_url=chroma_url)
    hit = retriever.retrieve("posters en sociale media promotie").hits[0]
    assert hit.chunk.topic == "promotie" and hit.dense > 0
    # Incremental against the server too.
    (kdir / "lesstof/promotie.md").unlink()
    report = Indexer(kdir, index, HashEmbedder(), chroma_url=chroma_url).ingest()
    assert report.removed == 1
    retriever = HybridRetriever.open(index, HashEmbedder(), chroma_url=chroma_url)
    assert {c.topic for c in retriever.chunks} == {"netwerken"}
    assert retriever.store.all_ids() == {c.id for c in retriever.chunks}


# --- Replica safety (issue 10, item 5) -------------------------------------------------------


def server_client(url: str) -> Any:
    from bot.retrieval.vectorstore import make_client

    return make_client(Path("/nonexistent"), url)


def knowledge_copy(tmp_path: Path, name: str = "knowledge") -> Path:
    """A private copy of the real knowledge/ (so a test can change a file)."""
    kdir = tmp_path / name
    shutil.copytree(KNOWLEDGE, kdir)
    return kdir


def settings_for(tmp_path: Path, kdir: Path, url: str) -> Settings:
    return make_settings(tmp_path, knowledge_dir=kdir, chroma_url=url)


def start(settings: Settings, embedder: HashEmbedder) -> HybridRetriever:
    """What the bot does at start-up: make the index current, then open it."""
    ensure_index(settings, embedder, lambda _m: None)
    return HybridRetriever.open(settings.index_dir, embedder, settings.chroma_url)


QUESTION = "Hoe leg je contact met partners in de wijk?"


def test_url_spellings_share_one_collection(tmp_path: Path, chroma_url: str) -> None:
    port = chroma_url.rsplit(":", 1)[1]
    kdir = knowledge_copy(tmp_path)
    a_embedder, b_embedder = HashEmbedder(), HashEmbedder()
    a = start(settings_for(tmp_path / "a", kdir, f"http://127.0.0.1:{port}"), a_embedder)
    b = start(settings_for(tmp_path / "b", kdir, f"http://LocalHost:{port}/"), b_embedder)
    assert a_embedder.calls == len(a.chunks) > 100
    assert b_embedder.calls == 0  # the second replica found the collection complete
    assert a.manifest.collection == b.manifest.collection
    assert collection_names(server_client(chroma_url)) == [a.manifest.collection]
    top_a = [h.chunk.id for h in a.retrieve(QUESTION).hits]
    assert top_a and top_a == [h.chunk.id for h in b.retrieve(QUESTION).hits]


def test_newer_knowledge_gets_its_own_collection_and_old_stays(tmp_path: Path,
                                                               chroma_url: str) -> None:
    old_k = knowledge_copy(tmp_path, "old")
    new_k = knowledge_copy(tmp_path, "new")
    changed = new_k / "lesstof/netwerken.md"
    changed.write_text(changed.read_text() + "\nNieuw: de buurtbarbecue als ontmoetingsplek.\n")
    old = start(settings_for(tmp_path / "old-data", old_k, chroma_url), HashEmbedder())
    new_embedder = HashEmbedder()
    new = start(settings_for(tmp_path / "new-data", new_k, chroma_url), new_embedder)
    assert new.manifest.collection != old.manifest.collection
    # Only the changed file was embedded; the rest was copied from the old collection.
    changed_chunks = [c for c in new.chunks if c.path == "lesstof/netwerken.md"]
    assert new_embedder.calls == len(changed_chunks) > 0
    # The new replica's gc (even with no grace) leaves the collection the old one uses.
    new_indexer = build_indexer(settings_for(tmp_path / "new-data", new_k, chroma_url),
                                HashEmbedder())
    report = new_indexer.gc(grace=0)
    assert report.deleted == [] and old.manifest.collection in report.kept
    before = [h.chunk.id for h in old.retrieve(QUESTION).hits]
    assert before and all(cid in old._by_id for cid in before)
    assert any("barbecue" in h.chunk.text for h in new.retrieve("buurtbarbecue").hits)
    # A restart of the old replica still finds its index current: no rebuild, no loss.
    old_again = build_indexer(settings_for(tmp_path / "old-data", old_k, chroma_url),
                              HashEmbedder())
    assert old_again.is_current()


def test_deleted_collection_is_rebuilt_at_restart(tmp_path: Path, chroma_url: str) -> None:
    kdir = knowledge_copy(tmp_path)
    settings = settings_for(tmp_path / "data", kdir, chroma_url)
    first = start(settings, HashEmbedder())
    name = first.manifest.collection
    assert first.retrieve(QUESTION).grounded
    client = server_client(chroma_url)
    client.delete_collection(name)
    indexer = build_indexer(settings, HashEmbedder())
    assert not indexer.is_current()  # the local manifest alone is not enough
    embedder = HashEmbedder()
    again = start(settings, embedder)
    assert embedder.calls == len(again.chunks)
    assert again.manifest.collection == name
    assert collection_count(client, name) == len(again.chunks)
    assert [h.chunk.id for h in again.retrieve(QUESTION).hits] == \
        [h.chunk.id for h in first.retrieve(QUESTION).hits]  # the old store finds it again
    # A partly emptied collection is not current either.
    coll = client.get_collection(name, embedding_function=None)
    coll.delete(ids=[again.chunks[0].id])
    assert not build_indexer(settings, HashEmbedder()).is_current()
    repaired = HashEmbedder()
    start(settings, repaired)
    assert repaired.calls == 1 and collection_count(client, name) == len(again.chunks)


USER_SCRIPT = """
import sys
from pathlib import Path
from bot.retrieval.retriever import HybridRetriever
from tests.conftest import HashEmbedder
r = HybridRetriever.open(Path(sys.argv[1]), HashEmbedder(), sys.argv[2])
print(r.manifest.collection, flush=True)
sys.stdin.readline()
"""


def test_gc_removes_only_unused_old_collections(tmp_path: Path, chroma_url: str) -> None:
    client = server_client(chroma_url)
    client.create_collection("someone-else", embedding_function=None)
    kdirs, settings = [], []
    for i in range(3):
        (tmp_path / f"k{i}").mkdir()
        kdir = make_kdir(tmp_path / f"k{i}", {"lesstof/netwerken.md": GOOD, "lesstof/extra.md":
                         lesstof("promotie", "programmas-en-activiteiten", f"Versie {i}.")})
        kdirs.append(kdir)
        settings.append(settings_for(tmp_path / f"d{i}", kdir, chroma_url))
        indexer = build_indexer(settings[i], HashEmbedder())
        indexer.ingest()
        indexer.close()  # the ingesting process is gone
    names = [Manifest.read(s.index_dir).collection for s in settings]  # type: ignore[union-attr]
    assert len(set(names)) == 3
    # Another process (a running bot) uses version 0.
    user = subprocess.Popen([sys.executable, "-c", USER_SCRIPT, str(settings[0].index_dir),
                             chroma_url], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert user.stdout is not None and user.stdout.readline().strip() == names[0]
        gc = build_indexer(settings[2], HashEmbedder())
        # A grace period keeps the unused one for now (it is first marked idle).
        report = gc.gc(grace=3600)
        assert report.deleted == [] and set(report.kept) == set(names)
        # The CLI, as an operator runs it for installation 2: only version 1 is unused.
        env = {**os.environ, "WIJKWIJS_DATA_DIR": str(settings[2].data_dir),
               "WIJKWIJS_KNOWLEDGE_DIR": str(kdirs[2]), "WIJKWIJS_CHROMA_URL": chroma_url,
               "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, "-m", "bot.cli", "index", "gc"], env=env,
                             capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert out.returncode == 0, out.stderr
        assert f"verwijderd: {names[1]}" in out.stdout
        assert sorted(collection_names(client)) == sorted([names[0], names[2]])
        assert "someone-else" in [c.name for c in client.list_collections()]
    finally:
        user.kill()  # like kill -9: no clean release, the lease expires
        user.wait(timeout=20)
    ttl_gc = build_indexer(settings[2], HashEmbedder())
    assert ttl_gc.gc(grace=0).deleted == []  # its last heartbeat is younger than the TTL
    ttl_gc.lease_ttl = 1.0
    time.sleep(1.1)
    assert ttl_gc.gc(grace=0).deleted == [names[0]]
    assert collection_names(client) == [names[2]]  # never the installation's own index


def test_prebuilt_embedded_index_is_uploaded_to_empty_server(tmp_path: Path,
                                                             chroma_url: str) -> None:
    kdir = knowledge_copy(tmp_path)
    data = tmp_path / "data"
    # Docker build: `wijkwijs ingest` without a Chroma server (embedded store under data/).
    build_embedder = HashEmbedder()
    embedded = start(make_settings(data, knowledge_dir=kdir), build_embedder)
    assert build_embedder.calls == len(embedded.chunks)
    # The container starts with CHROMA_URL pointing at an empty server.
    settings = settings_for(data, kdir, chroma_url)
    assert not build_indexer(settings, HashEmbedder()).is_current()
    run_embedder = HashEmbedder()
    report = ensure_index(settings, run_embedder, lambda _m: None)
    assert report is not None and report.reused == len(embedded.chunks) and report.embedded == 0
    assert run_embedder.calls == 0
    served = HybridRetriever.open(data / "index", run_embedder, chroma_url)
    client = server_client(chroma_url)
    assert collection_count(client, served.manifest.collection) == len(embedded.chunks)
    assert served.store.all_ids() == {c.id for c in served.chunks}
    hits = served.retrieve(QUESTION).hits
    assert [h.chunk.id for h in hits] == [h.chunk.id for h in embedded.retrieve(QUESTION).hits]
    assert hits[0].dense == pytest.approx(embedded.retrieve(QUESTION).hits[0].dense, abs=1e-5)


def test_collection_lost_while_running_is_rebuilt_on_the_next_question(
        tmp_path: Path, chroma_url: str) -> None:
    kdir = knowledge_copy(tmp_path)
    a_settings = settings_for(tmp_path / "a", kdir, chroma_url)
    b_settings = settings_for(tmp_path / "b", kdir, chroma_url)
    a, b = start(a_settings, HashEmbedder()), start(b_settings, HashEmbedder())
    embedder = HashEmbedder()
    build_indexer(a_settings, embedder).attach(a.store)  # as build_services does
    expected = [h.chunk.id for h in a.retrieve(QUESTION).hits]
    server_client(chroma_url).delete_collection(a.manifest.collection)  # e.g. a wiped volume
    assert [h.chunk.id for h in a.retrieve(QUESTION).hits] == expected
    assert embedder.calls == len(a.chunks)  # rebuilt once, by the replica that noticed
    # The other replica (no indexer attached) picks up the rebuilt collection.
    assert [h.chunk.id for h in b.retrieve(QUESTION).hits] == expected


def test_replicas_starting_at_once_build_one_complete_collection(tmp_path: Path,
                                                                 chroma_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    kdir = knowledge_copy(tmp_path)
    all_settings = [settings_for(tmp_path / f"r{i}", kdir, chroma_url) for i in range(3)]
    with ThreadPoolExecutor(3) as pool:
        retrievers = list(pool.map(lambda s: start(s, HashEmbedder()), all_settings))
    names = {r.manifest.collection for r in retrievers}
    assert len(names) == 1
    client = server_client(chroma_url)
    assert collection_names(client) == sorted(names)
    assert collection_count(client, names.pop()) == len(retrievers[0].chunks)
    assert all(build_indexer(s, HashEmbedder()).is_current() for s in all_settings)
