"""How many invite codes can an attacker try? (issue 11, item 4)

Runs the real throttle (`bot.store.access.AccessStore`, SQLite in a temp dir) against an attacker
who tries a wrong code the moment the bot would check one again, on a virtual clock, for
``--hours`` hours: once with one Telegram account, once rotating through ``--accounts`` accounts.
Also times a burst of 300 wrong codes from one account (wall clock, database included).

    PYTHONPATH=. python benchmarks/invite_bruteforce.py [--hours 24] [--accounts 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.benchutil import emit
from bot.settings import Settings
from bot.store.access import AccessStore, ThrottlePolicy
from bot.store.db import Database


def policies(settings: Settings) -> tuple[ThrottlePolicy, ThrottlePolicy]:
    user = ThrottlePolicy(settings.invite_free_attempts, settings.invite_delay_seconds,
                          settings.invite_max_delay_seconds)
    everyone = ThrottlePolicy(settings.invite_global_free_attempts, settings.invite_delay_seconds,
                              settings.invite_max_delay_seconds,
                              reset_after=dt.timedelta(hours=1))
    return user, everyone


def attack(store: AccessStore, accounts: int, hours: float, user: ThrottlePolicy,
           everyone: ThrottlePolicy) -> int:
    """Wrong codes actually checked in ``hours`` by an attacker who never waits longer than
    needed (one try per second while locked, rotating accounts)."""
    start = now = dt.datetime(2026, 1, 1)
    end = start + dt.timedelta(hours=hours)
    checked, account = 0, 0
    while now < end:
        result = store.try_invite(10_000 + account, "fout", now, static_code="",
                                  user_policy=user, global_policy=everyone)
        if result.status == "wrong":
            checked += 1
            account = (account + 1) % accounts
        else:  # locked: jump to when the lock ends (the attempts in between change nothing)
            now += max(result.wait, dt.timedelta(seconds=1))
            continue
        now += dt.timedelta(seconds=1)
    return checked


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=24)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    user, everyone = policies(settings)
    with tempfile.TemporaryDirectory() as tmp:
        results: dict[str, object] = {"hours": args.hours, "accounts": args.accounts,
                                      "settings": {"free": user.free, "delay_s": user.delay,
                                                   "max_delay_s": user.max_delay,
                                                   "global_free": everyone.free}}
        checked = {}
        for name, accounts in (("one_account", 1), ("many_accounts", args.accounts)):
            db = Database(f"sqlite:///{Path(tmp) / f'{name}.db'}")
            db.upgrade()
            checked[name] = attack(AccessStore(db), accounts, args.hours, user, everyone)
            results[f"{name}_codes_checked"] = checked[name]
            db.close()
        many = checked["many_accounts"]
        db = Database(f"sqlite:///{Path(tmp) / 'burst.db'}")
        db.upgrade()
        store = AccessStore(db)
        now = dt.datetime(2026, 1, 1)
        started = time.perf_counter()
        statuses = [store.try_invite(1, f"fout{i}", now, static_code="", user_policy=user,
                                     global_policy=everyone).status for i in range(300)]
        results["burst_300_seconds"] = round(time.perf_counter() - started, 3)
        results["burst_300_checked"] = statuses.count("wrong")
        results["burst_then_right_code"] = store.try_invite(
            1, "goed", now, static_code="goed", user_policy=user, global_policy=everyone).status
        db.close()
    per_day = many * 24 / args.hours
    years = 2 ** (8 * 16 - 1) / per_day / 365  # half the space of a 128-bit code
    results["years_to_guess_a_generated_code_at_that_rate"] = f"~10^{round(math.log10(years))}"
    emit(results, args.out)


if __name__ == "__main__":
    main()
