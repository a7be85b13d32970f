"""The conversation techniques: ``knowledge/rollenspel/_technieken.yaml``.

Everything about a technique is data: its name, description, feedback texts (je and u form),
its weight on the persona's resistance and the roles the engine gives it. The code only knows
the roles (``listening``, ``softens``, ``question``, ``concern``, ``proposal``, ``pushes``), so a
new technique is a data change plus retraining the classifier.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.roleplay.normalise import Cue, compile_cue, tokens

TECHNIQUES_FILE: Final = "_technieken.yaml"
WEAK_CUE: Final = 0.4
"""Weight of a weak cue: below the 'used' threshold on its own."""

Register = Literal["je", "u"]
Role = Literal["listening", "softens", "question", "concern", "proposal", "pushes"]


class RegisterText(BaseModel):
    """A text in the je and the u form (a plain string in YAML serves both)."""

    model_config = ConfigDict(extra="forbid")

    je: str = Field(min_length=1)
    u: str = Field(min_length=1)

    def get(self, register: str) -> str:
        return self.u if register == "u" else self.je


def _register_text(value: object) -> object:
    return {"je": value, "u": value} if isinstance(value, str) else value


class TechniqueEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    kind: Literal["good", "bad"]
    weight: float = Field(ge=0, le=30)
    """Resistance points one clear use moves (down for good, up for bad techniques)."""
    roles: list[Role] = Field(default_factory=list)
    description: str = Field(min_length=1)
    tip: RegisterText
    next_time: RegisterText
    negatable: bool = False
    """A 'niet'/'geen' inside or just after the cue cancels it ('ik snap niet waarom')."""
    cues: list[str] = Field(default_factory=list)
    weak_cues: list[str] = Field(default_factory=list)

    @field_validator("tip", "next_time", mode="before")
    @classmethod
    def _either_form(cls, value: object) -> object:
        return _register_text(value)

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


class AvoidCriterion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)


HINT_KEYS: Final = ("after_push", "acknowledge", "open_question", "propose", "no_more")


class TechniqueBook(BaseModel):
    """Validated content of ``_technieken.yaml``."""

    model_config = ConfigDict(extra="forbid")

    negations: list[str] = Field(min_length=1)
    stopwords: list[str] = Field(default_factory=list)
    questions: QuestionWords
    avoid: AvoidCriterion
    hints: dict[str, RegisterText]
    techniques: dict[str, TechniqueEntry] = Field(min_length=1)

    @field_validator("hints", mode="before")
    @classmethod
    def _hint_forms(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: _register_text(v) for k, v in value.items()}
        return value

    @field_validator("hints")
    @classmethod
    def _all_hints(cls, value: dict[str, RegisterText]) -> dict[str, RegisterText]:
        missing = sorted(set(HINT_KEYS) - set(value))
        if missing:
            raise ValueError(f"missing hints: {', '.join(missing)}")
        return value

    # Views --------------------------------------------------------------------------------------
    @property
    def ids(self) -> tuple[str, ...]:
        """All technique ids in file order (the classifier's label order)."""
        return tuple(self.techniques)

    @property
    def good(self) -> tuple[str, ...]:
        return tuple(k for k, e in self.techniques.items() if e.kind == "good")

    @property
    def bad(self) -> tuple[str, ...]:
        return tuple(k for k, e in self.techniques.items() if e.kind == "bad")

    @property
    def criteria(self) -> tuple[str, ...]:
        """Feedback criteria: the good techniques plus avoiding the bad ones."""
        return (*self.good, self.avoid.id)

    def with_role(self, role: Role) -> tuple[str, ...]:
        return tuple(k for k, e in self.techniques.items() if role in e.roles)

    def names(self) -> dict[str, str]:
        """Display name per technique id and criterion."""
        out = {k: e.name for k, e in self.techniques.items()}
        out[self.avoid.id] = self.avoid.name
        return out

    def descriptions(self) -> dict[str, str]:
        """Description per feedback criterion (for the LLM evaluator's prompt)."""
        out = {k: self.techniques[k].description for k in self.good}
        out[self.avoid.id] = self.avoid.description
        return out

    def hint(self, key: str, register: str) -> str:
        return self.hints[key].get(register)

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
