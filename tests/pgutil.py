"""A fresh PostgreSQL database for tests that need PostgreSQL itself (e.g. two processes).

They run in the PostgreSQL pass of ``make test`` (mark them ``db``), where
``WIJKWIJS_TEST_DATABASE_URL`` names the server (tests/pgtest.py); elsewhere they are skipped with
one clear reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.pgtest import ENV, fresh_postgres_database, postgres_base_url


@contextmanager
def fresh_postgres_url() -> Iterator[str]:
    base = postgres_base_url()
    if base is None:
        pytest.skip(f"needs PostgreSQL: runs in the PostgreSQL pass ({ENV})")
    with fresh_postgres_database(base) as url:
        yield url
