"""Process-wide runtime switches (bot.services.configure_runtime)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import numpy as np
from threadpoolctl import threadpool_info
from bot.services import configure_runtime
from bot.settings import Settings
configure_runtime(Settings(_env_file=None, telegram_token="1:x"))
blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
print(blas)
"""


def test_blas_runs_on_one_thread_so_it_does_not_fight_the_embedder() -> None:
    """numpy's BLAS threads spinning after the question-key product doubled the next query
    embedding's time on 2 cores; configure_runtime limits BLAS to one thread (fresh process,
    so the test does not depend on what other tests set)."""
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True,
                         env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"})
    threads = json.loads(out.stdout.strip().splitlines()[-1])
    assert threads and all(n == 1 for n in threads), out.stdout
