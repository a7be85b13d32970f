"""Agreement of the assignment checks with hand-labelled answers.

The answers live in tests/eval/assignment_answers.yaml (tuning) and
assignment_answers_heldout.yaml (held out).

Each case is an answer with the warnings a careful trainer expects (``expect``, [] = in orde).
We report exact agreement (the same set of warnings) and verdict agreement (in orde or not),
per answer type, for the tuning file and the held-out file separately.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from bot.assignments.checks import review
from bot.assignments.models import Assignment


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    type: str
    assignment: int
    item: str
    text: str = ""
    expect: list[str] = Field(default_factory=list)


@dataclass
class Outcome:
    case: Case
    got: set[str]

    @property
    def exact(self) -> bool:
        return self.got == set(self.case.expect)

    @property
    def verdict(self) -> bool:
        return (not self.got) == (not self.case.expect)


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    def _rate(self, outcomes: Sequence[Outcome], attr: str) -> float:
        return sum(getattr(o, attr) for o in outcomes) / len(outcomes) if outcomes else 0.0

    @property
    def exact(self) -> float:
        return self._rate(self.outcomes, "exact")

    @property
    def verdict(self) -> float:
        return self._rate(self.outcomes, "verdict")

    def by_type(self) -> dict[str, tuple[int, float, float]]:
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            groups[o.case.type].append(o)
        return {t: (len(os), self._rate(os, "exact"), self._rate(os, "verdict"))
                for t, os in sorted(groups.items())}

    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.exact]

    def summary(self, title: str) -> str:
        per_answer = self.seconds * 1000 / max(1, len(self.outcomes))
        lines = [f"{title}: {len(self.outcomes)} answers, exact {self.exact:.1%}, "
                 f"verdict {self.verdict:.1%}, {per_answer:.2f} ms/answer"]
        for t, (n, exact, verdict) in self.by_type().items():
            lines.append(f"  {t:<11} n={n:<3} exact {exact:.1%}  verdict {verdict:.1%}")
        return "\n".join(lines)


def load_cases(path: Path) -> list[Case]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [Case.model_validate(c) for c in raw]


def evaluate(assignments: Sequence[Assignment], cases: Sequence[Case]) -> Report:
    by_number = {a.number: a for a in assignments}
    report = Report()
    start = time.perf_counter()
    for case in cases:
        assignment = by_number[case.assignment]
        item = assignment.get(case.item)
        if item is None:
            raise ValueError(f"{case.id}: unknown item {case.item!r} "
                             f"in assignment {case.assignment}")
        result = review(item, case.text, assignment.criteria_for(item),
                        assignment.criteria.lexicons)
        report.outcomes.append(Outcome(case, result.codes))
    report.seconds = time.perf_counter() - start
    return report
