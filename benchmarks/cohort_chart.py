"""How long the trainer's progress PNG takes to draw, and how big it is.

    PYTHONPATH=. python benchmarks/cohort_chart.py [--out benchmarks/results/cohort_chart.json]

Synthetic rows (no database): 10, 40 and 200 participants × 4 assignments. The first render
includes importing matplotlib (paid once per process, in the worker thread).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.benchutil import emit, pct
from bot.trainer.chart import render_png
from bot.trainer.service import ParticipantRow

TOTALS = {1: 7, 2: 5, 3: 10, 4: 6}


def rows(n: int, rng: random.Random) -> list[ParticipantRow]:
    return [ParticipantRow(i, f"Deelnemer {i}", "", f"Deelnemer {i}",
                           {a: (rng.randint(0, t), t) for a, t in TOTALS.items()},
                           dt.datetime(2027, 1, 1, tzinfo=dt.UTC), False, "Voorjaar")
            for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(0)
    start = time.perf_counter()
    render_png(rows(10, rng), list(TOTALS), "warm-up")
    result: dict[str, object] = {"first_render_incl_import_s": round(
        time.perf_counter() - start, 3)}
    for n in (10, 40, 200):
        data = rows(n, rng)
        times, size = [], 0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            size = len(render_png(data, list(TOTALS), "Voortgang"))
            times.append(time.perf_counter() - t0)
        result[f"{n}_participants"] = {"median_s": round(pct(times, 50), 3),
                                       "max_s": round(max(times), 3), "png_bytes": size}
    emit(result, args.out)


if __name__ == "__main__":
    main()
