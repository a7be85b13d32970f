"""Private data: data directory 0700; database, its WAL/SHM, caches and locks 0600."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from bot.store.db import Database
from bot.store.permissions import private_dir
from tests.conftest import ROOT


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_database_and_its_journal_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = Database(f"sqlite:///{data / 'wijkwijs.db'}")
    db.upgrade()
    with db.engine.connect() as conn:  # while a connection is open, -wal and -shm exist
        conn.execute(text("INSERT INTO user_state (user_id, key, value, updated_at) "
                          "VALUES (1, 'k', '1', '2027-01-05')"))
        conn.commit()
        assert mode(data) == 0o700
        for name in ("wijkwijs.db", "wijkwijs.db-wal", "wijkwijs.db-shm"):
            assert mode(data / name) == 0o600, name
    db.close()


def test_an_existing_installation_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    old = data / "wijkwijs.db"
    old.touch()
    old.chmod(0o644)
    private_dir(data)
    Database(f"sqlite:///{old}").close()
    assert (mode(data), mode(old)) == (0o700, 0o600)


def test_the_cli_creates_everything_private(tmp_path: Path) -> None:
    """`wijkwijs db upgrade` on a new machine; then any cache the process writes is 0600."""
    data = tmp_path / "data"
    code = ("import sys; from bot.cli import main; rc = main(['db', 'upgrade']); "
            "open(sys.argv[1] + '/cache.npy', 'wb').close(); sys.exit(rc)")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "WIJKWIJS_DATA_DIR": str(data)}
    done = subprocess.run([sys.executable, "-c", code, str(data)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert mode(data) == 0o700
    files = sorted(p.name for p in data.iterdir())
    assert "wijkwijs.db" in files and "cache.npy" in files
    for name in files:
        assert mode(data / name) == 0o600, name
