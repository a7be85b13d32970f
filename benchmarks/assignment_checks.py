"""Agreement and speed of the assignment checks on the labelled answers.

    PYTHONPATH=. .venv/bin/python benchmarks/assignment_checks.py [--misses] [--out F]

Reports the tuning set (tests/eval/assignment_answers.yaml), the held-out set
(tests/eval/assignment_answers_heldout.yaml, written before the checks, never tuned on) and the
probe sets (assignment_answers_probe.yaml, written after the checks to find their limits, then
used for fixes; assignment_answers_probe2.yaml, written before those fixes, never tuned on)
separately: exact agreement (the same set of warnings) and verdict agreement (in orde
or not), per answer type; plus the time per check (rules only, no model).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from benchutil import emit  # noqa: E402

from bot.assignments import load_assignments  # noqa: E402
from bot.assignments.evaluate import Report, evaluate, load_cases  # noqa: E402

FILES = {
    "tuning": ROOT / "tests" / "eval" / "assignment_answers.yaml",
    "heldout": ROOT / "tests" / "eval" / "assignment_answers_heldout.yaml",
    "probe": ROOT / "tests" / "eval" / "assignment_answers_probe.yaml",
    "probe2": ROOT / "tests" / "eval" / "assignment_answers_probe2.yaml",
}


def as_dict(report: Report) -> dict[str, object]:
    return {
        "answers": len(report.outcomes),
        "exact": round(report.exact, 4),
        "verdict": round(report.verdict, 4),
        "by_type": {t: {"n": n, "exact": round(e, 4), "verdict": round(v, 4)}
                    for t, (n, e, v) in report.by_type().items()},
        "misses": [{"id": o.case.id, "expect": sorted(o.case.expect), "got": sorted(o.got)}
                   for o in report.misses()],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="print every disagreement")
    parser.add_argument("--out", type=Path, default=None, help="write the JSON result here")
    args = parser.parse_args()
    start = time.perf_counter()
    assignments = load_assignments(ROOT / "knowledge")
    load_seconds = time.perf_counter() - start
    result: dict[str, object] = {"load_ms": round(load_seconds * 1000, 1)}
    for name, path in FILES.items():
        cases = load_cases(path)
        report = evaluate(assignments, cases)
        # Speed: repeat the whole set so the per-check time is stable.
        rounds = 20
        t0 = time.perf_counter()
        for _ in range(rounds):
            evaluate(assignments, cases)
        per_check = (time.perf_counter() - t0) / (rounds * len(cases))
        result[name] = {**as_dict(report), "ms_per_check": round(per_check * 1000, 3)}
        print(report.summary(f"{name} ({path.name})"), file=sys.stderr)
        if args.misses:
            for o in report.misses():
                print(f"  {o.case.id}: expected {sorted(o.case.expect)}, got {sorted(o.got)}",
                      file=sys.stderr)
    emit(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
