"""Generic persona behaviour (``knowledge/rollenspel/_persona.yaml``) and phrase picking.

The scenario files hold each persona's own lines; this book holds the reactions that make the
persona respond to what was just said: a key phrase quoted back, an acknowledgement that lands,
an off-topic remark, an insult, an agreement that names the participant's own proposal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Final, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.folding import fold
from bot.roleplay.normalise import tokens

PERSONA_FILE: Final = "_persona.yaml"
PHRASE_WORDS: Final = 8
PROPOSAL_WORDS: Final = 18
LEADING_FILLERS: Final = frozenset({"maar", "en", "dus", "want", "ja", "nee", "oke", "oké", "nou",
                                    "goh", "hm", "tja", "ach", "joh", "eh", "of"})
LineKind = Literal["acknowledged", "off_topic", "insult", "pushed", "question_elsewhere",
                   "ask_proposal", "agreement"]
_CLAUSE = re.compile(r"[.,;:!?…—–()\"“”]+|\s-\s")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")


class RegisterLines(BaseModel):
    model_config = ConfigDict(extra="forbid")

    je: list[str] = Field(min_length=1)
    u: list[str] = Field(min_length=1)

    def get(self, register: str) -> list[str]:
        return self.u if register == "u" else self.je


class PersonaBook(BaseModel):
    model_config = ConfigDict(extra="forbid")

    similarity_floor: float = Field(ge=-1, le=1)
    similarity_full: float = Field(ge=-1, le=1)
    reveal_from: float = Field(ge=0, le=1)
    keyword_relevance: float = Field(ge=0, le=1)
    concern_questions: list[str] = Field(min_length=1)
    small_talk: list[str] = Field(min_length=1)
    insult_weight: float = Field(ge=0, le=40)
    insult_words: list[str] = Field(default_factory=list)
    proposal_cues: list[str] = Field(default_factory=list)
    lines: dict[LineKind, RegisterLines]

    @field_validator("lines")
    @classmethod
    def _complete(cls, value: dict[str, RegisterLines]) -> dict[str, RegisterLines]:
        missing = sorted(set(LineKind.__args__) - set(value))  # type: ignore[attr-defined]
        if missing:
            raise ValueError(f"missing lines: {', '.join(missing)}")
        return value

    def is_insult(self, toks: list[str]) -> bool:
        words = {fold(w, keep_apostrophes=False) for w in self.insult_words}
        return any(t in words for t in toks)

    def options(self, kind: LineKind, register: str) -> list[str]:
        return self.lines[kind].get(register)


class PersonaBookError(ValueError):
    """``_persona.yaml`` is missing or invalid."""


def load_persona_book(folder: Path) -> PersonaBook:
    path = folder / PERSONA_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return PersonaBook.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise PersonaBookError(f"{path}: {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err.get("loc", ()))
        raise PersonaBookError(f"{path}: field '{loc}': {err.get('msg')}") from None


def _tidy(words: list[str]) -> str:
    while words and fold(words[0], keep_apostrophes=False) in LEADING_FILLERS:
        words = words[1:]
    text = " ".join(words).strip(" '\"‘’")
    if len(text) > 1 and text[0].isupper() and text[1:2].islower():
        text = text[0].lower() + text[1:]
    return text


def key_phrase(text: str, content: Callable[[str], set[str]]) -> str:
    """The clause with the most content words, at most `PHRASE_WORDS` words, fillers dropped."""
    clauses = [c.split() for c in _CLAUSE.split(text) if c.strip()]
    if not clauses:
        return ""
    best = max(clauses, key=lambda c: (len(content(" ".join(c))), -abs(len(c) - 5)))
    words = best
    if len(words) > PHRASE_WORDS:
        stems = content(" ".join(words))
        start = next((i for i, w in enumerate(words)
                      if any(fold(w, keep_apostrophes=False).startswith(s) for s in stems)), 0)
        start = max(0, min(start, len(words) - PHRASE_WORDS))
        words = words[start:start + PHRASE_WORDS]
    return _tidy(words) or _tidy(clauses[0][:PHRASE_WORDS])


def proposal_phrase(text: str, cues: list[str]) -> str:
    """The sentence that carries the proposal (the first with a proposal cue, else the last)."""
    found = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    if not found:
        return ""
    folded_cues = [" ".join(tokens(c)) for c in cues]
    chosen = next((s for s in found
                   if any(c and c in " ".join(tokens(s)) for c in folded_cues)), found[-1])
    words = chosen.rstrip("?.!").split()
    if len(words) > PROPOSAL_WORDS:
        words = [*words[:PROPOSAL_WORDS], "…"]
    return _tidy(words)
