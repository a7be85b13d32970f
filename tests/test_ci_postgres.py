"""The PostgreSQL pass of `make test`: .ci/with-postgres.sh."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SCRIPT = ROOT / ".ci" / "with-postgres.sh"
PROBE = ("import os, sqlalchemy as sa; "
         "e = sa.create_engine(os.environ['WIJKWIJS_TEST_DATABASE_URL']); c = e.connect(); "
         "print('server', c.execute(sa.text('SHOW server_version')).scalar())")


def run(env: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    return subprocess.run([str(SCRIPT), *command], env={**base, **env}, capture_output=True,
                          text=True, timeout=180)


def test_without_postgresql_the_pass_is_skipped_with_one_line(tmp_path: Path) -> None:
    done = run({"WIJKWIJS_PG_LIB": str(tmp_path / "none"), "CI": ""}, "false")
    assert done.returncode == 0  # the command (`false`) never ran
    assert done.stdout.strip().splitlines() == [done.stdout.strip()]
    assert done.stdout.startswith("PostgreSQL pass skipped: PostgreSQL is not installed")


def test_a_given_server_url_is_used_as_is() -> None:
    done = run({"WIJKWIJS_TEST_DATABASE_URL": "postgresql+psycopg://u@h/db"},
               "sh", "-c", "echo $WIJKWIJS_TEST_DATABASE_URL")
    assert done.returncode == 0 and done.stdout.strip() == "postgresql+psycopg://u@h/db"


@pytest.mark.skipif(not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")),
                    reason="PostgreSQL is not installed")
def test_a_private_cluster_is_started_on_localhost_and_removed() -> None:
    done = run({}, sys.executable, "-c", PROBE)
    assert done.returncode == 0, done.stdout + done.stderr
    first, second = done.stdout.strip().splitlines()
    assert first.startswith("PostgreSQL pass: postgres (PostgreSQL)") and "127.0.0.1:" in first
    assert second.startswith("server ")
    cluster_dir = first.rsplit("private cluster in ", 1)[1].rstrip(")")
    assert not Path(cluster_dir).exists() and shutil.which("bash")
