"""Who uses which index collection: heartbeat leases and a safe garbage collector.

Every open `VectorStore` writes a small record into the ``wijkwijs-leases`` collection on the same
Chroma (server or embedded store) and refreshes it every ``HEARTBEAT_SECONDS``. A lease whose last
heartbeat is older than ``LEASE_TTL`` belongs to a dead process. A collection is removed only when
no live lease names it and it has been idle for at least the grace period, counted from the latest
of: its creation, the last heartbeat that named it, and the first gc run that found it unused
(an "idle" marker, which also covers collections of older versions that never wrote leases).

Clocks of replicas are compared with each other: keep them roughly in sync (NTP), well within
``LEASE_TTL``.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from bot.retrieval.vectorstore import META_CREATED, collection_names, find_collection

log = logging.getLogger(__name__)

LEASES = "wijkwijs-leases"
HEARTBEAT_SECONDS = 60.0
LEASE_TTL = 300.0
RETRY_SECONDS = 5.0
RELEASE_TIMEOUT = 3.0
_DUMMY = [1.0]  # Chroma wants a vector per record; leases only use the metadata


def lease_collection(client: Any) -> Any:
    return client.get_or_create_collection(LEASES, embedding_function=None)


class Lease:
    """An "in use" record for one collection, refreshed by a daemon thread until released."""

    def __init__(self, client: Any, collection: str,
                 heartbeat: float | None = None) -> None:
        self.client = client
        self.collection = collection
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self.record_id = f"lease:{self.holder}"
        self._stop = threading.Event()
        self._released = False
        self.touch()
        interval = HEARTBEAT_SECONDS if heartbeat is None else heartbeat
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True,
                                        name=f"lease-{collection}")
        self._thread.start()
        atexit.register(self.release)

    def touch(self) -> None:
        lease_collection(self.client).upsert(
            ids=[self.record_id],
            embeddings=[_DUMMY],
            metadatas=[{"kind": "lease", "collection": self.collection, "holder": self.holder,
                        "seen": time.time()}],
        )

    def _run(self, interval: float) -> None:
        wait = interval
        while not self._stop.wait(wait):
            try:
                self.touch()
            except Exception as exc:  # the server may be restarting: retry soon
                level = logging.WARNING if wait == interval else logging.DEBUG
                log.log(level, "lease heartbeat for %s failed: %s", self.collection, exc)
                wait = min(interval, RETRY_SECONDS)
            else:
                if wait != interval:
                    log.warning("lease heartbeat for %s works again", self.collection)
                wait = interval

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        self._stop.set()
        atexit.unregister(self.release)

        def delete() -> None:
            try:
                lease_collection(self.client).delete(ids=[self.record_id])
            except Exception as exc:  # expiry takes care of it
                log.debug("lease release for %s failed: %s", self.collection, exc)

        # Bounded: an unreachable server must not hold up a shutdown; the lease expires anyway.
        worker = threading.Thread(target=delete, daemon=True, name=f"release-{self.collection}")
        worker.start()
        worker.join(RELEASE_TIMEOUT)


@dataclass
class Usage:
    live: dict[str, list[str]] = field(default_factory=dict)
    """collection -> holders with a live lease"""
    last_seen: dict[str, float] = field(default_factory=dict)
    idle_since: dict[str, float] = field(default_factory=dict)
    dead: list[str] = field(default_factory=list)
    """record ids of expired leases"""


def read_usage(client: Any, ttl: float = LEASE_TTL, now: float | None = None,
               collection: str | None = None) -> Usage:
    now = time.time() if now is None else now
    where = {"collection": collection} if collection else None
    res = lease_collection(client).get(where=where, include=["metadatas"])
    usage = Usage()
    for rid, meta in zip(res["ids"], res.get("metadatas") or [], strict=False):
        if not meta:
            continue
        name = str(meta.get("collection", ""))
        if meta.get("kind") == "idle":
            usage.idle_since[name] = float(meta.get("since", now))  # type: ignore[arg-type]
            continue
        seen = float(meta.get("seen", 0.0))  # type: ignore[arg-type]
        usage.last_seen[name] = max(seen, usage.last_seen.get(name, 0.0))
        if now - seen <= ttl:
            usage.live.setdefault(name, []).append(str(meta.get("holder", rid)))
        else:
            usage.dead.append(rid)
    return usage


@dataclass
class GcReport:
    deleted: list[str] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)
    """collection -> why it was kept"""


def collect_garbage(client: Any, keep: set[str], grace: float, ttl: float = LEASE_TTL,
                    dry_run: bool = False, now: float | None = None) -> GcReport:
    """Delete index collections that nobody uses and that have been idle for ``grace`` seconds."""
    now = time.time() if now is None else now
    usage = read_usage(client, ttl, now)
    leases = lease_collection(client)
    report = GcReport()
    names = collection_names(client)
    for name in names:
        if name in keep:
            report.kept[name] = "huidige index van deze installatie"
            continue
        if usage.live.get(name):
            report.kept[name] = f"in gebruik ({len(usage.live[name])} proces(sen))"
            if name in usage.idle_since and not dry_run:
                leases.delete(ids=[f"idle:{name}"])
            continue
        coll = find_collection(client, name)
        if coll is None:
            continue
        marker = usage.idle_since.get(name)
        if marker is None:
            marker = now
            if not dry_run:
                leases.upsert(ids=[f"idle:{name}"], embeddings=[_DUMMY],
                              metadatas=[{"kind": "idle", "collection": name, "since": now}])
        created = float((coll.metadata or {}).get(META_CREATED, 0.0))
        idle = now - max(marker, usage.last_seen.get(name, 0.0), created)
        if idle < grace:
            report.kept[name] = f"ongebruikt sinds {idle:.0f} s (wacht {grace:.0f} s)"
            continue
        if read_usage(client, ttl, time.time(), collection=name).live.get(name):
            report.kept[name] = "net in gebruik genomen"  # re-checked just before deleting
            continue
        if not dry_run:
            client.delete_collection(name)
            leases.delete(ids=[f"idle:{name}"])
        report.deleted.append(name)
    if not dry_run:
        gone = [f"idle:{n}" for n in usage.idle_since if n not in names]
        if usage.dead or gone:
            leases.delete(ids=usage.dead + gone)
    return report
