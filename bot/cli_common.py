"""What every ``wijkwijs`` subcommand module shares: progress output, settings, preflight."""

from __future__ import annotations

import sys

from bot.settings import Settings, settings_or_exit


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_settings() -> Settings:
    return settings_or_exit()


def preflight(settings: Settings, *, database: bool = True) -> None:
    """Unreachable database or Chroma server: StartupError (one line, exit 3) before any work."""
    from bot.preflight import preflight as check

    check(settings, database=database)
