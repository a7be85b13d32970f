"""``wijkwijs index status|gc``: the Chroma collections, who uses them, and cleaning up.

Hook-up (in bot/cli.py): ``add_index_parser(sub)``.

- ``wijkwijs index status``: every index collection with its size and live leases.
- ``wijkwijs index gc [--grace SECONDS] [--dry-run]``: delete collections that no running process
  holds a lease on (and that have been unused for ``--grace`` seconds). The collection of this
  installation's own index is always kept. Stop replicas of versions without leases first.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.retrieval.leases import LEASE_TTL

if TYPE_CHECKING:
    from bot.retrieval.index import Indexer


def add_index_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    p = subparsers.add_parser("index", help="show or clean up the Chroma collections")
    sub = p.add_subparsers(dest="index_command", required=True, metavar="ACTION")
    s = sub.add_parser("status", help="collections, their size and the processes using them")
    s.set_defaults(func=cmd_index_status)
    g = sub.add_parser("gc", help="delete collections no running process uses")
    g.add_argument("--grace", type=float, default=0.0,
                   help="only delete collections unused for at least this many seconds "
                        "(counted from the first gc that saw them unused; default 0)")
    g.add_argument("--dry-run", action="store_true", help="show what would be deleted")
    g.set_defaults(func=cmd_index_gc)
    return p


def _indexer() -> Indexer:
    from bot.services import build_indexer
    from bot.settings import settings_or_exit

    return build_indexer(settings_or_exit())


def _where(url: str) -> str:
    return f"Chroma-server {url}" if url else "lokale Chroma-opslag"


def cmd_index_status(args: argparse.Namespace) -> int:
    indexer = _indexer()
    try:
        infos = indexer.status()
    except Exception as exc:
        print(f"{_where(indexer.chroma_url)} niet bereikbaar (WIJKWIJS_CHROMA_URL): {exc}",
              file=sys.stderr)
        return 1
    print(f"{_where(indexer.chroma_url)}: {len(infos)} collectie(s); "
          f"een lease verloopt na {LEASE_TTL:.0f} s zonder hartslag")
    for info in infos:
        mark = "*" if info.current else " "
        users = ", ".join(info.holders) or "-"
        print(f"{mark} {info.name}  {info.count} stukken  in gebruik door: {users}")
    return 0


def cmd_index_gc(args: argparse.Namespace) -> int:
    indexer = _indexer()
    try:
        report = indexer.gc(grace=args.grace, dry_run=args.dry_run)
    except Exception as exc:
        print(f"{_where(indexer.chroma_url)} niet bereikbaar (WIJKWIJS_CHROMA_URL): {exc}",
              file=sys.stderr)
        return 1
    verb = "zou verwijderen" if args.dry_run else "verwijderd"
    for name in report.deleted:
        print(f"{verb}: {name}")
    for name, why in report.kept.items():
        print(f"bewaard: {name} ({why})")
    if not report.deleted:
        print("niets te verwijderen")
    return 0
