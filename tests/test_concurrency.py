"""Per-user ordering with concurrency across users."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.telegram.concurrency import PerUserUpdateProcessor


def update(update_id: int, user_id: int) -> Update:
    user = User(user_id, "T", is_bot=False)
    msg = Message(update_id, None, Chat(user_id, "private"), from_user=user, text="x")  # type: ignore[arg-type]
    return Update(update_id, message=msg)


async def test_same_user_in_order_other_users_concurrently() -> None:
    proc = PerUserUpdateProcessor()
    events: list[str] = []
    gate = asyncio.Event()

    async def work(name: str, wait: bool) -> None:
        events.append(f"start {name}")
        if wait:
            await gate.wait()
        events.append(f"end {name}")

    first = asyncio.create_task(proc.process_update(update(1, 10), work("a1", True)))
    second = asyncio.create_task(proc.process_update(update(2, 10), work("a2", False)))
    other = asyncio.create_task(proc.process_update(update(3, 20), work("b1", False)))
    await asyncio.wait_for(other, 2)  # user 20 is not blocked by user 10
    assert "end b1" in events and "start a2" not in events
    gate.set()
    await asyncio.wait_for(asyncio.gather(first, second), 2)
    assert events.index("end a1") < events.index("start a2")
    assert proc._locks == {}
