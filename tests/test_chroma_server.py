"""Ingest and retrieval against a real Chroma server (`chroma run` on 127.0.0.1)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.retrieval.index import Indexer
from bot.retrieval.retriever import HybridRetriever
from tests.conftest import HashEmbedder
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
