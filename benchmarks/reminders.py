"""Reminder burst: N participants due in the same minute, while another user asks questions.

Usage:
    .venv/bin/python benchmarks/reminders.py [--participants 10000] [--json OUT]

Runs the real Application (polling, real rate limiter) against the fake Bot API server.
Measures: time to store N reminder settings, time to find the due ones, the send rate the
dispatcher holds (it paces at 20/s, under Telegram's ~30/s, leaving room for answers), question
latency for another participant during the burst, and peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchutil import emit, pct  # noqa: E402

LOCAL = dt.datetime(2026, 12, 1, 19, 31, tzinfo=ZoneInfo("Europe/Amsterdam"))
NOW = LOCAL.astimezone(dt.UTC)



async def bench(n: int, data_dir: Path) -> dict[str, float]:
    from bot.services import build_services, configure_runtime
    from bot.settings import Settings
    from bot.telegram.application import build_application
    from bot.telegram.common import reminder_dispatcher
    from tests.fakes.telegram_server import FakeTelegramServer

    settings = Settings(_env_file=None, data_dir=data_dir,  # type: ignore[call-arg]
                        knowledge_dir=ROOT / "knowledge", telegram_token="123:ABC",
                        questions_per_minute=1000)
    configure_runtime(settings)
    db_file = data_dir / "wijkwijs.db"
    db_file.unlink(missing_ok=True)
    services = build_services(settings, lambda _m: None)
    services = dataclasses.replace(services, clock=lambda: NOW - dt.timedelta(hours=3))

    t0 = time.perf_counter()
    for uid in range(1, n + 1):
        services.participants.touch(100_000 + uid, 100_000 + uid, f"Deelnemer {uid}")
        services.reminders.set_time(100_000 + uid, 100_000 + uid, "19:30")
    store_s = time.perf_counter() - t0
    services = dataclasses.replace(services, clock=lambda: NOW)
    t0 = time.perf_counter()
    due = len(services.reminders.due(NOW))
    due_s = time.perf_counter() - t0

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
            dispatcher = reminder_dispatcher(app)
            start = time.perf_counter()
            run = asyncio.create_task(dispatcher.run_once(NOW))
            asker = 42
            while not run.done():
                q0 = time.perf_counter()
                await tg.send_message(asker, "hoe ga ik om met weerstand van een collega")
                await tg.wait_for_messages(asker, timeout=60)
                latencies.append((time.perf_counter() - q0) * 1000)
                await asyncio.sleep(0.5)
            report = await run
            elapsed = time.perf_counter() - start
            sent_requests = len(tg.requests("sendMessage"))
            await app.updater.stop()
            await app.stop()
    services.close()
    return {
        "participants": n,
        "store_settings_s": round(store_s, 2),
        "find_due_s": round(due_s, 3),
        "due": due,
        "sent": report.sent,
        "failed": report.failed,
        "dispatch_seconds": round(elapsed, 1),
        "send_rate_per_s": round(report.sent / elapsed, 2),
        "send_messages_total": sent_requests,
        "questions_during_burst": len(latencies),
        "question_latency_p50_ms": round(statistics.median(latencies), 1),
        "question_latency_p95_ms": round(pct(latencies, 95), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--data-dir", type=Path, help="reuse a data dir (keeps its index)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="wijkwijs-rem-bench-"))
    result = asyncio.run(bench(args.participants, data_dir))
    emit(result, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
