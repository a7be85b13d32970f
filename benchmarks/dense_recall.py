"""Dense search: is Chroma's top k the exact top k, and the same in every process?

Usage:
    .venv/bin/python benchmarks/dense_recall.py [--data-dir data] [--layout current|default]
        [--k 30] [--json OUT]

Reads the vectors of the index in DATA_DIR (run any CLI command once to build it), copies them
into a fresh embedded Chroma collection with either the current search layout
(``bot.retrieval.vectorstore.hnsw_config``) or Chroma's defaults (layout 1: ef_search 100, two
construction threads), reopens it (as every start does), and queries it with the questions of
the dev answer sets (never a held-out set). Reports recall of the exact top k (brute-force
cosine over all vectors), the share of questions with a perfect top k, and a digest of all
returned ids: run it twice, and differing digests mean results differ between processes. Also
the time of each Chroma query (p50 / p95, ms; the query embedding is not included).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchutil import emit  # noqa: E402

DEV_SETS = ["answers.yaml", "answers_dev2.yaml", "answers_dev3.yaml", "answers_dev4.yaml"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--layout", choices=["current", "default"], default="current")
    parser.add_argument("--k", type=int, default=30)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    import chromadb

    from bot.retrieval.embeddings import make_embedder
    from bot.retrieval.index import Manifest
    from bot.retrieval.vectorstore import find_collection, hnsw_config, make_client
    from bot.services import configure_runtime
    from bot.settings import load_settings

    settings = load_settings()
    configure_runtime(settings)
    index_dir = args.data_dir / "index"
    manifest = Manifest.read(index_dir)
    if manifest is None:
        print(f"no index in {index_dir}; run `wijkwijs ingest` first", file=sys.stderr)
        return 2
    source = find_collection(make_client(index_dir / "chroma"), manifest.collection)
    assert source is not None
    got = source.get(include=["embeddings"])
    ids = list(got["ids"])
    vectors = np.asarray(got["embeddings"], dtype=np.float32)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    questions = [q["question"] for name in DEV_SETS
                 for q in yaml.safe_load((ROOT / "tests/eval" / name).read_text())["questions"]]
    queries = make_embedder(settings.embedding_model).encode_queries(questions)
    exact = np.argsort(-(queries @ unit.T), axis=1, kind="stable")[:, : args.k]

    with tempfile.TemporaryDirectory() as tmp:
        client = chromadb.PersistentClient(path=tmp)
        kwargs: dict[str, Any] = (
            {"configuration": {"hnsw": hnsw_config(len(ids))}} if args.layout == "current"
            else {"metadata": {"hnsw:space": "cosine"}})
        coll = client.create_collection("bench_recall", embedding_function=None, **kwargs)
        for start in range(0, len(ids), 100):
            coll.add(ids=ids[start : start + 100],
                     embeddings=vectors[start : start + 100].tolist())
        del coll, client
        coll = chromadb.PersistentClient(path=tmp).get_collection("bench_recall")
        recalls: list[float] = []
        times: list[float] = []
        digest = hashlib.sha256()
        for qi, q in enumerate(queries):
            started = time.perf_counter()
            res = coll.query(query_embeddings=[q.tolist()], n_results=args.k, include=[])
            times.append((time.perf_counter() - started) * 1000)
            returned = res["ids"][0]
            digest.update("|".join(returned).encode())
            recalls.append(len({ids[j] for j in exact[qi]} & set(returned)) / args.k)
    result = {
        "layout": args.layout, "vectors": len(ids), "questions": len(questions), "k": args.k,
        "recall_mean": round(float(np.mean(recalls)), 4),
        "recall_min": round(float(np.min(recalls)), 4),
        "perfect_share": round(float(np.mean(np.asarray(recalls) == 1.0)), 4),
        "ids_digest": digest.hexdigest()[:12],
        "query_p50_ms": round(float(np.percentile(times, 50)), 2),
        "query_p95_ms": round(float(np.percentile(times, 95)), 2),
    }
    emit(result, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
