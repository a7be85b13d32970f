"""Per-test databases for the suite's two passes: SQLite (default) and PostgreSQL.

The PostgreSQL pass is selected by the environment variable ``WIJKWIJS_TEST_DATABASE_URL``: the
SQLAlchemy URL of a PostgreSQL *server* (any existing database on it, e.g. ``…/postgres``) whose
user may CREATE DATABASE. Each test then gets its own fresh database, dropped afterwards.
``make test`` sets it (see .ci/with-postgres.sh) and runs the tests marked ``db`` a second time.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.store.db import Database

MakeDb = Callable[..., Database]
"""Type of the ``make_db`` fixture: ``make_db()`` / ``make_db(upgrade=False)``."""
ENV = "WIJKWIJS_TEST_DATABASE_URL"
DB_FIXTURES = frozenset({"db_url", "make_db", "services"})
"""A test using one of these fixtures touches the database: it is marked ``db`` and runs twice."""


def postgres_base_url() -> str | None:
    return os.environ.get(ENV) or None


def sqlite_url(tmp_path: Path, name: str = "test.db") -> str:
    return f"sqlite:///{tmp_path / name}"


@contextmanager
def fresh_postgres_database(base: str) -> Iterator[str]:
    """CREATE a uniquely named database on the server of ``base``; DROP it afterwards."""
    name = f"wjtest_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
