"""Private files: the data directory is 0700, the database (with its WAL/SHM) and caches 0600.

Participants' answers and chats live there; nobody else on the machine should read them.
`private_umask` (set by the CLI for the whole process) covers files that libraries create
(Chroma, caches, lock files); the explicit helpers also repair an existing installation.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_umask() -> None:
    os.umask(0o077)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700; tighten it when it already exists."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    with contextlib.suppress(PermissionError):  # not ours (e.g. a mounted volume): leave it
        path.chmod(DIR_MODE)
    return path


def private_file(path: Path) -> None:
    """Create ``path`` empty as 0600 when missing; tighten it when it exists.

    SQLite creates the -wal and -shm files with the database file's mode, so a 0600 database
    keeps its journal private too."""
    if not path.parent.exists():
        private_dir(path.parent)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE))
    with contextlib.suppress(PermissionError):
        path.chmod(FILE_MODE)
    for suffix in ("-wal", "-shm"):
        journal = path.with_name(path.name + suffix)
        with contextlib.suppress(FileNotFoundError, PermissionError):
            journal.chmod(FILE_MODE)
