"""Replicas and crashes, full size: two webhook replicas on one PostgreSQL database with a burst of
reminders and a kill -9 of the leader, and repeated kill -9s of a polling bot right after a
question arrived. Prints the figures recorded in docs/reliability.md.

    WIJKWIJS_TEST_DATABASE_URL=postgresql+psycopg://user:pw@127.0.0.1/postgres \\
    PYTHONPATH=. python benchmarks/replicas.py --reminders 1000 --kills 5 --data-dir .testindex

``--data-dir`` must hold a built index (e.g. the test index, or ./data after `wijkwijs ingest`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.store.db import Database  # noqa: E402
from bot.store.outbox import UNCERTAIN  # noqa: E402
from tests.fakes.telegram_server import FakeTelegramServer  # noqa: E402
from tests.pgutil import fresh_postgres_url  # noqa: E402
from tests.replicas import (  # noqa: E402
    TOKEN,
    BotProcess,
    add_due_reminders,
    bot_env,
    message_update,
    peak_rate,
    post_update,
    send_owners,
    send_statuses,
    start_bot,
    wait_webhook_ready,
    webhook_env,
)

FIRST_USER = 100_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def replicas(n: int, data_dir: Path, work: Path, duplicates: int) -> None:
    async with FakeTelegramServer(default_token=TOKEN) as tg:
        with fresh_postgres_url("reliability_bench") as url:
            db = Database(url)
            db.upgrade()
            bots: list[BotProcess] = []
            try:
                for i in range(2):
                    port = free_port()
                    bots.append(await start_bot(bot_env(tg, data_dir, url, **webhook_env(port)),
                                                work / f"replica{i}.log", port))
                await asyncio.gather(*(wait_webhook_ready(b) for b in bots))
                # Duplicate deliveries: every update to both replicas at the same time.
                for k in range(duplicates):
                    update = message_update(k + 1, 500 + k, "/help")
                    await asyncio.gather(*(post_update(b.port or 0, update) for b in bots))
                await asyncio.sleep(3)
                answers = [len(tg.sent_messages(500 + k)) for k in range(duplicates)]
                print(f"duplicate deliveries: {duplicates} updates x 2 replicas -> answers per "
                      f"update: min {min(answers)}, max {max(answers)}")

                users = range(FIRST_USER, FIRST_USER + n)
                await asyncio.to_thread(add_due_reminders, db, users)
                start = time.monotonic()

                def sends() -> list[float]:
                    return [r.at for r in tg.requests("sendMessage")
                            if int(r.params["chat_id"]) >= FIRST_USER and r.status == 200]

                while len(sends()) < n // 2:  # noqa: ASYNC110 - state of another process
                    await asyncio.sleep(0.05)
                [owner] = await asyncio.to_thread(send_owners, db)
                leader = next(b for b in bots if f":{b.pid}:" in owner)
                leader.kill9()
                killed_at = time.monotonic()
                before = len(sends())

                def settled() -> bool:
                    st = send_statuses(db)
                    return len(st) == n and all(s in ("sent", UNCERTAIN) for s in st.values())

                deadline = time.monotonic() + 600
                while not await asyncio.to_thread(settled) and time.monotonic() < deadline:  # noqa: ASYNC110
                    await asyncio.sleep(0.2)
                times = sends()
                after = sorted(t for t in times if t > killed_at)
                statuses = await asyncio.to_thread(send_statuses, db)
                counts = {u: len(tg.sent_messages(u)) for u in users}
                doubled = sum(1 for c in counts.values() if c > 1)
                uncertain = [u for u, s in statuses.items() if s == UNCERTAIN]
                lost = sum(1 for u, c in counts.items() if c == 0 and u not in uncertain)
                span = max(times) - min(times)
                print(f"reminders: {n} due, {len(times)} delivered, {doubled} doubled, "
                      f"{lost} lost, {len(uncertain)} uncertain "
                      f"({sum(counts[u] for u in uncertain)} of them delivered)")
                print(f"leader killed after {before} sends; first send of the new leader "
                      f"{(after[0] - killed_at) if after else float('nan'):.2f} s later")
                print(f"rate: peak {peak_rate(times)} msg in any 1 s, mean "
                      f"{len(times) / span:.1f} msg/s over {span:.1f} s "
                      f"(burst started {min(times) - start:.1f} s after the reminders were due)")
            finally:
                for b in bots:
                    await b.stop()
                db.close()


async def polling_kills(kills: int, data_dir: Path, work: Path) -> None:
    async with FakeTelegramServer(default_token=TOKEN) as tg:
        url = f"sqlite:///{work / 'polling.db'}"
        Database(url).upgrade()
        env = bot_env(tg, data_dir, url)
        rng = random.Random(11)
        bot = await start_bot(env, work / "polling0.log")
        answered_once = 0
        doubled = lost = 0
        try:
            for k in range(kills):
                await tg.wait_for_request("getUpdates", timeout=300)
                user = 900 + k
                await tg.send_message(user, "wat is een elevator pitch?")
                await asyncio.sleep(rng.uniform(0.0, 0.4))
                bot.kill9()
                await bot.proc.wait()
                bot = await start_bot(env, work / f"polling{k + 1}.log")
                with contextlib.suppress(AssertionError):  # counted as lost below
                    await tg.wait_for_messages(user, timeout=300)
                await asyncio.sleep(2.0)
                n = len(tg.sent_messages(user))
                answered_once += n == 1
                doubled += n > 1
                lost += n == 0
            print(f"polling: {kills} kill -9s 0-0.4 s after a question: {answered_once} answered "
                  f"once after the restart, {lost} lost, {doubled} doubled")
        finally:
            await bot.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=1000)
    parser.add_argument("--duplicates", type=int, default=20)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".testindex")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reliability-bench-") as tmp:
        work = Path(tmp)
        if args.reminders:
            asyncio.run(replicas(args.reminders, args.data_dir.resolve(), work, args.duplicates))
        if args.kills:
            asyncio.run(polling_kills(args.kills, args.data_dir.resolve(), work))


if __name__ == "__main__":
    main()
