"""The quality criteria of the assignments as data: ``knowledge/opdrachten/controles.yaml``.

The file is read once (with the assignments); patterns are compiled here so a check is a
handful of regular-expression searches.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

log = logging.getLogger(__name__)

CRITERIA_FILE = Path("opdrachten") / "controles.yaml"
"""Relative to the knowledge directory."""
GROUP_NUMBER = re.compile(r"-\d+-")


class PartSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    patterns: list[str] = Field(min_length=1)
    message: str = Field(min_length=1)
    case_sensitive: bool = False


class CountSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min: int = Field(default=1, ge=1)
    advice: int | None = Field(default=None, ge=1)
    reasons: bool = False
    noun: str = ""
    example: str = ""


class SidesSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partner: str = Field(min_length=1)
    bibliotheek: str = Field(min_length=1)


class ItemSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: CountSpec | None = None
    parts: list[PartSpec] = Field(default_factory=list)
    advice: list[PartSpec] = Field(default_factory=list)
    sides: SidesSpec | None = None
    vague: str = ""


class CriteriaFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lexicons: dict[str, list[str]] = Field(default_factory=dict)
    items: dict[int, dict[str, ItemSpec | None]] = Field(default_factory=dict)


@dataclass(frozen=True)
class Part:
    id: str
    pattern: re.Pattern[str]
    message: str


@dataclass(frozen=True)
class ItemCriteria:
    """The compiled checks of one checklist item (shared by every item of a group)."""

    count: CountSpec | None = None
    parts: tuple[Part, ...] = ()
    advice: tuple[Part, ...] = ()
    sides: SidesSpec | None = None
    vague: str = ""


@dataclass(frozen=True)
class Lexicons:
    """Compiled word lists the checks use besides the per-item parts."""

    library_strong: re.Pattern[str]
    library_weak: re.Pattern[str]
    partner: re.Pattern[str]
    partner_weak: re.Pattern[str]
    concrete: tuple[re.Pattern[str], ...]
    vague: re.Pattern[str]
    deferral: re.Pattern[str]
    reason: re.Pattern[str]


NEVER = re.compile(r"(?!x)x")


@dataclass(frozen=True)
class Criteria:
    lexicons: Lexicons
    items: dict[tuple[int, str], ItemCriteria] = field(default_factory=dict)

    def for_item(self, assignment: int, item_id: str) -> ItemCriteria | None:
        """Criteria of ``item_id`` ('partner-2-waarde' finds 'partner-waarde')."""
        found = self.items.get((assignment, item_id))
        if found is None:
            found = self.items.get((assignment, GROUP_NUMBER.sub("-", item_id, count=1)))
        return found


def _expand(patterns: list[str], lexicons: dict[str, list[str]], seen: frozenset[str]) -> list[str]:
    out: list[str] = []
    for p in patterns:
        if p.startswith("@"):
            name = p[1:]
            if name not in lexicons or name in seen:
                raise ValueError(f"unknown or circular lexicon {p!r}")
            out += _expand(lexicons[name], lexicons, seen | {name})
        else:
            out.append(p)
    return out


def _compile(patterns: list[str], lexicons: dict[str, list[str]],
             case_sensitive: bool = False) -> re.Pattern[str]:
    expanded = _expand(patterns, lexicons, frozenset())
    if not expanded:
        return NEVER
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile("|".join(f"(?:{p})" for p in expanded), flags)


def _part(spec: PartSpec, lexicons: dict[str, list[str]]) -> Part:
    return Part(spec.id, _compile(spec.patterns, lexicons, spec.case_sensitive), spec.message)


def build_criteria(raw: CriteriaFile) -> Criteria:
    lx = raw.lexicons
    concrete_names = ("weekdays", "months", "numbers", "frequency", "activities", "people")
    lexicons = Lexicons(
        library_strong=_compile(lx.get("library_strong", []), lx),
        library_weak=_compile(lx.get("library_weak", []), lx),
        partner=_compile(lx.get("partner", []), lx),
        partner_weak=_compile(lx.get("partner_weak", []), lx),
        concrete=tuple(_compile(lx.get(n, []), lx) for n in concrete_names),
        vague=_compile(lx.get("vague_phrases", []), lx),
        deferral=_compile(lx.get("deferral", []), lx),
        reason=_compile(lx.get("reason_words", []), lx, case_sensitive=True),
    )
    items: dict[tuple[int, str], ItemCriteria] = {}
    for number, specs in raw.items.items():
        for item_id, spec in specs.items():
            spec = spec or ItemSpec()
            items[(number, item_id)] = ItemCriteria(
                count=spec.count,
                parts=tuple(_part(p, lx) for p in spec.parts),
                advice=tuple(_part(p, lx) for p in spec.advice),
                sides=spec.sides,
                vague=spec.vague,
            )
    return Criteria(lexicons, items)


EMPTY = build_criteria(CriteriaFile())
"""No criteria: only the word and entry counts of the opdracht files are checked."""


def parse_criteria(data: Any) -> Criteria:
    return build_criteria(CriteriaFile.model_validate(data or {}))


def load_criteria(knowledge_dir: Path) -> Criteria:
    """Read ``opdrachten/controles.yaml``; a missing or invalid file is logged (no checks)."""
    path = knowledge_dir / CRITERIA_FILE
    if not path.is_file():
        return EMPTY
    try:
        return parse_criteria(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError, ValueError, re.error) as exc:
        log.warning("%s: ignored, invalid: %s", path, exc)
        return EMPTY
