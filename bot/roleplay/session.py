"""The state of one role-play conversation. Plain data, JSON-serialisable, survives a restart."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

from bot.roleplay.analyser import DETECTED

Status = Literal["active", "agreement", "max_turns", "stopped"]
STATUSES: tuple[str, ...] = get_args(Status)
STATE_VERSION = 1


@dataclass
class TurnRecord:
    """One exchange: what the participant said and how the persona reacted."""

    user: str
    persona: str
    resistance: int
    """Resistance after this turn."""
    analysis: dict[str, Any] = field(default_factory=dict)
    """`TurnAnalysis.summary()` of the participant's reply."""
    kind: str = ""
    """Which kind of persona line answered (see `bot.roleplay.voice.ReactionKind`)."""

    def score(self, technique: str) -> float:
        scores = self.analysis.get("scores", {})
        return float(scores.get(technique, 0.0)) if isinstance(scores, dict) else 0.0

    @property
    def techniques(self) -> list[str]:
        """The classifier's decision for this turn (older states: from the scores)."""
        found = self.analysis.get("techniques")
        if isinstance(found, list):
            return [str(t) for t in found]
        scores = self.analysis.get("scores", {})
        return [str(k) for k, v in scores.items() if float(v) >= DETECTED] if isinstance(
            scores, dict) else []

    def used(self, technique: str) -> bool:
        return technique in self.techniques

    def to_dict(self) -> dict[str, Any]:
        return {
            "user": self.user,
            "persona": self.persona,
            "resistance": self.resistance,
            "analysis": self.analysis,
            "kind": self.kind,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TurnRecord:
        return cls(
            user=str(data["user"]),
            persona=str(data["persona"]),
            resistance=int(data["resistance"]),
            analysis=dict(data.get("analysis") or {}),
            kind=str(data.get("kind", "")),
        )


@dataclass
class RoleplaySession:
    """Everything needed to continue a conversation later; change it only through the engine."""

    scenario_id: str
    resistance: int
    """Current resistance, 0 (open) .. 100 (completely against)."""
    start_resistance: int
    seed: int
    """Seeds the persona's line choice: the same replies give the same conversation."""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    status: Status = "active"
    turns: int = 0
    transcript: list[TurnRecord] = field(default_factory=list)
    used_lines: dict[str, list[int]] = field(default_factory=dict)
    """Per reaction kind, the indexes of lines already said (so lines don't repeat)."""
    revealed: int = 0
    """How many ``on_question`` lines (the concern, step by step) were revealed."""
    hints_given: list[str] = field(default_factory=list)
    """Keys of the hints already given (``scenario:0``, ``open-question``, ``push:3`` …)."""
    concern_addressed: bool = False
    last_line: str = ""
    """The persona's most recent line."""
    started_at: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def ended(self) -> bool:
        return self.status != "active"

    def used(self, technique: str) -> bool:
        """Whether the participant used ``technique`` in any turn so far."""
        return any(t.used(technique) for t in self.transcript)

    def used_any(self, techniques: tuple[str, ...] | list[str]) -> bool:
        return any(self.used(t) for t in techniques)

    @property
    def asked_open_question(self) -> bool:
        return any(int(t.analysis.get("open_questions", 0)) > 0 for t in self.transcript)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "id": self.id,
            "scenario_id": self.scenario_id,
            "resistance": self.resistance,
            "start_resistance": self.start_resistance,
            "seed": self.seed,
            "status": self.status,
            "turns": self.turns,
            "transcript": [t.to_dict() for t in self.transcript],
            "used_lines": {k: list(v) for k, v in self.used_lines.items()},
            "revealed": self.revealed,
            "hints_given": list(self.hints_given),
            "concern_addressed": self.concern_addressed,
            "last_line": self.last_line,
            "started_at": self.started_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoleplaySession:
        """Rebuild a session from `to_dict()` output; raises ValueError on broken state."""
        try:
            status = str(data.get("status", "active"))
            if status not in STATUSES:
                raise ValueError(f"unknown status {status!r}")
            return cls(
                scenario_id=str(data["scenario_id"]),
                resistance=max(0, min(100, int(data["resistance"]))),
                start_resistance=int(data.get("start_resistance", data["resistance"])),
                seed=int(data.get("seed", 0)),
                id=str(data.get("id") or uuid.uuid4().hex),
                status=cast(Status, status),
                turns=int(data.get("turns", 0)),
                transcript=[TurnRecord.from_dict(t) for t in data.get("transcript", [])],
                used_lines={
                    str(k): [int(i) for i in v] for k, v in dict(data.get("used_lines", {})).items()
                },
                revealed=int(data.get("revealed", 0)),
                hints_given=[str(h) for h in data.get("hints_given", [])],
                concern_addressed=bool(data.get("concern_addressed", False)),
                last_line=str(data.get("last_line", "")),
                started_at=str(data.get("started_at", "")),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"broken role-play state: {exc!r}") from None
