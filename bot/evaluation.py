"""Retrieval eval over ``tests/eval/questions.yaml``: hit@1, hit@3, MRR, out-of-scope accuracy."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.answering.service import AnswerService


@dataclass(frozen=True)
class EvalQuestion:
    question: str
    topics: tuple[str, ...]
    grounded: bool


def load_eval_questions(path: Path) -> list[EvalQuestion]:
    """The retrieval set (``question``, ``topics``, ``grounded``). An answer set
    (``tests/eval/answers*.yaml``: items with an ``intent``) is read as a retrieval set too:
    its follow-ups are left out (they need the previous answer) and ``buiten_scope`` items are
    out of scope, so held-out answer sets measure retrieval on questions it was never tuned on."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = raw["questions"] if isinstance(raw, dict) else raw
    out = []
    for item in items:
        if item.get("follow_up_of"):
            continue
        grounded = bool(item.get("grounded", item.get("intent") != "buiten_scope"))
        out.append(EvalQuestion(str(item["question"]), tuple(item.get("topics") or ()), grounded))
    return out


@dataclass
class EvalReport:
    model: str
    in_scope: int = 0
    out_of_scope: int = 0
    hit1: float = 0.0
    hit3: float = 0.0
    mrr: float = 0.0
    oos_accuracy: float = 0.0
    in_scope_grounded: float = 0.0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "misses"} | {"misses": self.misses}

    def render(self, verbose: bool = False) -> str:
        lines = [
            f"model: {self.model}",
            f"in scope: {self.in_scope}   out of scope: {self.out_of_scope}",
            f"hit@1: {self.hit1:.3f}",
            f"hit@3: {self.hit3:.3f}",
            f"MRR:   {self.mrr:.3f}",
            f"out-of-scope accuracy: {self.oos_accuracy:.3f}",
            f"in-scope answered (grounded): {self.in_scope_grounded:.3f}",
            f"time: {self.seconds:.2f} s",
        ]
        if verbose and self.misses:
            lines.append("misses:")
            lines.extend(f"  {m}" for m in self.misses)
        return "\n".join(lines)


def topic_rank(topics: list[str], wanted: tuple[str, ...]) -> int | None:
    """1-based rank of the first result whose topic answers the question, or None."""
    return next((i + 1 for i, t in enumerate(topics) if t in wanted), None)


def evaluate(service: AnswerService, questions: list[EvalQuestion], k: int = 5) -> EvalReport:
    report = EvalReport(model=service.retriever.embedder.name)
    started = time.perf_counter()
    rr_sum = hit1 = hit3 = grounded_in = oos_ok = 0.0
    for q in questions:
        result = service.retriever.retrieve(q.question, k=k)
        if not q.grounded:
            report.out_of_scope += 1
            if not result.grounded:
                oos_ok += 1
            else:
                report.misses.append(
                    f"OOS answered: {q.question!r} (dense {result.best_dense:.3f}, "
                    f"coverage {result.coverage:.2f})"
                )
            continue
        report.in_scope += 1
        topics = [h.chunk.topic for h in result.files()]
        rank = topic_rank(topics, q.topics)
        if rank is not None:
            rr_sum += 1.0 / rank
            hit1 += rank == 1
            hit3 += rank <= 3
        if rank is None or rank > 3:
            report.misses.append(f"miss@3: {q.question!r} want {list(q.topics)} got {topics[:3]}")
        if result.grounded:
            grounded_in += 1
        else:
            report.misses.append(f"not grounded: {q.question!r} (dense {result.best_dense:.3f}, "
                                 f"coverage {result.coverage:.2f})")
    n_in = max(report.in_scope, 1)
    report.hit1 = hit1 / n_in
    report.hit3 = hit3 / n_in
    report.mrr = rr_sum / n_in
    report.in_scope_grounded = grounded_in / n_in
    report.oos_accuracy = oos_ok / max(report.out_of_scope, 1)
    report.seconds = time.perf_counter() - started
    return report
