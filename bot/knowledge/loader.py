"""Load and validate Markdown knowledge files.

A bad file is reported as ``path:line: reason`` and skipped; the rest keeps loading.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.knowledge.models import (
    CasusFields,
    FrontMatter,
    KnowledgeFile,
    OpdrachtFields,
    VoorbeeldFields,
    expand_checklist,
)
from bot.knowledge.taxonomy import Taxonomy

MARKDOWN_GLOB = "**/*.md"
SKIP_NAMES = {"README.md"}
KEYS_GLOB = "vragen/**/*.yaml"
"""Question keys (``bot.knowledge.question_keys``): part of the index's content hash."""


@dataclass(frozen=True)
class LoadError:
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class LoadResult:
    files: list[KnowledgeFile] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)


class InvalidFile(Exception):
    """A knowledge file is unusable; ``line`` is 1-based."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason



def decode_utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise InvalidFile(raw[: exc.start].count(b"\n") + 1, "not valid UTF-8") from None


def yaml_invalid(exc: yaml.YAMLError, first_line: int, what: str) -> InvalidFile:
    """`InvalidFile` for a YAML error; ``first_line`` is the file line of the YAML's line 1."""
    mark = getattr(exc, "problem_mark", None)
    line = (mark.line + first_line) if mark is not None else 1
    return InvalidFile(line, f"{what}: {getattr(exc, 'problem', None) or 'invalid YAML'}")


def validation_reason(exc: ValidationError) -> tuple[tuple[str | int, ...], bool, str]:
    """(location, is-missing, reason) of the first pydantic error, worded for authors."""
    err = exc.errors()[0]
    loc = tuple(err.get("loc", ()))
    dotted = ".".join(str(p) for p in loc)
    if err.get("type") == "missing":
        return loc, True, f"missing field '{dotted}'"
    if err.get("type") == "extra_forbidden":
        return loc, False, f"unknown field '{dotted}'"
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return loc, False, f"field '{dotted}': {msg}"


def _key_line(front_lines: list[str], key: str) -> int:
    """1-based file line of ``key:`` in the front matter (front matter starts at file line 2)."""
    for i, line in enumerate(front_lines):
        if line.startswith(f"{key}:"):
            return i + 2
    return 1


def _item_line(front_lines: list[str], loc: tuple[str | int, ...]) -> int:
    """File line of ``key[index].field`` in a block-style YAML list, else the line of ``key:``.

    Used for list fields such as ``bronnen`` so an author sees which entry is wrong.
    """
    key_line = _key_line(front_lines, str(loc[0]))
    if len(loc) < 2 or not isinstance(loc[1], int) or key_line == 1:
        return key_line
    index, seen = loc[1], -1
    for i in range(key_line - 1, len(front_lines)):  # key_line - 1 == index after the key
        line = front_lines[i]
        if line and not line[0].isspace() and not line.startswith("-"):
            break  # next top-level key
        if line.lstrip().startswith("- "):
            seen += 1
        if seen == index:
            if len(loc) > 2:
                name = str(loc[2])
                for j in range(i, len(front_lines)):
                    stripped = front_lines[j].lstrip().removeprefix("- ")
                    if j > i and front_lines[j].lstrip().startswith("- "):
                        break
                    if stripped.startswith(f"{name}:"):
                        return j + 2
            return i + 2
    return key_line


def _pydantic_reason(exc: ValidationError) -> tuple[str, str]:
    loc, _missing, reason = validation_reason(exc)
    return ".".join(str(p) for p in loc), reason


def parse_file(raw: bytes, rel_path: str, taxonomy: Taxonomy) -> KnowledgeFile:
    """Parse one file or raise `InvalidFile` with a line number."""
    text = decode_utf8(raw).replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise InvalidFile(1, "missing front matter (the file must start with a '---' line)")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise InvalidFile(1, "front matter is not closed with a '---' line") from None
    front_lines = lines[1:end]
    try:
        meta = yaml.safe_load("\n".join(front_lines))
    except yaml.YAMLError as exc:  # the front matter starts on file line 2
        raise yaml_invalid(exc, 2, "bad YAML in front matter") from None
    if not isinstance(meta, dict):
        raise InvalidFile(1, "front matter must be a YAML mapping")
    try:
        front = FrontMatter.model_validate(meta)
    except ValidationError as exc:
        loc, reason = _pydantic_reason(exc)
        raise InvalidFile(_key_line(front_lines, loc.split(".")[0]), reason) from None
    if front.theme not in taxonomy.theme_labels:
        raise InvalidFile(_key_line(front_lines, "theme"), f"unknown theme '{front.theme}'")
    if front.topic not in taxonomy.topic_theme:
        raise InvalidFile(_key_line(front_lines, "topic"), f"unknown topic '{front.topic}'")
    if taxonomy.topic_theme[front.topic] != front.theme:
        raise InvalidFile(
            _key_line(front_lines, "topic"),
            f"topic '{front.topic}' does not belong to theme '{front.theme}'",
        )
    body = "\n".join(lines[end + 1 :]).strip()
    if not body:
        raise InvalidFile(end + 2, "empty body")
    casus = opdracht = voorbeeld = None
    try:
        if front.kind == "voorbeeld":
            voorbeeld = VoorbeeldFields.model_validate(meta)
    except ValidationError as exc:
        item_loc, _missing, reason = validation_reason(exc)
        raise InvalidFile(_item_line(front_lines, item_loc), reason) from None
    try:
        if front.kind == "casus":
            casus = CasusFields.model_validate(meta)
        elif front.kind == "opdracht":
            opdracht = OpdrachtFields.model_validate(meta)
            expand_checklist(opdracht.checklist)
    except ValidationError as exc:
        loc, reason = _pydantic_reason(exc)
        raise InvalidFile(_key_line(front_lines, loc.split(".")[0]), reason) from None
    except ValueError as exc:
        raise InvalidFile(_key_line(front_lines, "checklist"), str(exc)) from None
    return KnowledgeFile(
        path=rel_path,
        front=front,
        body=body,
        sha256=hashlib.sha256(raw).hexdigest(),
        casus=casus,
        opdracht=opdracht,
        voorbeeld=voorbeeld,
    )


def iter_markdown(knowledge_dir: Path) -> list[Path]:
    return sorted(
        p for p in knowledge_dir.glob(MARKDOWN_GLOB) if p.is_file() and p.name not in SKIP_NAMES
    )


def iter_key_files(knowledge_dir: Path) -> list[Path]:
    """The question-key files (``vragen/**/*.yaml``), sorted."""
    return sorted(p for p in knowledge_dir.glob(KEYS_GLOB) if p.is_file())


def load_knowledge(knowledge_dir: Path, taxonomy: Taxonomy | None = None) -> LoadResult:
    """Load every Markdown file under ``knowledge_dir``; bad files become `LoadError`s."""
    taxonomy = taxonomy or Taxonomy.load(knowledge_dir)
    result = LoadResult()
    for path in iter_markdown(knowledge_dir):
        rel = path.relative_to(knowledge_dir).as_posix()
        try:
            result.files.append(parse_file(path.read_bytes(), rel, taxonomy))
        except InvalidFile as exc:
            result.errors.append(LoadError(rel, exc.line, exc.reason))
        except OSError as exc:
            result.errors.append(LoadError(rel, 1, f"cannot read file: {exc.strerror}"))
    return result


def file_hashes(knowledge_dir: Path) -> dict[str, str]:
    """Content hash per Markdown file and per question-key file (``vragen/**/*.yaml``), without
    parsing (cheap change detection: a changed key file re-ingests, which re-embeds the keys)."""
    return {
        p.relative_to(knowledge_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in [*iter_markdown(knowledge_dir), *iter_key_files(knowledge_dir)]
    }
