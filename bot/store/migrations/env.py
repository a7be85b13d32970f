"""Alembic environment: runs on the connection handed over by bot.store.migrate.

SQLite runs in batch mode (ALTER TABLE is limited there), PostgreSQL natively.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from bot.store.db import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called through bot.store.migrate
    raise RuntimeError("Run migrations through `wijkwijs db upgrade` (bot.store.migrate).")
_run(connection)
