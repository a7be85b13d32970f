"""Role-play scenarios: the YAML files in ``knowledge/rollenspel/`` (docs/knowledge-format.md).

A bad file is reported as ``path:line: reason`` and skipped, like the Markdown loader does.
Files whose name starts with ``_`` are not scenarios (e.g. ``_technieken.yaml``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.knowledge.loader import InvalidFile as _Invalid
from bot.knowledge.loader import LoadError, decode_utf8, validation_reason, yaml_invalid
from bot.knowledge.models import ResistanceType, Slug

Difficulty = Literal["makkelijk", "gemiddeld", "moeilijk"]
SCENARIO_DIR = "rollenspel"
DIFFICULTY_ORDER: dict[str, int] = {"makkelijk": 0, "gemiddeld": 1, "moeilijk": 2}



class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Persona(_Strict):
    name: str = Field(min_length=1)
    role: str = Field(min_length=1)
    organisation: str = Field(min_length=1)
    traits: list[str] = Field(default_factory=list)


class Reactions(_Strict):
    """Persona lines per moment; see docs/knowledge-format.md."""

    high: list[str] = Field(min_length=3)
    medium: list[str] = Field(min_length=3)
    low: list[str] = Field(min_length=3)
    on_question: list[str] = Field(min_length=3)
    on_pressure: list[str] = Field(min_length=2)
    agreement: list[str] = Field(min_length=1)

    @field_validator("*")
    @classmethod
    def _non_empty_lines(cls, value: list[str]) -> list[str]:
        if any(not line.strip() for line in value):
            raise ValueError("empty line")
        return value

    def lines(self, kind: str) -> list[str]:
        lines: list[str] = getattr(self, kind)
        return lines


class Scenario(_Strict):
    """One validated scenario file."""

    id: Slug
    title: str = Field(min_length=1)
    difficulty: Difficulty
    address: Literal["je", "u"] = "je"
    """How the participant addresses the persona (and the persona the participant)."""
    persona: Persona
    situation: str = Field(min_length=1)
    goal: str = Field(min_length=1)
    opening: str = Field(min_length=1)
    hidden_concern: str = Field(min_length=1)
    resistance_type: ResistanceType
    start_resistance: int = Field(ge=0, le=100)
    agreement: str = Field(min_length=1)
    concern_keywords: list[str] = Field(min_length=1)
    reactions: Reactions
    hints: list[str] = Field(min_length=1)
    related: list[str] = Field(default_factory=list)

    @field_validator("situation", "goal", "hidden_concern", "agreement", mode="before")
    @classmethod
    def _fold(cls, value: object) -> object:
        return " ".join(value.split()) if isinstance(value, str) else value

    @field_validator("concern_keywords", "hints", "related")
    @classmethod
    def _no_blank(cls, value: list[str]) -> list[str]:
        if any(not item.strip() for item in value):
            raise ValueError("empty item")
        return value

    def related_links(self) -> list[str]:
        """Related files as knowledge-relative POSIX paths, e.g. ``lesstof/relaties-bouwen.md``."""
        return [posixpath.normpath(posixpath.join(SCENARIO_DIR, rel)) for rel in self.related]


@dataclass
class ScenarioSet:
    """All valid scenarios (ordered by difficulty, then title) plus the errors of bad files."""

    scenarios: dict[str, Scenario] = field(default_factory=dict)
    errors: list[LoadError] = field(default_factory=list)

    def __iter__(self) -> Iterator[Scenario]:
        return iter(self.scenarios.values())

    def __len__(self) -> int:
        return len(self.scenarios)

    def __contains__(self, scenario_id: object) -> bool:
        return scenario_id in self.scenarios

    def get(self, scenario_id: str) -> Scenario | None:
        return self.scenarios.get(scenario_id)

    def ids(self) -> list[str]:
        return list(self.scenarios)


def _node_line(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """1-based line of the deepest YAML node reachable along a pydantic error location."""
    line = (node.start_mark.line + 1) if node is not None else 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            child = next(
                (
                    (k, v)
                    for k, v in node.value
                    if isinstance(k, yaml.ScalarNode) and k.value == key
                ),
                None,
            )
            if child is None:
                break
            line = child[0].start_mark.line + 1
            node = child[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if not 0 <= key < len(node.value):
                break
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def parse_scenario(raw: bytes, path: Path) -> Scenario:
    """Parse one scenario file or raise `_Invalid` with a line number."""
    text = decode_utf8(raw)
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise yaml_invalid(exc, 1, "bad YAML") from None
    if not isinstance(data, dict):
        raise _Invalid(1, "a scenario must be a YAML mapping")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        loc, missing, reason = validation_reason(exc)
        # A missing key has no node of its own: point at its parent mapping.
        raise _Invalid(_node_line(root, loc[:-1] if missing else loc), reason) from None
    if scenario.id != path.stem:
        raise _Invalid(
            _node_line(root, ("id",)),
            f"id '{scenario.id}' must equal the file name '{path.stem}'",
        )
    for i, rel in enumerate(scenario.related):
        if not (path.parent / rel).is_file():
            raise _Invalid(_node_line(root, ("related", i)), f"related file not found: {rel}")
    return scenario


def iter_scenario_files(knowledge_dir: Path) -> list[Path]:
    folder = knowledge_dir / SCENARIO_DIR
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix in {".yaml", ".yml"} and not p.name.startswith("_")
    )


def load_scenarios(knowledge_dir: Path) -> ScenarioSet:
    """Load every scenario in ``knowledge_dir/rollenspel``; bad files become `LoadError`s."""
    found: list[Scenario] = []
    result = ScenarioSet()
    for path in iter_scenario_files(knowledge_dir):
        rel = path.relative_to(knowledge_dir).as_posix()
        try:
            found.append(parse_scenario(path.read_bytes(), path))
        except _Invalid as exc:
            result.errors.append(LoadError(rel, exc.line, exc.reason))
        except OSError as exc:
            result.errors.append(LoadError(rel, 1, f"cannot read file: {exc.strerror}"))
    found.sort(key=lambda s: (DIFFICULTY_ORDER[s.difficulty], s.title.casefold()))
    result.scenarios = {s.id: s for s in found}
    return result
