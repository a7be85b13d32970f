"""Schema migrations (Alembic), run at start-up under a lock and by `wijkwijs db …`.

Every replica calls :func:`upgrade` when it starts. A PostgreSQL advisory lock (a file lock next to
the database for SQLite) makes sure N replicas starting at once upgrade exactly once; the others
wait and then find the schema current. A database created by the first release (``create_all``,
no ``alembic_version`` table) is stamped with the baseline revision first, then upgraded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.store.db import Database

log = logging.getLogger(__name__)

BASELINE = "0001"
"""The schema of the first release, which created its tables without Alembic."""
ADVISORY_LOCK_ID = 7_311_420_001
"""Arbitrary constant shared by all replicas: pg_advisory_lock key for schema upgrades."""
_SCRIPTS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def history() -> list[str]:
    """Revisions newest first, one line each: 'rev  (down) message'."""
    script = ScriptDirectory.from_config(alembic_config())
    return [f"{rev.revision}  ({rev.down_revision or '-'})  {rev.doc}"
            for rev in script.walk_revisions()]


@contextmanager
def _migration_lock(db: Database) -> Iterator[Connection]:
    """A connection that holds the cluster-wide (or file) migration lock."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_LOCK_ID})
            conn.commit()
            try:
                yield conn
            finally:
                conn.rollback()
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_ID})
                conn.commit()
        return
    path = db.engine.url.database
    if db.engine.dialect.name == "sqlite" and path and path != ":memory:":
        from filelock import FileLock

        with FileLock(f"{path}.migrate.lock", mode=0o600), db.engine.connect() as conn:
            yield conn
        return
    with db.engine.connect() as conn:
        yield conn


def upgrade(db: Database, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to ``revision``; returns (before, after)."""
    with _migration_lock(db) as conn:
        cfg = alembic_config(conn)
        before = MigrationContext.configure(conn).get_current_revision()
        if before is None and inspect(conn).has_table("participants"):
            log.info("Database from the first release: marking it as revision %s", BASELINE)
            command.stamp(cfg, BASELINE)
            conn.commit()
            before = BASELINE
        command.upgrade(cfg, revision)
        conn.commit()
        after = MigrationContext.configure(conn).get_current_revision()
    if before != after:
        log.info("Database schema upgraded: %s -> %s", before or "empty", after)
    return before, after
