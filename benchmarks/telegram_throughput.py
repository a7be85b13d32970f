"""Telegram throughput: 20 simulated users × 20 questions through the fake Bot API server.

Usage:
    .venv/bin/python benchmarks/telegram_throughput.py [--users 20] [--questions 20]
        [--rate 30] [--data-dir DIR] [--json OUT]

The bot runs as its own process (``wijkwijs run``, polling over HTTP on 127.0.0.1) against
tests/fakes/telegram_server.py in this process, as it would against Telegram. Each user sends a
question, waits for the answer, then sends the next; all users run at once. Reports answered
questions per second and send-to-answer latency p50/p95. ``--rate`` is the bot-wide message
limit (default 30/s like Telegram; 0 = no limiter): with the limit on, throughput cannot exceed
it by design. The per-user flood guard is raised for the run. ``--data-dir`` reuses an index.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchutil import emit, pct  # noqa: E402


async def bench(users: int, per_user: int, rate: float, data_dir: Path) -> dict[str, float]:
    from bot.evaluation import load_eval_questions
    from tests.fakes.telegram_server import FakeTelegramServer

    questions = [q.question for q in load_eval_questions(ROOT / "tests/eval/questions.yaml")]
    latencies: list[float] = []
    async with FakeTelegramServer(default_token="123:ABC") as tg:
        env = dict(os.environ, WIJKWIJS_TELEGRAM_TOKEN="123:ABC",
                   WIJKWIJS_TELEGRAM_API_URL=tg.api_root, WIJKWIJS_DATA_DIR=str(data_dir),
                   WIJKWIJS_KNOWLEDGE_DIR=str(ROOT / "knowledge"),
                   WIJKWIJS_QUESTIONS_PER_MINUTE="1000", WIJKWIJS_UPDATES_PER_MINUTE="1000",
                   WIJKWIJS_RATE_LIMIT_PER_SECOND=str(rate),
                   WIJKWIJS_LOG_LEVEL="WARNING")
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", env=env, cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        try:
            await tg.wait_for_request("getUpdates", timeout=300)

            async def user(uid: int) -> None:
                for i in range(per_user):
                    q = questions[(uid * per_user + i) % len(questions)]
                    t0 = time.perf_counter()
                    await tg.send_message(uid, q)
                    await tg.wait_for_count(uid, i + 1, timeout=60)
                    latencies.append((time.perf_counter() - t0) * 1000)

            start = time.perf_counter()
            await asyncio.gather(*(user(1000 + u) for u in range(users)))
            elapsed = time.perf_counter() - start
        finally:
            bot.send_signal(signal.SIGINT)
            await asyncio.wait_for(bot.wait(), 30)
    return {
        "users": users,
        "questions": users * per_user,
        "rate_limit_per_second": rate,
        "seconds": round(elapsed, 2),
        "questions_per_second": round(users * per_user / elapsed, 1),
        "latency_p50_ms": round(statistics.median(latencies), 1),
        "latency_p95_ms": round(pct(latencies, 95), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--rate", type=float, default=30)
    parser.add_argument("--data-dir", type=Path, help="copy the index from this data dir")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="wijkwijs-tg-bench-"))
    if args.data_dir and (args.data_dir / "index").is_dir():
        shutil.copytree(args.data_dir / "index", data_dir / "index")
    result = asyncio.run(bench(args.users, args.questions, args.rate, data_dir))
    emit(result, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
