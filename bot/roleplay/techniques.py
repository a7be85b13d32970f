"""The conversation techniques and the cue/exemplar book in ``_technieken.yaml``."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.roleplay.normalise import Cue, compile_cue, tokens

GOOD_TECHNIQUES: Final = ("luisteren", "samenvatten", "doorvragen", "belang-ander", "voorstel")
"""Techniques that lower resistance (LSD plus 'what's in it for them' and a small next step)."""
BAD_MOVES: Final = ("tegenargumenteren", "wegwuiven", "druk", "zorg-negeren")
"""Counterproductive moves that raise resistance."""
ALL_TECHNIQUES: Final = GOOD_TECHNIQUES + BAD_MOVES
AVOID_CRITERION: Final = "vermijden"
"""Feedback criterion for avoiding the counterproductive moves."""
CRITERIA: Final = (*GOOD_TECHNIQUES, AVOID_CRITERION)

TECHNIQUES_FILE: Final = "_technieken.yaml"
WEAK_CUE: Final = 0.4
"""Weight of a weak cue: below the 'used' threshold on its own."""


class TechniqueEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    negatable: bool = False
    """A 'niet'/'geen' inside or just after the cue cancels it ('ik snap niet waarom',
    'er ligt nog niets vast')."""
    cues: list[str] = Field(default_factory=list)
    weak_cues: list[str] = Field(default_factory=list)
    exemplars: list[str] = Field(default_factory=list)

    @field_validator("cues", "weak_cues")
    @classmethod
    def _compilable(cls, value: list[str]) -> list[str]:
        for cue in value:
            compile_cue(cue)
        return value


class QuestionWords(BaseModel):
    model_config = ConfigDict(extra="forbid")

    open_words: list[str] = Field(min_length=1)
    open_phrases: list[str] = Field(default_factory=list)
    rhetorical: list[str] = Field(default_factory=list)


class TechniqueBook(BaseModel):
    """Validated content of ``_technieken.yaml``."""

    model_config = ConfigDict(extra="forbid")

    negations: list[str] = Field(min_length=1)
    stopwords: list[str] = Field(default_factory=list)
    questions: QuestionWords
    techniques: dict[str, TechniqueEntry]

    @field_validator("techniques")
    @classmethod
    def _known(cls, value: dict[str, TechniqueEntry]) -> dict[str, TechniqueEntry]:
        unknown = sorted(set(value) - set(ALL_TECHNIQUES))
        if unknown:
            raise ValueError(f"unknown techniques: {', '.join(unknown)}")
        missing = sorted(set(ALL_TECHNIQUES) - set(value))
        if missing:
            raise ValueError(f"missing techniques: {', '.join(missing)}")
        return value

    # Compiled helpers ---------------------------------------------------------------------------
    def compiled(self, technique: str) -> list[tuple[Cue, float]]:
        """``(cue, weight)`` pairs: full cues weigh 1.0, weak cues `WEAK_CUE`."""
        entry = self.techniques[technique]
        return [(compile_cue(c), 1.0) for c in entry.cues] + [
            (compile_cue(c), WEAK_CUE) for c in entry.weak_cues
        ]

    def stopword_set(self) -> frozenset[str]:
        return frozenset(t for w in self.stopwords for t in tokens(w))

    def negation_set(self) -> frozenset[str]:
        return frozenset(t for w in self.negations for t in tokens(w))


class TechniqueBookError(ValueError):
    """``_technieken.yaml`` is missing or invalid."""


def load_technique_book(path: Path) -> TechniqueBook:
    """Load ``_technieken.yaml``; raises `TechniqueBookError` with ``path: reason``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TechniqueBookError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise TechniqueBookError(f"{path}: bad YAML: {exc}") from None
    try:
        return TechniqueBook.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err.get("loc", ()))
        raise TechniqueBookError(f"{path}: field '{loc}': {err.get('msg')}") from None
