"""A fresh PostgreSQL database per test, when a server is configured.

Set ``WIJKWIJS_TEST_POSTGRES_URL`` to a URL of a role that may create databases, e.g.
``postgresql+psycopg://user:pw@127.0.0.1/postgres``. Without it (or when the server is not
reachable) the PostgreSQL variants of the tests are skipped with one clear reason.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ENV = "WIJKWIJS_TEST_POSTGRES_URL"


@contextmanager
def fresh_postgres_url(prefix: str = "reliability_t") -> Iterator[str]:
    admin_url = os.environ.get(PG_ENV, "")
    if not admin_url:
        pytest.skip(f"PostgreSQL variant: set {PG_ENV} to run it")
    name = f"{prefix}_{secrets.token_hex(4)}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"PostgreSQL not reachable at {PG_ENV}: {type(exc).__name__}")
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
