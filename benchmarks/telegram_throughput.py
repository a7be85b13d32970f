"""Telegram throughput: 20 simulated users × 20 questions through the fake Bot API server.

Usage:
    .venv/bin/python benchmarks/telegram_throughput.py [--users 20] [--questions 20]
        [--rate 30] [--json OUT]

Runs the real Application (polling over HTTP on 127.0.0.1) against tests/fakes/telegram_server.py
in one process. Each user sends a question, waits for the answer, then sends the next one; all
users run at once. Reports answered questions per second and send-to-answer latency p50/p95.
``--rate`` is the bot-wide message limit (default 30/s like Telegram; 0 = no limiter) — with the
limit on, throughput can't exceed it by design. The per-user flood guard is raised for the run.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


async def bench(users: int, per_user: int, rate: float) -> dict[str, float]:
    from bot.app import build_application, build_services, configure_runtime
    from bot.evaluation import load_eval_questions
    from bot.settings import Settings
    from tests.fakes.telegram_server import FakeTelegramServer

    questions = [q.question for q in load_eval_questions(ROOT / "tests/eval/questions.yaml")]
    data = Path(tempfile.mkdtemp(prefix="wijkwijs-tg-bench-"))
    settings = Settings(_env_file=None, data_dir=data,  # type: ignore[call-arg]
                        knowledge_dir=ROOT / "knowledge", telegram_token="123:ABC",
                        questions_per_minute=1000, rate_limit_per_second=rate)
    configure_runtime(settings)
    services = build_services(settings, lambda _m: None)
    latencies: list[float] = []
    async with FakeTelegramServer(default_token="123:ABC") as tg:
        settings = settings.model_copy(update={"telegram_api_url": tg.api_root})
        app = build_application(settings, dataclasses.replace(services, settings=settings))
        async with app:
            if app.post_init:
                await app.post_init(app)
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)

            async def user(uid: int) -> None:
                for i in range(per_user):
                    q = questions[(uid * per_user + i) % len(questions)]
                    t0 = time.perf_counter()
                    await tg.send_message(uid, q)
                    await tg.wait_for_messages(uid, timeout=60)
                    latencies.append((time.perf_counter() - t0) * 1000)

            start = time.perf_counter()
            await asyncio.gather(*(user(1000 + u) for u in range(users)))
            elapsed = time.perf_counter() - start
            await app.updater.stop()
            await app.stop()
    services.close()
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
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = asyncio.run(bench(args.users, args.questions, args.rate))
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
