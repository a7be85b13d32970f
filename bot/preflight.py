"""Start-up checks and ``wijkwijs health``: is every configured server reachable?

Each check raises `StartupError` with one Dutch/English line naming the setting. Nothing here
loads a model; the health check is cheap enough for a Docker HEALTHCHECK every 30 seconds.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable

from bot.settings import Settings, StartupError

TIMEOUT = 5.0


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    reason = getattr(exc, "reason", None) or exc
    return str(reason).strip().splitlines()[0] if str(reason).strip() else type(exc).__name__


def check_database(settings: Settings, *, schema: bool = False) -> None:
    """Connect once; with ``schema`` also require the newest migration."""
    from bot.store.db import Database

    db = Database(settings.sqlalchemy_url)
    try:
        db.check()
        if schema:
            from bot.store import migrate

            current, head = migrate.current_revision(db), migrate.head_revision()
            if current != head:
                raise StartupError(f"Database niet bijgewerkt / schema not current: revision "
                                   f"{current or 'none'}, expected {head} (wijkwijs db upgrade)")
    finally:
        db.close()


def check_chroma(settings: Settings) -> None:
    if not settings.chroma_url:
        return
    try:
        with urllib.request.urlopen(f"{settings.chroma_url}/api/v2/heartbeat",
                                    timeout=TIMEOUT) as resp:
            resp.read()
    except (OSError, ValueError) as exc:
        raise StartupError(
            f"Chroma-server niet bereikbaar / Chroma server unreachable: "
            f"WIJKWIJS_CHROMA_URL={settings.chroma_url} ({_reason(exc)})"
        ) from None


def check_index(settings: Settings) -> None:
    """The index matches knowledge/ and the model (manifest; the server when one is used)."""
    from bot.retrieval.embeddings import make_embedder
    from bot.services import build_indexer

    check_chroma(settings)
    indexer = build_indexer(settings, make_embedder(settings.embedding_model))
    if not indexer.is_current():
        raise StartupError(f"Index ontbreekt of is verouderd / index missing or stale: "
                           f"{settings.index_dir} (wijkwijs ingest)")


def check_bot_api(settings: Settings) -> None:
    if not settings.telegram_token:
        raise StartupError("Geen Telegram-token / no Telegram token: WIJKWIJS_TELEGRAM_TOKEN")
    url = f"{settings.bot_base_url}{settings.telegram_token}/getMe"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:
            ok = bool(json.loads(resp.read()).get("ok"))
    except (OSError, ValueError) as exc:
        raise StartupError(
            f"Bot API niet bereikbaar / Bot API unreachable: WIJKWIJS_TELEGRAM_API_URL="
            f"{settings.telegram_api_url} ({_reason(exc)})"  # never the token
        ) from None
    if not ok:
        raise StartupError("Bot API weigert het token / token refused: WIJKWIJS_TELEGRAM_TOKEN")


def preflight(settings: Settings, *, database: bool = True, chroma: bool = True) -> None:
    """Before building services: fail with one line instead of a traceback later on."""
    if database and not settings.sqlalchemy_url.startswith("sqlite"):
        check_database(settings)
    if chroma:
        check_chroma(settings)


def health(settings: Settings, *, bot_api: bool = True) -> list[tuple[str, str | None]]:
    """(check, error or None) for database, index and Bot API."""
    checks: list[tuple[str, Callable[[], None]]] = [
        ("database", lambda: check_database(settings, schema=True)),
        ("index", lambda: check_index(settings)),
    ]
    if bot_api:
        checks.append(("bot-api", lambda: check_bot_api(settings)))
    results: list[tuple[str, str | None]] = []
    for name, check in checks:
        try:
            check()
            results.append((name, None))
        except StartupError as exc:
            results.append((name, str(exc)))
        except Exception as exc:  # a health check reports, it never crashes
            results.append((name, f"{type(exc).__name__}: {_reason(exc)}"))
    return results
