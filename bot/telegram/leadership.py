"""Runs `Leader.check` periodically and calls the "became leader" hooks (adopt unfinished
reminders, register the webhook). See bot.store.leader."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import Application

from bot.store.leader import Leader

log = logging.getLogger(__name__)

OnLead = Callable[[], Awaitable[None]]
HOOKS_KEY = "leader_hooks"


def on_lead(application: Application[Any, Any, Any, Any, Any, Any], hook: OnLead) -> None:
    """Register ``hook`` to run each time this process becomes the leader."""
    application.bot_data.setdefault(HOOKS_KEY, []).append(hook)


async def check_leadership(application: Application[Any, Any, Any, Any, Any, Any],
                           leader: Leader) -> bool:
    was = leader.is_leader
    now = await asyncio.to_thread(leader.check)
    if now and not was:
        for hook in application.bot_data.get(HOOKS_KEY, []):
            try:
                await hook()
            except Exception:
                log.exception("a leader start-up step failed")
    return now


def install_leader_job(application: Application[Any, Any, Any, Any, Any, Any], leader: Leader,
                       every: float) -> None:
    assert application.job_queue is not None

    async def job(_context: Any) -> None:
        await check_leadership(application, leader)

    application.job_queue.run_repeating(job, interval=every, first=0.2, name="leader")
