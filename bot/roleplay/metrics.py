"""Multi-label scores of the technique classifier: per-label thresholds, the `exclusive`
decision rule (with confident constructive/counterproductive pairs) and P/R/F1."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

THRESHOLD_GRID: Final = tuple(round(0.2 + 0.025 * i, 3) for i in range(25))
"""Candidate thresholds 0.2 … 0.8."""


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def best_thresholds(y: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """Per label the threshold (from `THRESHOLD_GRID`) with the best F1."""
    out = []
    for j in range(y.shape[1]):
        best = max(THRESHOLD_GRID, key=lambda t: (
            f1(int(((proba[:, j] >= t) & (y[:, j] == 1)).sum()),
               int(((proba[:, j] >= t) & (y[:, j] == 0)).sum()),
               int(((proba[:, j] < t) & (y[:, j] == 1)).sum())), -abs(t - 0.5)))
        out.append(best)
    return np.array(out)


PAIR_GRID: Final = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, math.inf)
"""Candidate pair margins (`best_pair_margins`); ``inf`` = the pair is never kept together."""
PAIR_MIN_SUPPORT: Final = 8
"""A constructive/counterproductive pair gets a margin only with this many training replies."""


def exclusive(proba: np.ndarray, thresholds: np.ndarray, good: np.ndarray | None,
              pair_margins: np.ndarray | None = None) -> np.ndarray:
    """Threshold decisions where a row keeps constructive and counterproductive labels together
    only for a confident allowed pair. When both kinds pass their thresholds, the kind whose best
    label clears its threshold by the larger share of the room above it (``(p - t) / (1 - t)``)
    wins; a label of the losing kind stays only if its own margin reaches
    ``pair_margins[w, l]`` for a winning label ``w`` that is on (``inf`` or no matrix: never).
    ``good`` None: thresholds only."""
    decided = (proba >= thresholds).astype(int)
    if good is None or not good.any() or good.all():
        return decided
    margin = (proba - thresholds) / np.maximum(1e-6, 1.0 - thresholds)
    on = decided == 1
    both = (on & good).any(axis=1) & (on & ~good).any(axis=1)
    if both.any():
        best_good = np.where(on & good, margin, -np.inf).max(axis=1)
        best_bad = np.where(on & ~good, margin, -np.inf).max(axis=1)
        drop = np.where((best_good >= best_bad)[:, None], ~good[None, :], good[None, :])
        if pair_margins is not None:
            # needed[r, l]: the smallest pair margin label l needs with a winner that is on
            winners = on & ~drop
            needed = np.where(winners[:, :, None], pair_margins[None, :, :], np.inf).min(axis=1)
            drop = drop & ~(margin >= needed)
        decided[both] = np.where(drop[both], 0, decided[both])
    return decided


def micro_f1(y: np.ndarray, decided: np.ndarray) -> float:
    tp = int(((decided == 1) & (y == 1)).sum())
    return f1(tp, int(((decided == 1) & (y == 0)).sum()), int(((decided == 0) & (y == 1)).sum()))


def best_pair_margins(y: np.ndarray, proba: np.ndarray, thresholds: np.ndarray,
                      good: np.ndarray, min_support: int = PAIR_MIN_SUPPORT) -> np.ndarray:
    """Per constructive/counterproductive pair with at least ``min_support`` replies labelled
    with both: the margin (from `PAIR_GRID`) from which `exclusive` keeps both, chosen on
    out-of-fold probabilities by micro-F1 (pairs in order of support, one pass; ties go to the
    stricter margin). Symmetric matrix, ``inf`` for every other pair."""
    n = y.shape[1]
    out = np.full((n, n), math.inf)
    pairs = sorted(((int((y[:, g] & y[:, b]).sum()), g, b) for g in range(n) if good[g]
                    for b in range(n) if not good[b]), reverse=True)
    for support, g, b in pairs:
        if support < min_support:
            break
        scored = []
        for t in PAIR_GRID:
            out[g, b] = out[b, g] = t
            scored.append((micro_f1(y, exclusive(proba, thresholds, good, out)), t))
        best = max(scored, key=lambda s: (round(s[0], 9), s[1]))[1]
        out[g, b] = out[b, g] = best
    return out


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int


def evaluate(y: np.ndarray, decided: np.ndarray, labels: Sequence[str]) -> dict[str, Scores]:
    """Per-label and ``micro`` precision/recall/F1."""
    out: dict[str, Scores] = {}
    totals = [0, 0, 0]
    for j, label in enumerate(labels):
        tp = int(((decided[:, j] == 1) & (y[:, j] == 1)).sum())
        fp = int(((decided[:, j] == 1) & (y[:, j] == 0)).sum())
        fn = int(((decided[:, j] == 0) & (y[:, j] == 1)).sum())
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        out[label] = Scores(tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0,
                            f1(tp, fp, fn), tp + fn)
    tp, fp, fn = totals
    out["micro"] = Scores(tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0,
                          f1(tp, fp, fn), tp + fn)
    return out


def scores_json(scores: dict[str, Scores]) -> dict[str, dict[str, float]]:
    """The scores as JSON-ready numbers (benchmark results), rounded to 3 decimals."""
    return {k: {"precision": round(s.precision, 3), "recall": round(s.recall, 3),
                "f1": round(s.f1, 3), "support": s.support} for k, s in scores.items()}


def render_scores(scores: dict[str, Scores]) -> str:
    lines = [f"{'technique':20s} {'P':>5s} {'R':>5s} {'F1':>5s} {'n':>5s}"]
    lines += [f"{k:20s} {s.precision:5.2f} {s.recall:5.2f} {s.f1:5.2f} {s.support:5d}"
              for k, s in scores.items()]
    return "\n".join(lines)
